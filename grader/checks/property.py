"""property: identities and bounds on the student's own functions, judged on the arrays they returned."""
from __future__ import annotations

import numpy as np

import reference
from grader.checks import Context, Outcome
from grader.checks.compare import as_numbers
from grader.checks.job import failure
from grader.rubric import PropertyCheck
from reference.properties import violation


def judge(check: PropertyCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    prop = reference.sheet_module(ctx.sheet).PROPERTIES[check.property]
    x = ctx.property_input
    calls = prop.calls(x)
    outputs = []
    for i, (name, arg) in enumerate(calls):
        value = as_numbers(ctx.job["observed"].get(f"out{i}"))
        if isinstance(value, str):
            return Outcome.failed(f"{name}(x) returned {value}, so '{prop.statement}' cannot be checked")
        if value.size != np.size(arg):
            return Outcome.failed(f"{name}(x) returned {value.size} values for {np.size(arg)} inputs "
                                  f"(shape {value.shape} for input shape {np.shape(arg)})")
        outputs.append(value.reshape(np.shape(arg)))
    worst = violation(prop, x, outputs)
    if worst <= prop.tol:
        return Outcome.passed(f"'{prop.statement}' holds on {x.size} inputs")
    slip = _slip(prop, x, outputs)
    if not np.isfinite(worst):
        text = f"'{prop.statement}' fails: nan or inf for some inputs"
        if slip:
            return Outcome.failed(f"{text}: {slip[1]}", diagnoses=(slip[0],))
        return Outcome.failed(f"{text} (overflow?)", diagnoses=("not-finite",))
    text = (f"'{prop.statement}' fails: violated by {worst:.3g} on the test inputs "
            f"(tolerance {prop.tol:g}; inputs include {', '.join(f'{e:g}' for e in prop.edge_inputs)})")
    return Outcome.failed(f"{text}: {slip[1]}" if slip else text, diagnoses=(slip[0],) if slip else ())


def _slip(prop, x: np.ndarray, outputs: list[np.ndarray]) -> tuple[str, str] | None:
    """The property's own diagnosis of a violation; a broken one never costs the student the check."""
    if prop.diagnose is None:
        return None
    try:
        with np.errstate(all="ignore"):
            return prop.diagnose(x, outputs)
    except Exception:
        return None
