"""Numbers the submission produced vs expected numbers, with the shape rules students need.

Vectors compare in any of (n,), (n,1) and (1,n); lists compare like arrays; a
matrix compares transposed only where the rubric allows it. Everything is
converted to float64 arrays here in the parent, so no object the child made
takes part in a comparison.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np

from grader import diagnose
from grader.sandbox import Absent, Unsupported


@dataclass(frozen=True)
class Match:
    ok: bool
    message: str
    diagnoses: tuple[str, ...] = ()
    max_error: float = 0.0


def as_numbers(value: Any) -> np.ndarray | str:
    """A float array, or the reason the value is not numbers (shown to the student)."""
    if isinstance(value, Unsupported):
        return value.what
    if isinstance(value, Absent):
        return value.why
    if value is None:
        return "None (the function returned nothing)"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list) and _has_bad(value):
        return _has_bad(value)
    if not isinstance(value, (int, float, list, np.ndarray)):
        return f"a {type(value).__name__}, not a number"
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        return "a number too large for a float"
    except (ValueError, TypeError):
        return "a ragged list (items of different lengths)"
    return array


def _has_bad(value: list) -> str | None:
    for item in value:
        if isinstance(item, (Unsupported, Absent, str, bool)) or item is None or \
                not isinstance(item, (int, float, list, np.ndarray)):
            reason = as_numbers(item)
            return f"a list containing {reason}"
        if isinstance(item, list):
            inner = _has_bad(item)
            if inner:
                return inner
    return None


def _vector_like(shape: tuple[int, ...]) -> bool:
    return sum(d > 1 for d in shape) <= 1


def align(observed: np.ndarray, expected: np.ndarray, accept_transpose: bool = False) -> np.ndarray | None:
    if observed.shape == expected.shape:
        return observed
    if observed.size == expected.size and _vector_like(observed.shape) and _vector_like(expected.shape):
        return observed.reshape(expected.shape)
    if accept_transpose and observed.ndim == 2 and observed.T.shape == expected.shape:
        return observed.T
    return None


_close = diagnose.close


def _show(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array), precision=4, suppress_small=True, max_line_width=200, threshold=20)




def distinguishable(mistaken: Any, expected: Any, rtol: float, atol: float) -> bool:
    """A mistake's value lies far enough from the right one that a student's value within tolerance of it is
    that mistake, not a slightly wrong right answer: only such mistakes are ever named."""
    mistaken, expected = np.asarray(mistaken, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return mistaken.shape != expected.shape or \
        not _close(mistaken, expected, diagnose.SEPARATION * rtol, diagnose.SEPARATION * atol)


def said(mistake: Any, reveal: bool) -> str:
    """A mistake's message; in a hidden task its version without the reference's formula, where it has one."""
    return mistake.message if reveal else (getattr(mistake, "hidden", "") or mistake.message)


def known_mistake(aligned: np.ndarray, expected: np.ndarray, alternatives: tuple, rtol: float, atol: float) -> Any:
    """The known mistake of the task whose value the student's matches: the sheet's listed mistakes first,
    then the error model's slips, most common first. A mistake whose value is within a few tolerances of the
    right one is never named (it would only say "you are close"), and the student's value must be nearer the
    mistake than the right value. When other mistakes fit too, the first is named and the message says so.
    A mistake that overflows (softmax without the max shift) matches where the student's value is not finite
    at exactly the same entries and right elsewhere."""
    fitting = [a for a in alternatives if _fits(aligned, expected, a, rtol, atol)]
    if not fitting:
        return None
    distance = [_distance(aligned, a.value, rtol, atol) for a in fitting]
    nearest = min(distance)  # a printed 0.7747 fits 0.7747 better than 0.7929 under a 5 % tolerance
    fitting = [a for a, d in zip(fitting, distance) if d <= max(2.0 * nearest, EQUALLY_GOOD)]
    return named(fitting)


def named(fitting: list) -> Any:
    """The first of the mistakes that fit, its message saying which others fit as well."""
    first, others = fitting[0], {a.id for a in fitting[1:]} | set(getattr(fitting[0], "also", ()))
    others.discard(first.id)
    if not others:
        return first
    also = f" (another slip gives the same values: {', '.join(sorted(others))})"
    return replace(first, message=first.message + also,
                   **({"hidden": first.hidden + also} if getattr(first, "hidden", "") else {}))


EQUALLY_GOOD = 0.1  # fits within this share of the tolerance of each other are equally good


def _distance(observed: np.ndarray, value: Any, rtol: float, atol: float) -> float:
    """How far a fitting mistake's value lies from the student's, in units of the tolerance (0 to 1)."""
    value = np.asarray(value, dtype=np.float64)
    candidate = align(observed, value)
    finite = np.isfinite(value)
    with np.errstate(all="ignore"):
        scaled = np.abs(candidate[finite] - value[finite]) / (atol + rtol * np.abs(value[finite]) + 1e-300)
    return float(np.max(scaled, initial=0.0))


def one_of_several(observed: Any, expected: np.ndarray, accept_transpose: bool) -> tuple[int, np.ndarray] | None:
    """A function that returns several arrays (`return h, o`) where the check asks for one: the last of them
    whose shape is the expected one, with its index; None when the value is not such a tuple or none fits."""
    if not isinstance(observed, (list, tuple)) or len(observed) < 2 or \
            not all(isinstance(item, (np.ndarray, list, tuple)) for item in observed):
        return None
    fitting = [(i, as_numbers(item)) for i, item in enumerate(observed)]
    fitting = [(i, a) for i, a in fitting if not isinstance(a, str) and align(a, expected, accept_transpose) is not None]
    return fitting[-1] if fitting else None


def _negation_fits_better(aligned: np.ndarray, expected: np.ndarray, known: Any, rtol: float, atol: float) -> bool:
    """The student's value is the right one negated, more closely than the known mistake's: a sign slip, which
    the numbers' diagnosis names, not a slip whose values happen to lie within a wide tolerance of it."""
    if not np.any(np.abs(expected) > atol + rtol * np.abs(expected)) or align(aligned, -expected) is None:
        return False
    negated = _distance(aligned, -expected, rtol, atol)
    return negated <= 1.0 and negated + EQUALLY_GOOD < _distance(aligned, known.value, rtol, atol)


