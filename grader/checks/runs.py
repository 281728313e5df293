"""runs: the notebook runs top to bottom, every code cell finishing without an exception or a time-out."""
from __future__ import annotations

from grader.checks import Context, Outcome, unusable
from grader.rubric import RunsCheck


def judge(check: RunsCheck, ctx: Context) -> Outcome:
    run = ctx.notebook
    missing = unusable(run, check.file)
    if missing:
        return missing
    if run.notebook is None:  # the work came as a .py script: its top-level statements are its cells
        failed = (run.load or {}).get("log", [])
        if not failed:
            return Outcome.passed(f"{run.name} runs top to bottom")
        first = failed[0]
        message = (f"{run.name} does not run top to bottom: line {first['line']}: {first['error']}"
                   + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""))
        # the template's `raise NotImplementedError` still there: not attempted, as the outcome words say
        unfinished = all((f.get("error") or "").startswith("NotImplementedError") for f in failed)
        return Outcome(0.0, "not-attempted", message) if unfinished else Outcome.failed(message)
    code = run.notebook.code_cells
    if not any(c.source.strip() for c in code):
        return Outcome(0.0, "not-attempted", f"{run.name} has no code")
    problems = [(c.index, p) for c, p in ((c, run.failure(c.index, ctx.killed)) for c in code) if p]
    skipped = [command for record in run.cells.values() for command in record.get("skipped", [])]
    note = f" (not run by the grader: {', '.join(skipped[:3])})" if skipped else ""
    if not problems:
        return Outcome.passed(f"all {len(code)} code cells ran top to bottom{note}")
    first, why = problems[0]
    status = run.cells.get(first, {}).get("status")
    timed_out = status in ("timeout", "skipped") or (status is None and ctx.timed_out)
    message = (f"the notebook does not run top to bottom: {why}"
               + (f"; {len(problems) - 1} more cell(s) failed" if len(problems) > 1 else "") + note)
    unfinished = all(run.cell_status(index) == "not-attempted" for index, _ in problems)
    status = "timeout" if timed_out else "not-attempted" if unfinished else "failed"
    return Outcome(0.0, status, message, "; ".join(p for _, p in problems[:10]))
