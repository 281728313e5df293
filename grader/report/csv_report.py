"""The gradebook: one row per student; group members each get the group's score."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport
from grader.report.table import exercises
from grader.text import inert

FIXED = ["sheet", "submission", "name", "id"]


def render(run: RunReport) -> str:
    sheets = list(dict.fromkeys(r.sheet for r in run.submissions))
    several = len(sheets) > 1
    columns: list[tuple[str, str]] = []  # (sheet, exercise)
    for sheet in sheets:
        columns += [(sheet, ex) for ex in exercises([r for r in run.submissions if r.sheet == sheet])]
    header = FIXED + [f"{s}:Ex {ex}" if several else f"Ex {ex}" for s, ex in columns] + \
        ["total", "max_points", "percent", "pending_manual", "submitted_at", "late_hours", "late_deduction", "flags",
         "diagnoses"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in run.submissions:
        per = r.exercise_points()
        cells = [f"{per[ex][0]:g}" if s == r.sheet and ex in per else "" for s, ex in columns]
        tail = [f"{r.points:g}", f"{r.max_points:g}", f"{r.percent:.1f}",
                f"{sum(t.pending_points for t in r.tasks):g}", r.submitted_at,
                f"{r.late.hours:g}" if r.late else "", f"{r.late.deduction:g}" if r.late else "",
                inert("; ".join(r.flags)),
                inert("; ".join(f"{t.id} {d}" for t in r.tasks for d in t.diagnoses))]
        for member in r.members or [None]:
            writer.writerow([r.sheet, inert(r.name), inert(member.name) if member else "",
                             member.id if member else ""] + cells + tail)
    return out.getvalue()


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
