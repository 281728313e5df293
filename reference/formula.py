"""Reference formulas for expression tasks.

A derived formula (the gradient of the Laplace NLL, the softmax Jacobian) is
graded by evaluating the student's expression and the reference's at random
sample points. A `Formula` carries the canonical text (shown in the answer key,
written in the grader's expression language), a numpy implementation, and how
to sample each variable so both sides are evaluated where the formula is
defined (probabilities in (0, 1), a simplex for softmax outputs, ...).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

Kind = Literal["real", "positive", "unit", "simplex"]
Layout = Literal["flat", "row", "column"]  # how vectors are written: (n,), 1 x n or n x 1
LAYOUTS: tuple[Layout, ...] = ("flat", "row", "column")


def call_with(fn: Callable[..., Any], values: Mapping[str, Any]) -> Any:
    """fn called with the values its signature names (all of them when it takes **kwargs): a formula's function
    names only the variables it needs, while a sample point also holds the names the sheet defines."""
    parameters = inspect.signature(fn).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return fn(**values)
    return fn(**{p.name: values[p.name] for p in parameters if p.name in values})


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
    """`variables` are sampled; `defined` are the further names the sheet defines from them (mu = w^T x, the
    partial derivatives a later part builds on), computed at every point in order, so a student may write the
    answer in the sheet's primitive variables, in its intermediate quantities, or in a mix. `vectors` is how the
    sheet writes vectors (TU Darmstadt: rows, 1 x C); a student's formula may use another layout throughout."""

    text: str
    fn: Callable[..., np.ndarray | float]
    variables: Mapping[str, Variable] = field(default_factory=dict)
    doc: str = ""
    mistakes: tuple[FormulaMistake, ...] = ()
    defined: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    vectors: Layout = "flat"
    # an activation's output -> its input, where the formula has both (a = sigmoid(z)): the error model's
    # derivative-of-input writes the derivative's output form in the input
    activation_inputs: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, **values) -> np.ndarray:
        return np.asarray(call_with(self.fn, values), dtype=np.float64)

    def following(self, mistake: FormulaMistake) -> "Formula":
        """The same quantity as the mistake computes it: same variables, names and layout."""
        return replace(self, text=mistake.text, fn=mistake.fn, mistakes=())

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a student's formula may use."""
        return (*self.variables, *self.defined)

    def layouts(self) -> tuple[Layout, ...]:
        """The sheet's vector layout first, then the others a consistent student may use."""
        return (self.vectors, *(layout for layout in LAYOUTS if layout != self.vectors))


@dataclass(frozen=True)
class OtherSolution:
    """Another right answer to a group of formulas (6.1.2's tanh network with every hidden unit's sign flipped:
    tanh is odd). A formula of it counts only when the student's other formulas of the group are of it too:
    mixed from two solutions, the network is wrong."""

    says: str  # which solution, for the pass message; no formula in it (hidden tasks show it)
    formulas: Mapping[str, Formula]  # answer key -> the formula in this solution


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
    for name, fn in formula.defined.items():
        point[name] = np.asarray(call_with(fn, point), dtype=np.float64)
    return point


def relayout(point: Mapping[str, np.ndarray], layout: Layout) -> dict[str, np.ndarray]:
    """The point with every vector written as a row (1 x n) or a column (n x 1); scalars and matrices stay."""
    if layout == "flat":
        return dict(point)
    shape = (1, -1) if layout == "row" else (-1, 1)
    return {name: value.reshape(shape) if value.ndim == 1 else value for name, value in point.items()}
