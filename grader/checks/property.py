"""property: identities and bounds on the student's own functions, judged on the arrays they returned.

A property is fair before it is strict: float32 work is held to float32's rounding (the tolerance grows with the
precision the student computed in and the size of the inputs), and a deviation is reported as it is. It is also
not fooled: each function must keep its input's shape and respond to its input as the true function does, so
a constant, a uniform softmax or a sigmoid that returns 0.5 earns nothing from an identity it satisfies trivially.
"""
from __future__ import annotations

import numpy as np

from grader import diagnose, mutants
from grader.checks import Context, Outcome
from grader.checks.compare import as_numbers, named, precision, said
from grader.checks.job import failure
from grader.rubric import PropertyCheck
from reference.properties import Property, unresponsive, violation

MUTANT_RTOL = 1e-6  # a slip fits the student's function within this and the property's tolerance
ROUNDING_STEPS = 16  # rounding steps of the student's precision a property may be off by, per unit of input


def judge(check: PropertyCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    prop = ctx.reference.PROPERTIES[check.property]
    x = ctx.property_input
    calls = prop.calls(x)
    outputs, eps = [], 0.0
    for i, (name, arg) in enumerate(calls):
        raw = ctx.job["observed"].get(f"out{i}")
        value = as_numbers(raw)
        if isinstance(value, str):
            return Outcome.failed(f"{name}(x) returned {value}, so '{prop.statement}' cannot be checked")
        if value.shape != np.shape(arg):
            return Outcome.failed(f"{name}(x) returned shape {value.shape} for an input of shape {np.shape(arg)}: "
                                  f"{name} works entry by entry (or row by row) and keeps its input's shape")
        outputs.append(value)
        eps = max(eps, precision(raw))
    tol = tolerance(prop, calls, eps)
    worst = violation(prop, x, outputs)
    if worst <= tol:
        trivial = unresponsive(prop, x, outputs)
        if trivial and "the same value" in trivial:
            return Outcome.failed(f"'{prop.statement}' holds, but {trivial}: a function that ignores its input "
                                  "satisfies it trivially", diagnoses=("unresponsive",))
        slip = _mutant(prop, calls, outputs, tol, ctx.reveal) if trivial else None
        if trivial and slip:
            return Outcome.failed(f"'{prop.statement}' holds, but {trivial}: {slip[1]}", diagnoses=(slip[0],))
        if trivial:  # a real function, just not this one, and no slip we know: no guess at why
            return Outcome.failed(f"'{prop.statement}' holds, but {trivial}, so it does not show the property "
                                  "of the function the task asks for")
        return Outcome.passed(f"'{prop.statement}' holds on {x.size} inputs"
                              + (f" (to float{8 * _bytes(eps)} precision)" if tol > prop.tol else ""))
    slip = _slip(prop, x, outputs) or _mutant(prop, calls, outputs, tol, ctx.reveal)
    if not np.isfinite(worst):
        text = f"'{prop.statement}' fails: nan or inf for some inputs"
        if slip:
            return Outcome.failed(f"{text}: {slip[1]}", diagnoses=(slip[0],))
        return Outcome.failed(f"{text} (overflow?)", diagnoses=("not-finite",))
    text = (f"'{prop.statement}' fails: violated by {worst:.3g} on the test inputs "
            f"(tolerance {tol:.2g}; inputs include {', '.join(f'{e:g}' for e in prop.edge_inputs)})")
    return Outcome.failed(f"{text}: {slip[1]}" if slip else text, diagnoses=(slip[0],) if slip else ())


def tolerance(prop: Property, calls, eps: float) -> float:
    """The property's tolerance, or the rounding of the student's precision where that is coarser: float32
    rounds y + 1000 to steps of 6e-5, so softmax(y + 1000) cannot equal softmax(y) more closely than that."""
    if eps <= float(np.finfo(np.float64).eps):
        return prop.tol
    size = max((float(np.max(np.abs(arg), initial=0.0)) for _, arg in calls), default=0.0)
    return max(prop.tol, ROUNDING_STEPS * eps * (1.0 + size))


def _bytes(eps: float) -> int:
    return next((np.dtype(t).itemsize for t in (np.float16, np.float32) if eps >= np.finfo(t).eps), 8)


def _slip(prop, x: np.ndarray, outputs: list[np.ndarray]) -> tuple[str, str] | None:
    """The property's own diagnosis of a violation; a broken one never costs the student the check."""
    if prop.diagnose is None:
        return None
    try:
        with np.errstate(all="ignore"):
            return prop.diagnose(x, outputs)
    except Exception:
        return None


def _mutant(prop: Property, calls, outputs: list[np.ndarray], tol: float, reveal: bool = True
            ) -> tuple[str, str] | None:
    """The error model's slip of the first called function whose outputs are wrong and that one slip of the
    reference function explains at every input (the minus lost in sigma(-x), tanh' of the output)."""
    for (name, arg), out in zip(calls, outputs):
        fn = prop.reference.get(name)
        if fn is None:
            continue
        with np.errstate(all="ignore"):
            truth = np.asarray(fn(arg), dtype=np.float64)
        if truth.shape != out.shape or diagnose.close(out, truth, MUTANT_RTOL, tol):
            continue
        fitting = [a for a in mutants.of_call(fn, arg) if diagnose.close(out, a.value, MUTANT_RTOL, tol)]
        if fitting:
            slip = named(fitting)
            return slip.id, f"{name}: {said(slip, reveal)}"
    return None
