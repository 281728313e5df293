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
# Generic diagnoses that are true but do not say which mistake it was: a specific one names the mistake.
GENERIC = frozenset({"not-finite", "sign-flip", "constant-factor"})


@dataclass(frozen=True)
class Diagnosis:
    id: str
    message: str


SIGN_FLIP = Diagnosis("sign-flip", "the sign is flipped: check the direction of a difference or a minus")
TRANSPOSED = Diagnosis("transposed", "the matrix is transposed: check the orientation (rows vs columns)")


def close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """a agrees with the expected b: the one tolerance rule of every comparison (absolute plus relative to b)."""
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def factor(observed: np.ndarray, expected: np.ndarray, atol: float) -> float | None:
    """The constant c with observed = c * expected, read off the entries where expected is not ~0; None when
    it is 0, +-1 or not one number (the caller still checks that c fits every entry)."""
    big = np.abs(expected) > max(atol, 1e-12)
    if observed.shape != expected.shape or not np.any(big):
        return None
    with np.errstate(all="ignore"):
        ratios = observed[big] / expected[big]
    if not np.all(np.isfinite(ratios)):
        return None
    c = float(np.median(ratios))
    if abs(c) <= 1e-9 or np.isclose(abs(c), 1.0, rtol=1e-3):
        return None
    return c


def constant_factor(c: float) -> Diagnosis:
    return Diagnosis("constant-factor", f"off by a constant factor of about {c:.3g}: "
                                        "check averaging vs summing and factors like 1/2")


PLAUSIBLE_FACTORS = (2.0, 0.5, -2.0, -0.5)  # a missing or extra 1/2 or 2, with or without the sign
SEPARATION = 3.0  # tolerances between a mistake's value and the right one before the mistake can be named


def evident_factor(observed: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
                   batch: tuple[int, ...] = ()) -> float | None:
    """A constant factor the evidence supports: one ratio across at least two entries that are not ~0, or,
    for a single number, only a factor students plausibly make (2 or 1/2, with or without the sign, and the
    number of samples of the check's input or its inverse: a sum where the sheet averages). Either way the
    factor must move the value clearly away from the right one, so rounding is never a "factor"."""
    c = factor(observed, expected, atol)
    if c is None or not close(observed, c * expected, rtol, atol):
        return None
    if close(c * expected, expected, SEPARATION * rtol, SEPARATION * atol):
        return None
    if int(np.count_nonzero(np.abs(expected) > max(atol, 1e-12))) >= 2:
        return c
    plausible = PLAUSIBLE_FACTORS + tuple(f for n in batch if n > 1 for f in (float(n), 1.0 / n))
    return c if any(abs(c / p - 1.0) <= max(rtol, 1e-3) for p in plausible) else None


def numbers(observed: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
            batch: tuple[int, ...] = ()) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    if observed.ndim == 2 and observed.shape[0] > 1 and observed.shape[1] > 1 and \
            close(observed.T, expected, rtol, atol):
        found.append(TRANSPOSED)
    if np.any(np.abs(expected) > atol) and observed.shape == expected.shape:
        if close(-observed, expected, rtol, atol):
            found.append(SIGN_FLIP)
        else:
            c = evident_factor(observed, expected, rtol, atol, batch)
            if c is not None:
                found.append(constant_factor(c))
    return found
