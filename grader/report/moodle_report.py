"""Gradebooks for Moodle, one per sheet (named after it when a run covers several).

Students named `Name_idnumber`: a CSV for the gradebook's grade import, identified by the id number (the tutor
maps the `ID number` column to the user field "ID number"), one grade column per sheet. Graded from a Moodle
"download all": the assignment's grading worksheet (`Identifier` "Participant N", `Grade`), which the assignment's
"Upload grading worksheet" takes back; it has no feedback column, so uploading it leaves the tutors' comments
alone. A run with both kinds writes both files, the worksheet beside the gradebook (`-worksheet`).

Group members each get the group's grade. A student in two submissions gets one row, the higher grade, and the
gradebook's note names the other. Members without an id number, and Moodle 4.1 group entries (whose number is the
group's, no student's), cannot be matched and are left out; the terminal's flags name them.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport, SubmissionReport
from grader.text import inert


def _rows(reports: list[SubmissionReport], kind: str) -> dict[str, list]:
    """Identifier -> [identifier, full name, grade, submission, note] for the members of one kind."""
    rows: dict[str, list] = {}
    for report in reports:
        for member in report.members:
            if not member.id or member.kind != kind:
                continue
            key = f"Participant {member.id}" if kind == "participant" else member.id
            row = [inert(key), inert(member.name), f"{report.points:g}", report.name, ""]
            if key in rows:
                kept, other = (rows[key], row) if float(rows[key][2]) >= report.points else (row, rows[key])
                kept[4] = f"also in {other[3]}" + (f"; {kept[4]}" if kept[4] else "")
                rows[key] = kept
            else:
                rows[key] = row
    return rows


def render(run: RunReport, sheet: str, kind: str = "id number") -> str:
    """The gradebook (`kind` "id number") or the grading worksheet ("participant") of one sheet."""
    reports = [r for r in run.submissions if r.sheet == sheet]
    rows = _rows(reports, kind)
    out = io.StringIO()
    writer = csv.writer(out)
    if kind == "participant":
        most = max((r.max_points for r in reports), default=0.0)
        writer.writerow(["Identifier", "Full name", "Grade", "Maximum Grade"])
        writer.writerows([r[0], r[1], r[2], f"{most:g}"] for r in sorted(rows.values(), key=lambda r: int(r[0].split()[-1])))
    else:
        writer.writerow(["ID number", "Full name", sheet, "nngrade submission", "nngrade note"])
        writer.writerows(sorted(rows.values(), key=lambda r: r[0]))
    return out.getvalue()


def kinds(run: RunReport, sheet: str) -> list[str]:
    found = {m.kind for r in run.submissions if r.sheet == sheet for m in r.members if m.id}
    return [k for k in ("id number", "participant") if k in found] or ["id number"]


def write(run: RunReport, path: Path) -> list[Path]:
    sheets = list(dict.fromkeys(r.sheet for r in run.submissions))
    written = []
    for sheet in sheets:
        target = path if len(sheets) == 1 else path.with_name(f"{path.stem}-{sheet}{path.suffix}")
        found = kinds(run, sheet)
        for kind in found:
            file = target if kind == found[0] else target.with_name(f"{target.stem}-worksheet{target.suffix}")
            write_atomic(file, render(run, sheet, kind))
            written.append(file)
    return written
