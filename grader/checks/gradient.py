"""gradient: the student's backward pass vs central differences of the student's own loss, and vs the reference.

The two comparisons tell different stories: disagreeing with the finite
differences means the backward pass does not differentiate the student's own
forward pass; agreeing with them but not with the reference means the loss
itself differs from the sheet's (a mean instead of a sum, a missing 1/2).
"""
from __future__ import annotations

import numpy as np

from grader import diagnose
from grader.checks import Context, Outcome
from grader.checks.compare import align, as_numbers, known_mistake, match
from grader.checks.job import failure
from grader.rubric import GradientCheck


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(a - b)) / scale


def _one(path: str, param: str, check: GradientCheck, ctx: Context) -> tuple[bool, str, tuple[str, ...]]:
    grad = as_numbers(ctx.job["observed"].get(path))
    fd = (ctx.job.get("fd") or {}).get(param)
    fd_array = as_numbers(fd)
    if isinstance(grad, str):
        return False, f"`{path}` is {grad}", ()
    if isinstance(fd_array, str):
        return False, f"`{param}` could not be perturbed: {fd_array}", ()
    aligned = align(grad, fd_array)
    if aligned is None:
        return False, f"`{path}` has shape {grad.shape}, but `{param}` has shape {fd_array.shape}", ()
    error = relative_error(aligned, fd_array)
    name = check.expect.get(path)
    if not np.isfinite(error) or error > ctx.defaults.gradient_rtol:
        text = (f"`{path}` disagrees with central differences of your own loss with respect to `{param}` "
                f"(relative error {error:.2g})")
        known = _known(aligned, name, check, ctx)
        if known is not None:  # a known mistake of the backward pass explains it
            return False, f"{text}: {known.message}", (known.id,)
        found = diagnose.numbers(aligned, fd_array, 1e-3, 1e-8)
        if found:
            text += "; " + "; ".join(d.message for d in found)
        return False, text, tuple(d.id for d in found)
    if name is None:
        return True, f"`{path}` agrees with finite differences (relative error {error:.1g})", ()
    rtol, atol = check.tolerances(ctx.defaults.value_rtol, ctx.defaults.value_atol)
    m = match(aligned, ctx.key[name], max(rtol, 1e-6), max(atol, 1e-8), reveal=ctx.reveal, what=f"`{path}`",
              alternatives=ctx.alternatives(name))
    if not m.ok:
        return False, (f"`{path}` is the true gradient of your own loss, but not of the sheet's loss: "
                       f"{m.message}"), m.diagnoses + ("loss-differs",)
    return True, f"`{path}` agrees with finite differences (relative error {error:.1g}) and the reference", ()


def _known(aligned: np.ndarray, name: str | None, check: GradientCheck, ctx: Context):
    """The known mistake whose gradient the student's matches, if the task has one that fits."""
    if name is None:
        return None
    expected = np.asarray(ctx.key[name], dtype=np.float64)
    candidate = align(aligned, expected)
    if candidate is None:
        return None
    rtol, atol = check.tolerances(ctx.defaults.value_rtol, ctx.defaults.value_atol)
    return known_mistake(candidate, expected, ctx.alternatives(name), max(rtol, 1e-6), max(atol, 1e-8))


def judge(check: GradientCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    results = [_one(path, param, check, ctx) for path, param in check.gradients.items()]
    good = sum(ok for ok, _, _ in results)
    problems = [text for ok, text, _ in results if not ok]
    diagnoses = tuple(dict.fromkeys(d for ok, _, ds in results if not ok for d in ds))
    if not problems:
        return Outcome.passed(f"all {good} gradients agree", "; ".join(t for _, t, _ in results))
    return Outcome(good / len(results), "failed", "; ".join(problems), "; ".join(t for _, t, _ in results), diagnoses)
