"""Expected values that depend on the student's own choices (Task 7's f, a, b, n).

Where a sheet lets students choose parameters, a fixed answer key cannot grade
them. A Recompute names the student values it reads (`inputs`) and the ones it
predicts from them (`outputs`); the judge compares the student's outputs with the
prediction, so a different but consistent choice earns full points.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class ChoiceError(ValueError):
    """The student's own choices cannot be used (n is not a whole number, b <= a, ...)."""


@dataclass(frozen=True)
class Recompute:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fn: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    statement: str = ""
    # the sheet's typical mistakes for these choices: (expected values) -> output name -> [(id, message, value)]
    mistakes: Callable[[dict[str, Any]], dict[str, list]] | None = None
