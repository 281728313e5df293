"""One HTML feedback page per submission (scripts and answers files too, not only notebooks): every task's
verdict, message and diagnoses, the notes on statements that failed, and the flags. Everything from the report
is escaped; student text is never markup. Messages are the student-facing ones."""
from __future__ import annotations

from html import escape
from pathlib import Path

from grader.report.files import late_line, points, write_atomic
from grader.report.models import RunReport, SubmissionReport

COLOUR = {"passed": "#1a7f37", "partial": "#9a6700", "failed": "#cf222e", "error": "#cf222e", "timeout": "#8250df",
          "not-attempted": "#57606a", "pending-manual": "#0969da", "unavailable": "#57606a"}
STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}"
         "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:.4rem;"
         "text-align:left;vertical-align:top}.status{font-weight:600;white-space:nowrap}code{font-size:.9em}")



def render(report: SubmissionReport) -> str:
    pending = sum(t.pending_points for t in report.tasks)
    rows = "".join(
        f"<tr><td>{escape(t.id)}<br><small>{escape(t.title)}</small></td>"
        f"<td>{points(t.points)}/{points(t.max_points)}</td>"
        f"<td class=\"status\" style=\"color:{COLOUR.get(t.status, '#1f2328')}\">{escape(t.status)}</td>"
        f"<td>{escape(t.message)}"
        # a hidden task's diagnosis names (sign-flip: the answer is the negative) stay with the tutor
        + (f"<br><small>diagnosis: {escape(', '.join(t.diagnoses))}</small>" if t.diagnoses
           and t.visibility == "public" else "") + "</td></tr>"
        for t in report.tasks)
    members = ", ".join(f"{escape(m.name)} ({escape(m.id)})" for m in report.members)
    flags = "".join(f"<li>{escape(flag)}</li>" for flag in report.flags)
    notes = "".join(f"<li><code>{escape(n.file)}</code>" + (f" line {n.line}" if n.line else "")
                    + (f" (cell {n.cell})" if n.cell else "") + f": {escape(n.message)}</li>" for n in report.notes)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Feedback: {escape(report.sheet)}, {escape(report.name)}</title><style>{STYLE}</style></head>"
            f"<body><h1>Feedback: {escape(report.sheet)}, {escape(report.name)}</h1>"
            + (f"<p>Members: {members}</p>" if members else "")
            + f"<p><strong>Automatic points: {points(report.points)} of {points(report.max_points)}</strong>"
            + (f" ({points(pending)} points are graded by a tutor and not yet included)" if pending else "") + "</p>"
            + (f"<p><strong>Late:</strong> {escape(late_line(report))}</p>" if report.late else "")
            + (f"<h2>Notes</h2><ul>{flags}</ul>" if flags else "")
            + "<table><thead><tr><th>task</th><th>points</th><th>status</th><th>feedback</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            + (f"<h2>Top-level statements that failed (the rest was still graded)</h2><ul>{notes}</ul>"
               if notes else "")
            + "</body></html>\n")


def path_for(folder: Path, report: SubmissionReport) -> Path:
    return folder / report.sheet / f"{report.name}.html"


def write(run: RunReport, folder: Path) -> list[Path]:
    written = []
    for report in run.submissions:
        path = path_for(folder, report)
        write_atomic(path, render(report))
        written.append(path)
    return written
