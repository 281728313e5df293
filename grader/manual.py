"""Points a tutor enters: the manual share of each task, and overrides of automatic points with a reason.

One CSV per sheet, one row per submission: `sheet`, `submission`, `members`, a column per task with a manual share
(headed `<task id> (max N)`, N the share's points), `override` (`6.3.a=0.5; 6.2.d=1`), `reason` and `comment`.
A file is checked whole before anything is merged: a point above its maximum, a task or submission the run
does not know, or a number that is not one is a problem with its line number, and nothing is merged.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from grader import lateness
from grader.errors import UsageError
from grader.report.models import RunReport, SubmissionReport
from grader.rubric import Rubric
from grader.text import inert

HEADER = re.compile(r"^(?P<task>\S+) \(max (?P<max>[0-9.]+)\)$")
FIXED = ["sheet", "submission", "members"]
TAIL = ["override", "reason", "comment"]


def manual_shares(rubric: Rubric) -> dict[str, float]:
    """Task id -> the points of its manual checks (their weight's share of the task)."""
    out = {}
    for task in rubric.tasks:
        total = sum(c.weight for c in task.checks)
        manual = sum(c.weight for c in task.checks if c.kind == "manual")
        if manual:
            out[task.id] = round(task.points * manual / total, 4)
    return out


def template(rubric: Rubric, submissions: list[tuple[str, str]]) -> str:
    """The tutors' sheet: one row per (submission, members), the manual columns empty."""
    shares = manual_shares(rubric)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIXED + [f"{task} (max {points:g})" for task, points in shares.items()] + TAIL)
    for name, members in submissions:
        writer.writerow([rubric.sheet, inert(name), inert(members)] + [""] * (len(shares) + len(TAIL)))
    return out.getvalue()


@dataclass
class Entry:
    line: int
    manual: dict[str, float] = field(default_factory=dict)
    overrides: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    comment: str = ""


def _number(text: str, line: int, what: str, problems: list[str]) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        problems.append(f"line {line}: {what}: {text!r} is not a number")
        return None
    if value < 0:
        problems.append(f"line {line}: {what}: {value:g} is negative")
        return None
    return value


def read(text: str, rubric: Rubric, report: RunReport, file: str = "manual.csv") -> dict[str, Entry]:
    """Submission name -> its entries; raises UsageError naming every problem (with line numbers)."""
    shares = manual_shares(rubric)
    graded = {r.name: r for r in report.submissions if r.sheet == rubric.sheet}
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:2] != ["sheet", "submission"]:
        raise UsageError(f"{file}: not a manual-points file: its first columns must be `sheet` and `submission` "
                         f"(`grade manual SHEET PATHS --template FILE` writes one)")
    problems: list[str] = []
    columns: dict[int, str] = {}
    for index, title in enumerate(rows[0]):
        found = HEADER.match(title.strip())
        if found:
            if found.group("task") not in shares:
                problems.append(f"line 1: column {title!r}: {rubric.sheet} has no manual task {found.group('task')}")
            else:
                columns[index] = found.group("task")
    position = {title: i for i, title in enumerate(rows[0])}
    entries: dict[str, Entry] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = row[1].strip().lstrip("'") if len(row) > 1 else ""
        if row[0].strip() != rubric.sheet:
            problems.append(f"line {line}: sheet {row[0].strip()!r}: this file is for {rubric.sheet} (one sheet "
                            "per file)")
            continue
        if name not in graded:
            problems.append(f"line {line}: no submission {name!r} in this run of {rubric.sheet}")
            continue
        entry = entries.setdefault(name, Entry(line))
        for index, task in columns.items():
            cell = row[index].strip() if index < len(row) else ""
            if cell:
                value = _number(cell, line, task, problems)
                if value is not None and value > shares[task] + 1e-9:
                    problems.append(f"line {line}: {task}: {value:g} is above the manual share's {shares[task]:g}")
                elif value is not None:
                    entry.manual[task] = value
        cell = lambda title: row[position[title]].strip() if title in position and position[title] < len(row) else ""
        entry.reason, entry.comment = cell("reason"), cell("comment")
        for part in filter(None, (p.strip() for p in cell("override").split(";"))):
            task, _, points = part.partition("=")
            task = task.strip()
            report_task = next((t for t in graded[name].tasks if t.id == task), None)
            if report_task is None:
                problems.append(f"line {line}: override {part!r}: {rubric.sheet} has no task {task!r}")
                continue
            value = _number(points.strip(), line, f"override of {task}", problems)
            if value is not None and value > report_task.max_points + 1e-9:
                problems.append(f"line {line}: override of {task}: {value:g} is above its {report_task.max_points:g}")
            elif value is not None:
                entry.overrides[task] = value
        if entry.overrides and not entry.reason:
            problems.append(f"line {line}: an override needs a reason (the `reason` column)")
    if problems:
        more = f" (and {len(problems) - 1} more: {'; '.join(problems[1:4])})" if len(problems) > 1 else ""
        raise UsageError(f"{file}: {problems[0]}{more}; nothing was merged")
    return entries


def merge(report: SubmissionReport, entry: Entry) -> SubmissionReport:
    """The report with the tutor's points in: a manual share replaces what was pending, an override replaces the
    automatic points (its reason in the detail)."""
    tasks = []
    for task in report.tasks:
        update: dict = {}
        if task.id in entry.manual:
            update = {"points": round(task.points + entry.manual[task.id], 4), "pending_points": 0.0,
                      "detail": (task.detail + " | " if task.detail else "") + f"tutor: {entry.manual[task.id]:g}"}
        if task.id in entry.overrides:
            kept = update.get("points", task.points) - task.points  # the tutor's manual share stays
            update["points"] = round(min(task.max_points, entry.overrides[task.id] + kept), 4)
            update["detail"] = update.get("detail", task.detail) + f" | override: {entry.reason}"
        tasks.append(task.model_copy(update=update) if update else task)
    flags = list(report.flags) + ([f"tutor: {entry.comment}"] if entry.comment else [])
    return lateness.settle(report.model_copy(update={"tasks": tasks, "flags": flags}))  # a late deduction follows


def sheet_of(text: str, file: str) -> str:
    """The sheet a manual-points file is for: its first row's."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if len(rows) < 2 or rows[0][:2] != ["sheet", "submission"]:
        raise UsageError(f"{file}: not a manual-points file with entries: its first columns must be `sheet` and "
                         "`submission` (`grade manual SHEET PATHS --template FILE` writes one)")
    return rows[1][0].strip()


def apply(run: RunReport, rubric: Rubric, text: str, file: str) -> RunReport:
    entries = read(text, rubric, run, file)
    merged = [merge(r, entries[r.name]) if r.sheet == rubric.sheet and r.name in entries else r
              for r in run.submissions]
    return run.model_copy(update={"submissions": merged})
