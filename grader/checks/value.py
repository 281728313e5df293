"""value: names the student's code computed (after constructions, assignments and calls) vs the reference."""
from __future__ import annotations

from typing import Any

from grader.checks import Context, Outcome
from grader.checks.compare import as_numbers, match, precision
from grader.checks.job import failure, nothing_returned
from grader.rubric import ValueCheck
from grader.sandbox import Absent
from reference.recompute import ChoiceError


def judge(check: ValueCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    observed = ctx.job["observed"]
    if nothing_returned([observed.get(p) for p in check.observe]):
        return Outcome(0.0, "not-attempted", "nothing was returned: is the function still the template's?")
    absent = [observed.get(p) for p in check.observe if isinstance(observed.get(p), Absent)]
    if len(absent) == len(check.observe):
        return Outcome(0.0, "error", "missing: " + "; ".join(dict.fromkeys(a.why for a in absent)))
    rtol, atol = check.tolerances(ctx.defaults.value_rtol, ctx.defaults.value_atol)
    expected, compared = ctx.key, check.observe
    mistakes = {name: ctx.alternatives(name) for name in compared.values()}
    if check.recompute is not None:
        try:
            expected, compared = _recomputed(check, ctx, observed)
        except ChoiceError as exc:
            return Outcome.failed(str(exc))
        spec = ctx.reference.RECOMPUTE[check.recompute]
        try:
            mistakes = spec.mistakes(expected) if spec.mistakes else {}
        except Exception:  # a broken mistake list never costs the student the check
            mistakes = {}
    good, problems, diagnoses = 0, [], []
    job_eps = max((precision(observed.get(path)) for path in check.observe), default=0.0)  # float32 anywhere
    for path, name in compared.items():
        m = match(observed.get(path), expected[name], rtol, atol, reveal=ctx.reveal, what=f"`{path}`",
                  alternatives=mistakes.get(name, ()), batch=ctx.batch, job_eps=job_eps)
        if m.ok:
            good += 1
        else:
            problems.append(m.message)
            diagnoses.extend(m.diagnoses)
    if not problems:
        return Outcome.passed(f"{good} value{'s' * (good != 1)} correct"
                              + (" for your own choices" if check.recompute else ""))
    score = good / len(compared)
    return Outcome(score, "failed", "; ".join(problems), "; ".join(problems) + f" (rtol {rtol:g}, atol {atol:g})",
                   tuple(dict.fromkeys(diagnoses)))


def _recomputed(check: ValueCheck, ctx: Context, observed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Expected values rebuilt from the student's own inputs; only the outputs are compared."""
    spec = ctx.reference.RECOMPUTE[check.recompute]
    own: dict[str, Any] = {}
    for path, name in check.observe.items():
        if name in spec.inputs and isinstance(observed.get(path), dict):  # a parameter tree, checked by the reference
            own[name] = observed[path]
        elif name in spec.inputs:
            value = as_numbers(observed.get(path))
            if isinstance(value, str):
                raise ChoiceError(f"`{path}` is {value}; it is needed to check your own choices")
            own[name] = value
    expected = spec.fn(own, ctx.key)
    return expected, {p: n for p, n in check.observe.items() if n in spec.outputs}
