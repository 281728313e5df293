"""A gradebook for Moodle's grade import (CSV): one row per student, identified by the id number in the
submission's name (the tutor maps the `ID number` column to the user field "ID number" when importing), one
grade column per sheet; group members each get the group's grade. One file per sheet, named after it when a run
covers several. A student in two submissions of a sheet gets one row, the higher grade, and a note naming the
other; members without an id number cannot be matched by Moodle and are left out (the terminal's flags name
the names that break the convention).

Graded from a Moodle "download all", members are the assignment's participants: the file is then the
assignment's grading worksheet (`Identifier` "Participant N", `Grade`), which Moodle's "Upload grading worksheet"
takes back."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport
from grader.text import inert


def render(run: RunReport, sheet: str) -> str:
    reports = [r for r in run.submissions if r.sheet == sheet]
    worksheet = any(m.kind == "participant" for r in reports for m in r.members)
    rows: dict[str, list] = {}
    for report in reports:
        for member in report.members:
            if not member.id or (member.kind == "participant") != worksheet:
                continue
            key = f"Participant {member.id}" if worksheet else member.id
            row = [inert(key), inert(member.name), f"{report.points:g}", report.name, ""]
            if key in rows:
                kept, other = (rows[key], row) if float(rows[key][2]) >= report.points else (row, rows[key])
                kept[4] = f"also in {other[3]}" + (f"; {kept[4]}" if kept[4] else "")
                rows[key] = kept
            else:
                rows[key] = row
    out = io.StringIO()
    writer = csv.writer(out)
    if worksheet:
        most = max((r.max_points for r in reports), default=0.0)
        writer.writerow(["Identifier", "Full name", "Grade", "Maximum Grade", "Feedback comments"])
        writer.writerows([r[0], r[1], r[2], f"{most:g}", "; ".join(x for x in (r[3], r[4]) if x)]
                         for r in sorted(rows.values(), key=lambda r: int(r[0].split()[-1])))
        return out.getvalue()
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
