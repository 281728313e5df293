"""Which answer-key entries no student-facing output may show.

An entry a hidden task grades is secret. So is every entry with the same value: sheet 7's notebook (7.3, public)
runs its forward pass on the example the hand calculation (7.2, hidden) uses, so a public message showing 7.3's
expected h would hand out 7.2's answer.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.rubric import Rubric, key_usage


def _gives_away(public: Any, secret: Any) -> bool:
    """Whether showing `public` shows `secret`: the same value, or a vector or matrix of it as one row of a batch
    (7.3's samples include 7.2's example)."""
    if isinstance(public, str) or isinstance(secret, str):
        return isinstance(public, str) and isinstance(secret, str) and public.strip() == secret.strip()
    try:
        x, y = np.asarray(public, dtype=float), np.asarray(secret, dtype=float)
    except (TypeError, ValueError):
        return False
    if x.size == 0 or y.size == 0:
        return False
    if x.shape == y.shape:
        return bool(np.allclose(x, y, rtol=1e-9, atol=1e-12))
    if y.size < 2 or x.ndim < 2:
        return False
    rows = x.reshape(-1, *x.shape[-(y.ndim or 1):]) if x.shape[-(y.ndim or 1):] == y.shape else None
    return rows is not None and any(np.allclose(row, y, rtol=1e-9, atol=1e-12) for row in rows)


def secret_entries(rubric: Rubric, key: dict[str, Any]) -> frozenset[str]:
    """The entries a hidden task grades, and every entry that shows one of their values."""
    graded = {name for name, tasks in key_usage(rubric).items()
              if any(rubric.visibility_of(rubric.task(t)) == "hidden" for t in tasks)}
    secret = {name for name in graded if name in key}
    secret |= {name for name, value in key.items() if name not in secret
               and any(_gives_away(value, key[s]) for s in graded if s in key)}
    return frozenset(secret)
