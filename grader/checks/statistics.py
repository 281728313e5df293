"""statistics: an initialisation's mean and variance, with tolerances from the sample size.

The bounds are z-scores at the rubric's false-alarm rate (split over the tests
made), using the large-sample normal law of the sample mean and variance; a
correct implementation fails less often than `false_alarm` (default 1e-6).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from grader.checks import Context, Outcome
from grader.checks.compare import as_numbers
from grader.checks.job import failure
from grader.rubric import StatisticsCheck


def z_bound(false_alarm: float, tests: int) -> float:
    return NormalDist().inv_cdf(1.0 - false_alarm / (2 * tests))


def _fan(array: np.ndarray, layout: str) -> tuple[int, int]:
    rows, cols = array.shape
    return (cols, rows) if layout == "out_in" else (rows, cols)


def _glorot(w: np.ndarray, check: StatisticsCheck) -> Outcome:
    if w.ndim != 2 or w.size < 2:
        return Outcome.failed(f"`{check.observe}` has shape {w.shape}; expected a weight matrix")
    d_in, d_out = _fan(w, check.layout)
    n = w.size
    variance = 2.0 / (d_in + d_out)
    sigma = math.sqrt(variance)
    normal = check.distribution == "glorot-normal"
    z = z_bound(check.false_alarm, 3 if normal else 2)
    mean_bound = z * float(w.std()) / math.sqrt(n)  # centred at 0 whatever the spread: the variance is tested next
    var_bound = z * math.sqrt(2.0 / max(n - 1, 1))  # relative; normal kurtosis, wider than the uniform's
    mean = float(w.mean())
    ratio = float(w.var(ddof=1)) / variance
    where = f"d_in {d_in}, d_out {d_out}, {n} weights"
    if abs(mean) > mean_bound:
        text = f"the weights' mean is {mean:.3g}, expected 0 (tolerance {mean_bound:.2g}; {where})"
        if n >= 200 and float(w.min()) >= 0.0:  # np.random.rand where randn belongs: [0, 1) scaled
            if normal:
                return Outcome.failed(f"{text}; no weight is negative: this looks like np.random.rand (uniform on "
                                      "[0, 1)), the sheet draws from a normal distribution around 0 "
                                      "(np.random.randn)", diagnoses=("uniform-not-normal",))
            return Outcome.failed(f"{text}; no weight is negative: draw from -limit to +limit, not from 0",
                                  diagnoses=("one-sided",))
        return Outcome.failed(text)
    if abs(ratio - 1.0) > var_bound:
        text = (f"the weights' standard deviation is {math.sqrt(ratio) * sigma:.4g}, expected "
                f"sqrt(2/(d_in+d_out)) = {sigma:.4g} ({where})")
        diagnoses: tuple[str, ...] = ()
        for name, target, label in (
                ("lecun-variance", 1.0 / d_in, "1/d_in (LeCun initialisation)"),
                ("he-variance", 2.0 / d_in, "2/d_in (He/Kaiming initialisation, meant for ReLU layers)"),
                ("variance-as-std", variance ** 2, "2/(d_in+d_out) passed as the standard deviation"),
                ("uniform-limit-as-std", variance / 3.0, "a uniform distribution on +-sqrt(2/(d_in+d_out)): that is "
                                                         "the normal's standard deviation; Glorot uniform's limit is "
                                                         "sqrt(6/(d_in+d_out))"),
                ("unit-variance", 1.0, "1 (plain standard normal)")):
            if abs(ratio * variance / target - 1.0) <= var_bound:
                text += f"; this matches variance {label}"
                diagnoses = (name,)
                break
        return Outcome.failed(text, diagnoses=diagnoses)
    if normal and n >= 200 and not np.any(np.abs(w) > math.sqrt(3.0) * sigma * 1.0001):
        return Outcome.failed("no weight lies beyond sqrt(3) standard deviations: this looks uniform, "
                              "the sheet asks for a normal distribution", diagnoses=("uniform-not-normal",))
    return Outcome.passed(f"mean {mean:.2g} and standard deviation {math.sqrt(ratio) * sigma:.4g} "
                          f"fit sqrt(2/(d_in+d_out)) = {sigma:.4g} ({where})")


def judge(check: StatisticsCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    w = as_numbers(ctx.job["observed"].get(check.observe))
    if isinstance(w, str):
        return Outcome.failed(f"`{check.observe}` is {w}")
    if not np.all(np.isfinite(w)):
        return Outcome.failed(f"`{check.observe}` contains nan or inf", diagnoses=("not-finite",))
    if check.distribution == "zeros":
        if w.size == 0:
            return Outcome.failed(f"`{check.observe}` is empty; expected one zero per unit")
        if np.all(w == 0):
            return Outcome.passed(f"`{check.observe}` is all zeros")
        return Outcome.failed(f"`{check.observe}` should start as zeros; {int(np.count_nonzero(w))} of {w.size} "
                              "entries are not 0: the biases are initialised like weights or with a constant, "
                              "the sheet starts them at 0", diagnoses=("nonzero-bias",))
    return _glorot(w, check)
