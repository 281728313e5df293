"""The class view of diagnoses: how often each typical mistake came up, per task.

A tutor reads this to decide what to explain again in the next tutorial, so it
is counted per task and lists who made the mistake. The terminal summary prints
it under each sheet's table; `grade --diagnoses FILE` writes it as CSV.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport, SubmissionReport
from grader.text import inert


@dataclass(frozen=True)
class Count:
    sheet: str
    task: str
    diagnosis: str
    submissions: tuple[str, ...]  # the submissions that got it, in report order

    @property
    def count(self) -> int:
        return len(self.submissions)


def counts(reports: list[SubmissionReport]) -> list[Count]:
    """Every (sheet, task, diagnosis) that came up, the most frequent first within a sheet."""
    seen: dict[tuple[str, str, str], list[str]] = {}
    for r in reports:
        for t in r.tasks:
            for d in t.diagnoses:  # the judge lists each diagnosis of a task once
                seen.setdefault((r.sheet, t.id, d), []).append(r.name)
    sheets = list(dict.fromkeys(r.sheet for r in reports))
    found = [Count(sheet, task, d, tuple(names)) for (sheet, task, d), names in seen.items()]
    return sorted(found, key=lambda c: (sheets.index(c.sheet), -c.count, c.task, c.diagnosis))


def render(run: RunReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sheet", "task", "diagnosis", "count", "submissions"])
    for c in counts(run.submissions):
        writer.writerow([c.sheet, c.task, c.diagnosis, c.count, inert("; ".join(c.submissions))])
    return out.getvalue()


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
