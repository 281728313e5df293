"""cell: a number a named notebook cell reports (a variable after the cell, or its output) vs a key or bounds."""
from __future__ import annotations

import re
from typing import Any

from grader.checks import Context, Outcome, unusable
from grader.checks.compare import as_numbers, match
from grader.rubric import CellCheck
from grader.sandbox import Absent

NUMBER_RE = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?%?")


def last_number(text: str) -> float | None:
    """The last number in printed text ('accuracy: 93.5%' -> 0.935), parsed, never evaluated."""
    found = NUMBER_RE.findall(text or "")
    if not found:
        return None
    token = found[-1]
    return float(token[:-1]) / 100.0 if token.endswith("%") else float(token)


def reported(record: dict[str, Any], variable: str | None) -> tuple[Any, str]:
    """The value a cell reports and how the message names it."""
    if variable is not None:
        return record.get("watch", {}).get(variable, Absent(f"`{variable}` was not read")), f"`{variable}` after"
    if record.get("result") is not None and not isinstance(as_numbers(record["result"]), str):
        return record["result"], "the result of"
    for text in [record.get("stdout", ""), *reversed(record.get("displayed", []))]:
        number = last_number(text)
        if number is not None:
            return number, "printed by"
    return None, "the output of"


def judge(check: CellCheck, ctx: Context) -> Outcome:
    run = ctx.notebook
    missing = unusable(run, check.file, f"{check.what} is read from the notebook cell {check.cell!r}")
    if missing:
        return missing
    cell, unreadable = run.named_cell(check.cell, check.what, ctx.killed)
    if unreadable:
        return unreadable
    value, named = reported(run.cells[cell.index], check.variable)
    where = run.describe(cell.index)
    if value is None:
        return Outcome.failed(f"{where} reports no number for {check.what}: end the cell with it or print it")
    if check.expect is not None:
        rtol, atol = check.tolerances(ctx.defaults.value_rtol, ctx.defaults.value_atol)
        m = match(value, ctx.key[check.expect], rtol, atol, reveal=ctx.reveal, what=f"{check.what} ({named} {where})",
                  alternatives=ctx.alternatives(check.expect))
        return Outcome.passed(m.message) if m.ok else Outcome.failed(m.message, diagnoses=m.diagnoses)
    number = as_numbers(value)
    if isinstance(number, str) or number.size != 1:
        return Outcome.failed(f"{check.what} ({named} {where}) is "
                              f"{number if isinstance(number, str) else f'an array of shape {number.shape}'}; "
                              "expected one number")
    x = float(number.reshape(-1)[0])
    if check.minimum is not None and not x >= check.minimum:
        return Outcome.failed(f"{check.what} is {x:.4g} ({named} {where}); at least {check.minimum:g} is required")
    if check.maximum is not None and not x <= check.maximum:
        return Outcome.failed(f"{check.what} is {x:.4g} ({named} {where}); at most {check.maximum:g} is required")
    return Outcome.passed(f"{check.what} is {x:.4g} ({named} {where})")
