"""Typical-mistake diagnoses: a wrong number that fits a known mistake gets a name.

A diagnosis is only offered when the observed values match the expected ones
after undoing exactly that mistake, so it is specific: a transposed matrix, a
sign flip, a constant factor (mean instead of sum, a missing 1/2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


# Generic diagnoses whose message would tell a hidden task's answer (negate it, rescale it): in hidden tasks
# only their id is reported, for the tutor.
REVEALING = frozenset({"sign-flip", "constant-factor"})


@dataclass(frozen=True)
class Diagnosis:
    id: str
    message: str


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def numbers(observed: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    if observed.ndim == 2 and observed.shape[0] > 1 and observed.shape[1] > 1 and \
            _close(observed.T, expected, rtol, atol):
        found.append(Diagnosis("transposed", "the matrix is transposed: check the orientation (rows vs columns)"))
    if np.any(np.abs(expected) > atol) and observed.shape == expected.shape:
        if _close(-observed, expected, rtol, atol):
            found.append(Diagnosis("sign-flip", "the sign is flipped: check the direction of a difference or a minus"))
        else:
            big = np.abs(expected) > max(atol, 1e-12)
            ratios = observed[big] / expected[big]
            if ratios.size and np.all(np.isfinite(ratios)):
                c = float(np.median(ratios))
                if abs(c) > 1e-9 and not np.isclose(c, 1.0, rtol=1e-3) and not np.isclose(c, -1.0, rtol=1e-3) \
                        and _close(observed, c * expected, rtol, atol):
                    found.append(Diagnosis("constant-factor", f"off by a constant factor of about {c:.3g}: "
                                                              "check averaging vs summing and factors like 1/2"))
    return found
