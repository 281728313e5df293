"""training: a short run of the student's own training loop lowers the loss and reaches an accuracy."""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks import Context, Outcome
from grader.checks.compare import as_numbers
from grader.checks.job import failure
from grader.rubric import TrainingCheck


def accuracy(predictions: np.ndarray, targets: np.ndarray) -> float | None:
    """Binary outputs are thresholded at 0.5; one-hot targets compare by argmax over the class axis."""
    targets = np.asarray(targets, dtype=np.float64)
    if predictions.size != targets.size:
        return None
    predictions = predictions.reshape(targets.shape)
    if sum(d > 1 for d in targets.shape) <= 1:
        return float(np.mean((predictions > 0.5) == (targets > 0.5)))
    axis = 0 if np.allclose(targets.sum(axis=0), 1.0) else 1
    return float(np.mean(predictions.argmax(axis=axis) == targets.argmax(axis=axis)))


def judge(check: TrainingCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        if failed.status == "timeout":
            return Outcome(0.0, "timeout", f"training did not finish within {check.time_budget:g} s", failed.detail)
        return failed
    first = _run(check, *_with_losses(check, check.losses, ctx.job["observed"]), ctx, check.losses, check.predictions)
    if first.status != "passed" and check.retry is not None and ctx.retry and ctx.retry.get("status") == "ok":
        second = _run(check, *_with_losses(check, check.retry.losses, ctx.retry["observed"]), ctx,
                      check.retry.losses, check.retry.predictions)
        if second.status == "passed":
            first = Outcome.passed(f"{second.message} ({check.retry.because})")
    if check.data is None:
        return first
    on = f" (trained on {ctx.key[check.data]})"  # which data: the course's own or the bundled stand-in
    return Outcome(first.score, first.status, first.message + on, (first.detail or first.message) + on, first.diagnoses)


def _loss_value(raw: Any) -> float | None:
    """One number from what a student's loss returns: a number, (value, gradient), or one loss per sample
    (summed: the total is what falls)."""
    if isinstance(raw, (list, tuple)) and len(raw) == 2 and np.ndim(raw[0]) == 0 and np.ndim(raw[1]) > 0:
        raw = raw[0]
    value = as_numbers(raw)
    if isinstance(value, str) or value.size == 0 or not np.all(np.isfinite(value)):
        return None
    return float(value.sum())


def _with_losses(check: TrainingCheck, losses_path: str, observed: dict) -> tuple[dict, bool]:
    """The observed values, with the loss before and after training standing in for the list of losses where
    train returned none (the sheet does not ask it to) and the student's own loss could be read; and whether
    they stand in."""
    if not check.losses_else or observed.get(losses_path) is not None:
        return observed, False
    values = [_loss_value(observed.get(path)) for path in check.losses_else]
    if any(v is None for v in values):
        return observed, False
    return {**observed, losses_path: values}, True


def _run(check: TrainingCheck, observed: dict, before_after: bool, ctx: Context, losses_path: str,
         predictions_path: str | None) -> Outcome:
    """One training run's losses and predictions, as observed (`before_after`: the student's loss before and
    after training stands in for the losses train did not return)."""
    losses = as_numbers(observed.get(losses_path))
    if isinstance(losses, str):
        return Outcome.failed(f"`{losses_path}` (the losses) is {losses}; train should return the list of losses")
    losses = losses.reshape(-1)
    if losses.size < 2:
        return Outcome.failed(f"`{losses_path}` holds {losses.size} loss value(s); expected one per iteration")
    if not np.all(np.isfinite(losses)):
        return Outcome.failed("the loss became nan or inf during training (a too large step, or overflow)",
                              diagnoses=("not-finite",))
    slip = _stalled(losses)
    if slip and slip[0] == "negative-loss":  # it cannot show a decrease: -1.0 to -0.8 would be one of 20 %
        return Outcome.failed(f"the loss is negative: first {losses[0]:.4g}, last {losses[-1]:.4g}; {slip[1]}",
                              diagnoses=(slip[0],))
    if not losses[-1] < losses[0] * (1.0 - check.min_decrease):
        needed = f" by {check.min_decrease:.0%} at least" if check.min_decrease else ""
        text = f"the loss did not decrease{needed}: first {losses[0]:.4g}, last {losses[-1]:.4g}"
        return Outcome.failed(f"{text}; {slip[1]}" if slip else text, diagnoses=(slip[0],) if slip else ())
    summary = (f"your loss fell from {losses[0]:.4g} before training to {losses[-1]:.4g} after it (train returned "
               "no losses)" if before_after else
               f"loss fell from {losses[0]:.4g} to {losses[-1]:.4g} in {losses.size} steps")
    if predictions_path is None:
        return Outcome.passed(summary)
    predictions = as_numbers(observed.get(predictions_path))
    if isinstance(predictions, str):
        return Outcome.failed(f"{summary}, but the predictions are {predictions}", score=0.5)
    acc = accuracy(predictions, ctx.key[check.targets])
    goal = float(ctx.key[check.min_accuracy])
    if acc is None:
        return Outcome.failed(f"{summary}, but the predictions have shape {predictions.shape}, "
                              f"expected {np.shape(ctx.key[check.targets])}", score=0.5)
    if acc < goal:
        return Outcome.failed(f"{summary}; accuracy {acc:.1%} is below the required {goal:.0%}", score=0.5)
    return Outcome.passed(f"{summary}; accuracy {acc:.1%} (required {goal:.0%})")


RISING = 0.9  # the share of steps that raise the loss before the run is called a climb
CLIMB = 1.5  # or how many times higher than it started the loss ends, rising from the first step
HARDLY = 0.01  # epoch means of a model that is never updated wander by less than this around their start
PLATEAU = 1.1  # one that ends this much higher, never below its start, climbed within the first epoch


def _stalled(losses: np.ndarray) -> tuple[str, str] | None:
    """What a loss curve that does not fall shows by its shape: one that never moves was never updated, one
    that rises at nearly every step climbs the gradient. Anything else (too small a step, noise) is not named."""
    scale = max(1.0, float(np.max(np.abs(losses))))
    steps = np.diff(losses)
    if np.min(losses) < -1e-9 * scale:  # before the update's sign: a loss that is negative is wrong itself
        return "negative-loss", ("the loss is below 0, which a cross-entropy or a squared error never is: a sign is "
                                 "missing in the loss function itself (the update may be right)")
    if np.all(np.abs(steps) <= 1e-12 * scale):
        return "drop-step", ("the loss never changes, so the parameters are never updated: is the update's "
                             "result assigned back to them?")
    if np.all(np.abs(losses - losses[0]) <= HARDLY * abs(losses[0])):  # epoch means of shuffled batches wander
        return "drop-step", (f"the loss stays within {HARDLY:.0%} of where it started, so the parameters are hardly "
                             "or never updated: is the update's result assigned back to them (or is the step far "
                             "too small)?")
    if losses[0] > 0 and losses[-1] > PLATEAU * losses[0] and np.min(losses) >= (1 - HARDLY) * losses[0]:
        return "update-sign", ("the loss ends higher than it started and never falls below its start: the update "
                               "adds the gradient (gradient descent subtracts it), or the step is far too large")
    if losses[-1] > losses[0] and np.mean(steps > 0) >= RISING:
        return "update-sign", ("the loss rises at nearly every step: the update adds the gradient, gradient "
                               "descent subtracts it")
    if losses[-1] >= CLIMB * losses[0] > 0 and steps[0] > 0:  # ascent that saturates (sigmoid outputs at 0 or 1)
        return "update-sign", (f"the loss rises from the first step on and ends {losses[-1] / losses[0]:.1f} times "
                               "higher: the update adds the gradient (gradient descent subtracts it), or the "
                               "step is far too large")
    return None
