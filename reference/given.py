"""Pydantic models for the given data that rubric files hand to the references.

Shared field types live here so every sheet states its inputs the same way and
`grade rubric check` reports a bad matrix with the same words everywhere.
"""
from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict


def _finite(values):
    if not np.all(np.isfinite(np.asarray(values, dtype=np.float64))):
        raise ValueError("must contain finite numbers only")
    return values


def _rectangular(rows: list[list[float]]) -> list[list[float]]:
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) == 0:
        raise ValueError("must be a non-empty matrix: a list of rows of equal length")
    return _finite(rows)


def _nonempty(values: list[float]) -> list[float]:
    if not values:
        raise ValueError("must be a non-empty vector")
    return _finite(values)


Vector = Annotated[list[float], AfterValidator(_nonempty)]
Matrix = Annotated[list[list[float]], AfterValidator(_rectangular)]


class GivenModel(BaseModel):
    """Given data are closed: a misspelt field in a rubric is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
