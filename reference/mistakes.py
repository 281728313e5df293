"""Known mistakes of a sheet, computed on the reference side: what a student who made them gets.

Each sheet module may list `MISTAKES`: a mistake has a stable id, a message in the
language of the exercise, and a function from the given data to the answer-key
entries it changes. When a student's value fails its check but matches one of
these within the check's tolerance, the judge names that mistake, which is more
specific than any generic diagnosis (a constant factor, a sign).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Mistake:
    id: str
    message: str
    values: Callable[[dict[str, Any]], dict[str, Any]]  # given data -> the answer-key entries it changes


@dataclass(frozen=True)
class Slip:
    """One change of the error model (grader/mutation_operators.py) to one named step (reference/steps.py)."""

    step: str  # the step's function name: "natural_log", "update"
    operator: str  # the operator's id: "log-base", "update-sign"
    where: str | None = None  # only the calls that say they stand here; None: every call
    label: str = ""  # which of the operator's variants ("10" of log-base, "relu" of sibling-function)


@dataclass(frozen=True)
class Combination:
    """A known mistake written as slips of the reference's steps: the grader computes its values by running
    the answer key with them, so the list says what the mistake is, not how to compute it again."""

    id: str
    message: str
    slips: tuple[Slip, ...]
    through_training: bool = False  # also slip the settled training runs (their results are graded)


@dataclass(frozen=True)
class Alternative:
    id: str
    message: str
    value: Any
    also: tuple[str, ...] = ()  # other mistakes that give the same value
    hidden: str = ""  # the message for hidden tasks when `message` quotes the reference's formula


def _differs(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)


def alternatives(module: Any, given: dict[str, Any], key: dict[str, Any],
                 failures: list[tuple[str, Exception]] | None = None) -> dict[str, list[Alternative]]:
    """Answer-key name -> the values known mistakes produce for it (only where they differ). A mistake that
    raises is skipped, so grading goes on; `failures` collects it with its exception for `grade rubric check`."""
    out: dict[str, list[Alternative]] = {}
    for mistake in getattr(module, "MISTAKES", []):
        if not isinstance(mistake, Mistake):  # a Combination: the grader's error model computes it
            continue
        try:  # a rubric without the section a mistake needs, or a broken mistake: skip it, grade the rest
            values = mistake.values(given)
            changed = {name: value for name, value in values.items() if name in key and _differs(value, key[name])}
        except Exception as exc:
            if failures is not None:
                failures.append((mistake.id, exc))
            continue
        for name, value in changed.items():
            out.setdefault(name, []).append(Alternative(mistake.id, mistake.message, value))
    return out