def _fits(aligned: np.ndarray, expected: np.ndarray, alternative: Any, rtol: float, atol: float) -> bool:
    """A slip that changes the shape (a sum over the wrong axis, a layer's output where its input belongs)
    fits a value of its shape; one that keeps the shape must also be nearer than the right value."""
    value = np.asarray(alternative.value, dtype=np.float64)
    candidate = align(aligned, value)
    if candidate is None:
        return False
    if value.shape != expected.shape:
        return align(aligned, expected) is None and bool(np.all(np.isfinite(value))) and \
            _close(candidate, value, rtol, atol)
    finite = np.isfinite(value)
    if not np.all(finite):
        return bool(np.array_equal(np.isfinite(candidate), finite) and
                    _close(candidate[finite], value[finite], rtol, atol))
    return distinguishable(value, expected, rtol, atol) and _close(candidate, value, rtol, atol) and \
        bool(np.linalg.norm(candidate - value) < np.linalg.norm(candidate - expected))


def _reduced(observed: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str | None:
    """How one number stands for a whole vector (one loss per sample): its mean or its sum."""
    if observed.size != 1 or expected.ndim != 1 or expected.size < 2:
        return None
    for how, value in (("averaged", expected.mean()), ("summed", expected.sum())):
        if _close(observed.reshape(()), np.asarray(value), rtol, atol):
            return how
    return None


FLOAT32_EPS = float(np.finfo(np.float32).eps)


def precision(observed: Any) -> float:
    """The machine epsilon of the least precise floats in a returned value: float32 work is judged at float32's
    precision, never at float64's. float16 is held to float32's too: its rounding (0.1 %) would let wrong
    values through, and no sheet asks for it."""
    if isinstance(observed, np.ndarray) and observed.dtype.kind == "f":
        return min(float(np.finfo(observed.dtype).eps), FLOAT32_EPS)
    if isinstance(observed, (list, tuple)):
        return max((precision(item) for item in observed), default=float(np.finfo(np.float64).eps))
    return float(np.finfo(np.float64).eps)


def widened(observed: Any, expected: np.ndarray, rtol: float, atol: float, job_eps: float = 0.0) -> tuple[float, float]:
    """Tolerances for the precision the student computed in: 64 rounding steps relative to the values, and as
    much absolute to the array's scale, so entries that nearly cancel are not held to float64. `job_eps` is the
    precision of the job's other values: a softmax that keeps float32 outputs returns a float64 backward pass
    (float32 times the grader's float64 gradient) that carries float32's rounding all the same."""
    eps = max(precision(observed), job_eps)
    if eps <= float(np.finfo(np.float64).eps):
        return rtol, atol
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return max(rtol, 64 * eps), max(atol, 64 * eps * scale)


def written_rounding(value: Any) -> np.ndarray | None:
    """Half a unit in the last digit a hand value shows, where it shows at least two significant digits (0.16
    may stand for anything in [0.155, 0.165]); 0 for other entries. The one rounding rule of answers files: a
    hand value is right within the entry's tolerance, or when it is the expected value rounded as written.
    Read from the entry as written: whole numbers and fractions ("11/5") are exact, a decimal in quotes
    ("0.16") is a decimal."""
    def half_unit(x: Any) -> float:
        if isinstance(x, str):
            try:
                digits = Decimal(x.strip()).normalize().as_tuple()
            except ArithmeticError:
                return 0.0
        elif type(x) is float and x != 0 and np.isfinite(x):
            digits = Decimal(repr(x)).normalize().as_tuple()
        else:
            return 0.0
        # whole numbers round at most to units: 1200.0 does not stand for 1234
        return 0.5 * 10.0 ** min(int(digits.exponent), 0) if len(digits.digits) >= 2 else 0.0

    def walk(x: Any) -> Any:
        return [walk(item) for item in x] if isinstance(x, list) else half_unit(x)

    try:
        return np.array(walk(value), dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        return None


def _accepts(aligned: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
             allowance: np.ndarray | None) -> bool:
    """Every entry within the tolerance, or (hand values) within the rounding its written digits allow."""
    if allowance is None or allowance.shape != aligned.shape:
        return _close(aligned, expected, rtol, atol)
    error = np.abs(aligned - expected)
    return aligned.shape == expected.shape and \
        bool(np.all((error <= atol + rtol * np.abs(expected)) | (error <= allowance * (1 + 1e-9))))


def match(observed: Any, expected: Any, rtol: float, atol: float, *, reveal: bool,
          accept_transpose: bool = False, what: str = "the value", alternatives: tuple = (),
          by_hand: bool = False, written: Any = None, batch: tuple[int, ...] = (), job_eps: float = 0.0) -> Match:
    """`alternatives` are the values the task's known mistakes give (reference/mistakes.py): one that fits
    names the mistake, also in hidden tasks, since a mistake's name shows no expected value. Hand values
    (`by_hand`) also pass when they are the expected value rounded to the digits written; values computed in
    float32 are judged at float32's precision."""
    exp = np.asarray(expected, dtype=np.float64)
    if isinstance(observed, Absent):
        return Match(False, observed.why)
    rtol, atol = widened(observed, exp, rtol, atol, job_eps)
    rounding = written_rounding(observed if written is None else written) if by_hand and (rtol > 0 or atol > 0) \
        else None
    obs = as_numbers(observed)
    if not by_hand and (isinstance(obs, str) or align(obs, exp, accept_transpose) is None):
        returned = one_of_several(observed, exp, accept_transpose)  # code only: in answers it would be a guess
        if returned is not None:  # `return h, o` where o is asked for: the returned value of o's shape
            what, obs = f"{what} (value {returned[0] + 1} of the {len(observed)} returned)", returned[1]
    if isinstance(obs, str):
        return Match(False, f"{what} is {obs}; expected numbers of shape {exp.shape or 'scalar'}")
    aligned = align(obs, exp, accept_transpose)
    allowance = align(rounding, exp, accept_transpose) if rounding is not None and rounding.shape == obs.shape \
        else None
    if aligned is None:
        known = known_mistake(obs, exp, alternatives, rtol, atol)
        if known is not None:
            return Match(False, f"{what} has shape {obs.shape or 'scalar'}, expected {exp.shape or 'scalar'}: "
                                f"{said(known, reveal)}", (known.id,))
        reduced = _reduced(obs, exp, rtol, atol)
        if reduced:
            return Match(False, f"{what} is one number where {exp.size} are expected (one per sample): the values "
                                f"are {reduced} into one; return them all and leave the reduction to the caller",
                         ("reduced-to-scalar",))
        if obs.ndim == 2 and obs.T.shape == exp.shape and _close(obs.T, exp, rtol, atol):
            shown = f": shape {obs.shape}, expected {exp.shape}" if reveal else ""
            return Match(False, f"{what} is transposed{shown}", ("transposed",))
        if exp.ndim <= 2 and _vector_like(exp.shape) and exp.size > 1 and obs.shape == (exp.size, exp.size):
            return Match(False, f"{what} has shape {obs.shape}, expected {exp.size} numbers: broadcasting a column "
                                "(n, 1) against a vector (n,) made an n x n matrix; reshape one of them",
                         ("broadcast",))
        return Match(False, f"{what} has shape {obs.shape or 'scalar'}, expected {exp.shape or 'scalar'}")
    if not np.all(np.isfinite(aligned)):
        known = known_mistake(aligned, exp, alternatives, rtol, atol)
        if known is not None:
            return Match(False, f"{what} contains nan or inf: {said(known, reveal)}", (known.id,))
        return Match(False, f"{what} contains nan or inf", ("not-finite",))
    error = np.abs(aligned - exp)
    if _accepts(aligned, exp, rtol, atol, allowance) or (accept_transpose and aligned.ndim == 2 and _accepts(
            aligned.T, exp, rtol, atol, allowance.T if allowance is not None else None)):
        return Match(True, f"{what} agrees", max_error=float(error.max(initial=0.0)))
    known = known_mistake(aligned, exp, alternatives, rtol, atol)
    if known is not None and not _negation_fits_better(aligned, exp, known, rtol, atol):
        return Match(False, f"{what} is not correct: {said(known, reveal)}", (known.id,), float(error.max()))
    if by_hand and reveal and _close(aligned, exp, 0.1, atol):  # "close" would narrow a hidden value down
        return Match(False, f"{what} is close but outside the tolerance: check your rounding (keep three "
                            "significant digits in intermediate results)", ("rounding",), float(error.max()))
    found = diagnose.numbers(aligned, exp, rtol, atol, batch)
    if not reveal:  # a hidden task: no deviation and no factor in the message (a named mistake above is allowed)
        return Match(False, f"{what} is not correct", tuple(d.id for d in found), float(error.max()))
    text = (f"{what} differs from the expected value (largest deviation {float(error.max()):.3g}): "
            f"expected {_show(exp)}, got {_show(aligned)}")
    if found:
        text += "; " + "; ".join(d.message for d in found)
    return Match(False, text, tuple(d.id for d in found), float(error.max()))
