"""What a worker job's own status means for a check, before any value is compared."""
from __future__ import annotations

import re

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
        if _unfinished(ctx):  # the name would come after a template's `raise NotImplementedError`
            return Outcome(0.0, "not-attempted", f"not implemented yet: {error}")
        return Outcome(0.0, "error", f"missing: {error}")
    if job.get("step") is None and not job.get("line"):
        return Outcome(0.0, "error", error)
    for diagnosis, explain in (("broadcast", _unkept_axis), ("swap-arguments", _swapped_product)):
        said = explain(error)
        if said:
            return Outcome(0.0, "error", f"your code raised {error}{where}{line}: {said}", diagnoses=(diagnosis,))
    return Outcome(0.0, "error", f"your code raised {error}{where}{line}")


def _unfinished(ctx: Context) -> bool:
    """Whether the check's file stopped a top-level statement at a `raise NotImplementedError`."""
    load = ctx.notebook.load if ctx.notebook is not None else None
    return any((entry.get("error") or "").startswith("NotImplementedError") for entry in (load or {}).get("log", []))


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes \(([\d, ]*)\) \(([\d, ]*)\)")


def _unkept_axis(error: str) -> str | None:
    """numpy's broadcast error between a matrix and a vector that has one entry per row: the vector is a
    reduction that dropped its axis (keepdims missing) or a bias/column flattened to 1-D."""
    found = _BROADCAST.search(error)
    if not found:
        return None
    a, b = (tuple(int(n) for n in part.replace(" ", "").split(",") if n) for part in found.groups())
    for matrix, vector in ((a, b), (b, a)):
        if len(matrix) == 2 and len(vector) == 1 and vector[0] == matrix[0] != matrix[1]:
            return (f"a vector with one entry per row ({vector[0]},) meets a {matrix[0]} x {matrix[1]} matrix; "
                    f"keep the reduced axis (keepdims=True) or make it a column ({vector[0]}, 1)")
    return None


def nothing_returned(values: list) -> bool:
    """Every observed value is None: a template method with `pass` in it."""
    return bool(values) and all(v is None for v in values)


_NOT_ALIGNED = re.compile(r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned")


def _swapped_product(error: str) -> str | None:
    """np.dot's shape error where the product fits with its factors the other way round (W x for x W)."""
    found = _NOT_ALIGNED.search(error)
    if not found:
        return None
    a, b = (tuple(int(n) for n in part.replace(" ", "").split(",") if n) for part in found.groups())
    if a and b and b[-1] == (a[-2] if len(a) >= 2 else a[0]):
        return f"the product fits the other way round ({b} by {a}): check the order of its factors"
    return None
