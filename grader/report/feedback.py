"""One Markdown feedback file per submission, written for the students of the group."""
from __future__ import annotations

from pathlib import Path

from grader.report.files import late_line, points, write_atomic
from grader.report.models import RunReport, SubmissionReport

MARK = {"passed": "✅", "partial": "🟡", "failed": "❌", "error": "⛔", "timeout": "⏱", "not-attempted": "➖",
        "pending-manual": "📝"}



def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: SubmissionReport) -> str:
    lines = [f"# Feedback: {report.sheet}, {report.name}", ""]
    if report.members:
        lines += ["Members: " + ", ".join(f"{m.name} ({m.id})" for m in report.members), ""]
    pending = sum(t.pending_points for t in report.tasks)
    after = " after the late deduction" if report.late else ""
    lines += [f"**Automatic points{after}: {points(report.points)} of {points(report.max_points)}**"
              + (f" ({points(pending)} points are graded by a tutor and not yet included)" if pending else ""), ""]
    if report.late:
        lines += [f"Late: {late_line(report)}", ""]
    if report.flags:
        lines += ["Notes:", *[f"- {flag}" for flag in report.flags], ""]
    lines += ["| task | points | status | feedback |", "|---|---:|---|---|"]
    for t in report.tasks:
        lines.append(f"| {t.id} {_cell(t.title)} | {points(t.points)}/{points(t.max_points)} | "
                     f"{MARK.get(t.status, '')} {t.status} | {_cell(t.message)} |")
    if report.notes:
        lines += ["", "## Top-level statements that failed (the rest of the file was still graded)", ""]
        lines += [f"- `{n.file}` line {n.line}: {n.message}" for n in report.notes]
    lines.append("")
    return "\n".join(lines)


def write(run: RunReport, folder: Path) -> list[Path]:
    written = []
    for report in run.submissions:
        path = folder / report.sheet / f"{report.name}.md"
        write_atomic(path, render(report))
        written.append(path)
    return written
