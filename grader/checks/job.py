"""What a worker job's own status means for a check, before any value is compared."""
from __future__ import annotations

from grader.checks import Context, Outcome


def failure(ctx: Context) -> Outcome | None:
    """An Outcome when the job did not run to the end, else None."""
    job = ctx.job
    if job is None:
        why = ctx.killed or "the worker stopped before this check ran"
        status = "timeout" if ctx.timed_out else "error"
        return Outcome(0.0, status, why)
    status = job["status"]
    if status == "ok":
        return None
    where = f" while {job['step']}" if job.get("step") else ""
    line = f" (line {job['line']})" if job.get("line") else ""
    if job.get("cell"):
        line = f" (cell {job['cell']}, line {job['line']})"
    error = job.get("error") or "an error"
    if status == "not-attempted":
        return Outcome(0.0, "not-attempted", f"not implemented yet: {error}{where}")
    if status == "timeout":
        return Outcome(0.0, "timeout", f"your code did not finish{where}: {error}")
    if status == "missing":
        return Outcome(0.0, "error", f"missing: {error}")
    if job.get("step") is None and not job.get("line"):
        return Outcome(0.0, "error", error)
    return Outcome(0.0, "error", f"your code raised {error}{where}{line}")


def nothing_returned(values: list) -> bool:
    """Every observed value is None: a template method with `pass` in it."""
    return bool(values) and all(v is None for v in values)
