"""A gradebook for Moodle's grade import (CSV): one row per student, identified by the id number in the
submission's name (the tutor maps the `ID number` column to the user field "ID number" when importing), one
grade column per sheet; group members each get the group's grade. One file per sheet, named after it when a run
covers several. A student in two submissions of a sheet gets one row, the higher grade, and a note naming the
other; members without an id number cannot be matched by Moodle and are left out (the terminal's flags name
the names that break the convention)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport
from grader.text import inert


def render(run: RunReport, sheet: str) -> str:
    rows: dict[str, list] = {}
    for report in run.submissions:
        if report.sheet != sheet:
            continue
        for member in report.members:
            if not member.id:
                continue
            row = [inert(member.id), inert(member.name), f"{report.points:g}", report.name, ""]
            if member.id in rows:
                kept, other = (rows[member.id], row) if float(rows[member.id][2]) >= report.points else \
                    (row, rows[member.id])
                kept[4] = f"also in {other[3]}" + (f"; {kept[4]}" if kept[4] else "")
                rows[member.id] = kept
            else:
                rows[member.id] = row
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID number", "Full name", sheet, "nngrade submission", "nngrade note"])
    writer.writerows(sorted(rows.values(), key=lambda r: r[0]))
    return out.getvalue()


def write(run: RunReport, path: Path) -> list[Path]:
    sheets = list(dict.fromkeys(r.sheet for r in run.submissions))
    written = []
    for sheet in sheets:
        target = path if len(sheets) == 1 else path.with_name(f"{path.stem}-{sheet}{path.suffix}")
        write_atomic(target, render(run, sheet))
        written.append(target)
    return written
