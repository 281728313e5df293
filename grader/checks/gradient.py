"""gradient: the student's backward pass vs the reference, and vs central differences of the student's own loss.

The reference decides; the finite differences tell where a mistake lies.
Agreeing with the reference but not with the finite differences means the
student's loss is wrong, not the backward pass (the loss is charged where it is
checked); agreeing with the finite differences but not with the reference means
the backward pass is consistent with a loss that differs from the sheet's (a
mean instead of a sum, a missing 1/2).
"""
from __future__ import annotations

import numpy as np

from grader import diagnose
from grader.checks import Context, Outcome
from grader.checks.compare import align, as_numbers, match
from grader.checks.job import failure
from grader.rubric import GradientCheck


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(a - b)) / scale


def _loss_function(check: GradientCheck) -> str:
    """The student function the finite differences run, as the message names it (`net.loss`, `loss`)."""
    return next((f"`{step.target}`" for step in reversed(check.loss_steps) if getattr(step, "target", None)),
                "your loss")


def _fd_agrees(grad: np.ndarray, fd, ctx: Context, eps: float) -> tuple[bool | None, float]:
    """Whether the gradient is the derivative of the student's own loss: None when that cannot be told (the loss
    could not be perturbed, or it is computed in float32, where central differences are rounding noise)."""
    fd_array = as_numbers(fd)
    if isinstance(fd_array, str) or eps > float(np.finfo(np.float64).eps):
        return None, float("nan")
    aligned = align(grad, fd_array)
    if aligned is None:
        return False, float("inf")
    error = relative_error(aligned, fd_array)
    return bool(np.isfinite(error) and error <= ctx.defaults.gradient_rtol), error


def _one(path: str, param: str, check: GradientCheck, ctx: Context) -> tuple[bool, str, tuple[str, ...]]:
    """The reference decides whether a gradient is right; the student's own loss says where a mistake lies. A
    backward pass that equals the reference passes even when the student's loss is wrong (that is charged where
    the loss is checked), and the message names the loss as the function to mend."""
    raw = ctx.job["observed"].get(path)
    grad = as_numbers(raw)
    if isinstance(grad, str):
        return False, f"`{path}` is {grad}", ()
    fd = (ctx.job.get("fd") or {}).get(param)
    # the differences are noise when the loss or the parameters are float32, whatever the gradient's dtype
    consistent, error = _fd_agrees(grad, fd, ctx, ctx.job.get("fd_precision") or float(np.finfo(float).eps))
    name = check.expect.get(path)
    loss = _loss_function(check)
    if name is None:
        return _against_own_loss(path, param, grad, fd, consistent, error, loss)
    rtol, atol = check.tolerances(ctx.defaults.value_rtol, ctx.defaults.value_atol)
    m = match(raw, ctx.key[name], max(rtol, 1e-6), max(atol, 1e-8), reveal=ctx.reveal, what=f"`{path}`",
              alternatives=ctx.alternatives(name), batch=ctx.batch)
    if m.ok and consistent is False:
        return True, (f"`{path}` agrees with the reference, but not with central differences of {loss} "
                      f"(relative error {error:.2g}): {loss} is where the mistake is, not the backward pass"), ()
    if m.ok:
        return True, f"`{path}` agrees with the reference" + (
            f" and with finite differences (relative error {error:.1g})" if consistent else ""), ()
    if consistent:
        return False, (f"`{path}` is the true gradient of your own loss, {loss}, but not of the sheet's loss: "
                       f"{m.message}"), m.diagnoses + ("loss-differs",)
    if consistent is False:
        return False, (f"`{path}` disagrees with the reference and with central differences of {loss} with respect "
                       f"to `{param}`: {m.message}"), m.diagnoses
    return False, m.message, m.diagnoses


def _against_own_loss(path: str, param: str, grad: np.ndarray, fd, consistent: bool | None, error: float,
                      loss: str) -> tuple[bool, str, tuple[str, ...]]:
    """No reference gradient: the finite differences of the student's own loss are all there is."""
    if consistent:
        return True, f"`{path}` agrees with finite differences (relative error {error:.1g})", ()
    fd_array = as_numbers(fd)
    if isinstance(fd_array, str):
        return False, f"`{param}` could not be perturbed: {fd_array}", ()
    if consistent is None:
        return False, f"`{path}` cannot be checked: {loss} is computed in reduced precision", ()
    aligned = align(grad, fd_array)
    if aligned is None:
        return False, f"`{path}` has shape {grad.shape}, but `{param}` has shape {fd_array.shape}", ()
    text = (f"`{path}` disagrees with central differences of {loss} with respect to `{param}` "
            f"(relative error {error:.2g})")
    found = diagnose.numbers(aligned, fd_array, 1e-3, 1e-8)
    return False, text + "".join(f"; {d.message}" for d in found), tuple(d.id for d in found)


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
