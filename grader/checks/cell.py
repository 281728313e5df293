"""cell: a number a named notebook cell reports (a variable after the cell, or its output) vs a key or bounds."""
from __future__ import annotations

import re
from typing import Any

from grader.checks import Context, Outcome, unusable
from grader.checks.compare import as_numbers, match
from grader.rubric import CellCheck
from grader.sandbox import Absent

NUMBER_RE = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?%?")
# Numbers that count rather than measure: "after 100 epochs", "epoch 100/100", "step 3".
COUNTING = r"(?:epochs?|iterations?|iters?|its|steps?|batch(?:es)?|samples?|updates?|rounds?)"
COUNTED_BEFORE = re.compile(COUNTING + r"\W{0,3}$", re.IGNORECASE)
COUNTED_AFTER = re.compile(r"^(?:\s*/\s*\d+)?\s*" + COUNTING + r"\b", re.IGNORECASE)


def _number(token: str) -> float:
    return float(token[:-1]) / 100.0 if token.endswith("%") else float(token)


SEGMENT_END = re.compile(r",|;|\||\t| - | — ")  # where the part of a line that a label introduces ends
# The label's own number: 'loss: 0.22 for learning rate 0.05', 'loss (after 100 epochs) = 0.22', 'loss is 0.22'.
# after the label's own number, what says the next number is another quantity ('for learning rate 0.05')
ANOTHER = re.compile(r"\s*(?:$|\(|for\b|with\b|at\b|using\b|after\b|in\b|on\b|lr\b|eta\b|learning\b)",
                     re.IGNORECASE)
RIGHT_AFTER = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])?\s*(?:[:=]|\bis\b|\bwas\b|\bof\b)?\s*(?=[-+.\d])")


def _bracketed(text: str, position: int) -> bool:
    """A number inside brackets or parentheses (`loss[-1]`, `loss(100)`, `(after 100 epochs)`) qualifies
    the label; it is not the value."""
    depth = 0
    for char in text[:position]:
        depth += 1 if char in "([" else -1 if char in ")]" and depth > 0 else 0
    return depth > 0


def last_number(text: str, labels: list[str] = ()) -> float | None:
    """The number printed text reports ('accuracy: 93.5%' -> 0.935), parsed, never evaluated: the number right
    after a label ('loss: 0.22 for learning rate 0.05' -> 0.22), else the last number of the part of a line a
    label introduces ('loss went from 0.78 to 0.22' -> 0.22), else the last number of the text; never one in
    brackets after the label, and never a count of epochs or steps."""
    lines = (text or "").splitlines()
    counts = lambda line, n: n.group().lstrip("+-").isdigit() and (  # counts are whole numbers
        COUNTED_BEFORE.search(line[:n.start()]) or COUNTED_AFTER.match(line[n.end():]))
    for line in reversed(lines):
        for label in labels:
            for found in reversed(list(re.finditer(rf"\b{re.escape(label)}\b", line, re.IGNORECASE))):
                end = SEGMENT_END.search(line, found.end())
                segment = line[found.end():end.start() if end else len(line)]
                numbers = [n for n in NUMBER_RE.finditer(segment)
                           if not _bracketed(segment, n.start()) and not counts(segment, n)]
                own = RIGHT_AFTER.match(segment)
                if numbers and own and numbers[0].start() == own.end() and ANOTHER.match(segment[numbers[0].end():]):
                    return _number(numbers[0].group())
                if numbers:
                    return _number(numbers[-1].group())
    for line in reversed(lines):
        for number in reversed(list(NUMBER_RE.finditer(line))):
            if not counts(line, number):
                return _number(number.group())
    return None


def reported(record: dict[str, Any], variable: str | None, labels: list[str] = ()) -> tuple[Any, str]:
    """The value a cell reports and how the message names it."""
    if variable is not None:
        return record.get("watch", {}).get(variable, Absent(f"`{variable}` was not read")), f"`{variable}` after"
    if record.get("result") is not None and not isinstance(as_numbers(record["result"]), str):
        return record["result"], "the result of"
    for text in [record.get("stdout", ""), *reversed(record.get("displayed", []))]:
        number = last_number(text, labels)
        if number is not None:
            return number, "printed by"
    return None, "the output of"


def labels(check: CellCheck) -> list[str]:
    words = check.what.split()
    return check.label or words[-1:]


def judge(check: CellCheck, ctx: Context) -> Outcome:
    run = ctx.notebook
    missing = unusable(run, check.file, f"{check.what} is read from the notebook cell {check.cell!r}")
    if missing:
        return missing
    cell, unreadable = run.named_cell(check.cell, check.what, ctx.killed)
    if unreadable:
        return unreadable
    value, named = reported(run.cells[cell.index], check.variable, labels(check))
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
