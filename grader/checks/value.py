"""value: names the student's code computed (after constructions, assignments and calls) vs the reference."""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.checks.compare import match
from grader.checks.job import failure, nothing_returned
from grader.rubric import ValueCheck
from grader.sandbox import Absent


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
    rtol = check.rtol if check.rtol is not None else ctx.defaults.value_rtol
    atol = check.atol if check.atol is not None else ctx.defaults.value_atol
    good, problems, diagnoses = 0, [], []
    for path, name in check.observe.items():
        m = match(observed.get(path), ctx.key[name], rtol, atol, reveal=ctx.reveal, what=f"`{path}`")
        if m.ok:
            good += 1
        else:
            problems.append(m.message)
            diagnoses.extend(m.diagnoses)
    if not problems:
        return Outcome.passed(f"{good} value{'s' * (good != 1)} correct")
    score = good / len(check.observe)
    return Outcome(score, "failed", "; ".join(problems), "; ".join(problems) + f" (rtol {rtol:g}, atol {atol:g})",
                   tuple(dict.fromkeys(diagnoses)))
