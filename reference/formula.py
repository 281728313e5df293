"""Reference formulas for expression tasks.

A derived formula (the gradient of the Laplace NLL, the softmax Jacobian) is
graded by evaluating the student's expression and the reference's at random
sample points. A `Formula` carries the canonical text (shown in the answer key,
written in the grader's expression language), a numpy implementation, and how
to sample each variable so both sides are evaluated where the formula is
defined (probabilities in (0, 1), a simplex for softmax outputs, ...).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Kind = Literal["real", "positive", "unit", "simplex"]


@dataclass(frozen=True)
class Variable:
    """Shape entries are ints or dimension names shared across variables ("d", "h")."""

    shape: tuple[int | str, ...] = ()
    kind: Kind = "real"
    scale: float = 3.0
    doc: str = ""


@dataclass(frozen=True)
class FormulaMistake:
    """A typical wrong formula: a student whose formula agrees with `fn` at every sample point made this mistake.

    Several entries may share an id when one mistake has several spellings (either path of a shared parameter).
    The message names the mistake in the exercise's language; it is shown in hidden tasks too, so it must not
    spell out the right formula. `text` is one student's spelling of the wrong formula, in the grader's formula
    language: the planted-mistake suite hands it in, and a test checks that it agrees with `fn`."""

    id: str
    text: str
    message: str
    fn: Callable[..., np.ndarray | float]


@dataclass(frozen=True)
class Formula:
    text: str
    fn: Callable[..., np.ndarray | float]
    variables: Mapping[str, Variable] = field(default_factory=dict)
    doc: str = ""
    mistakes: tuple[FormulaMistake, ...] = ()

    def __call__(self, **values) -> np.ndarray:
        return np.asarray(self.fn(**values), dtype=np.float64)


def sample_dims(formula: Formula, rng: np.random.Generator, low: int = 2, high: int = 6) -> dict[str, int]:
    names = sorted({d for v in formula.variables.values() for d in v.shape if isinstance(d, str)})
    return {name: int(rng.integers(low, high + 1)) for name in names}


def sample_point(formula: Formula, rng: np.random.Generator, dims: Mapping[str, int] | None = None) -> dict[str, np.ndarray]:
    """One random point in the formula's domain; named dimensions agree across variables."""
    dims = dict(dims) if dims is not None else sample_dims(formula, rng)
    point: dict[str, np.ndarray] = {}
    for name, var in formula.variables.items():
        shape = tuple(dims[d] if isinstance(d, str) else d for d in var.shape)
        if var.kind == "real":
            value = rng.uniform(-var.scale, var.scale, size=shape)
        elif var.kind == "positive":
            value = rng.uniform(0.1, var.scale, size=shape)
        elif var.kind == "unit":
            value = rng.uniform(0.02, 0.98, size=shape)
        else:  # simplex along the last axis
            raw = rng.uniform(0.05, 1.0, size=shape)
            value = raw / np.sum(raw, axis=-1, keepdims=True)
        point[name] = np.asarray(value, dtype=np.float64)
    return point
