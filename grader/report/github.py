"""GitHub Actions: workflow-command annotations for the tasks that did not pass, and a Markdown summary for the
job's page ($GITHUB_STEP_SUMMARY). Both carry the student-facing messages only."""
from __future__ import annotations

from pathlib import Path

from grader.report import feedback
from grader.report.models import RunReport

NOT_PASSED = {"partial", "failed", "error", "timeout", "not-attempted"}


def _escape(text: str, prop: bool = False) -> str:
    """GitHub's escaping of a workflow command's data (and, with `prop`, of its properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _relative(path: str) -> str:
    """GitHub matches annotations to files by their path in the repository: the checkout is the working folder."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def annotations(run: RunReport) -> list[str]:
    """One `::error` (failed, error, timeout) or `::warning` (partial, not attempted) line per task."""
    out = []
    for report in run.submissions:
        for note in report.notes:  # a statement or cell that failed: where it is known, on its line
            where = f"file={_escape(_relative(str(Path(report.path) / note.file)), True)}" + (
                f",line={note.line}" if note.line else "")
            out.append(f"::warning {where},title={_escape(f'{report.name}: {note.kind}', True)}::"
                       f"{_escape(note.message)}")
        for task in report.tasks:
            if task.status not in NOT_PASSED:
                continue
            level = "warning" if task.status in ("partial", "not-attempted") else "error"
            title = _escape(f"{report.sheet} {report.name} {task.id}: {task.points:g}/{task.max_points:g}", True)
            where = f"file={_escape(_relative(report.path), True)}," if report.path else ""
            if task.file and task.line and task.cell is None:  # a script's line; a notebook's cell has no file line
                path = _relative(str(Path(report.path) / task.file)) if report.path else task.file
                where = f"file={_escape(path, True)},line={task.line},"
            out.append(f"::{level} {where}title={title}::{_escape(task.message)}")
    return out


def summary(run: RunReport) -> str:
    """The job summary: one feedback section per submission."""
    return "\n".join(feedback.render(report).replace("# Feedback:", "## nngrade:", 1) for report in run.submissions)
