"""Gradescope's results.json for one submission (its autograder specification): the score, and one test per
task with its points, its student-facing message and a visibility mapped from the rubric (public: visible;
hidden: after the grades are published)."""
from __future__ import annotations

import json
from pathlib import Path

from grader.errors import UsageError
from grader.report.files import write_atomic
from grader.report.models import RunReport, SubmissionReport

VISIBILITY = {"public": "visible", "hidden": "after_published"}


def results(report: SubmissionReport) -> dict:
    pending = sum(t.pending_points for t in report.tasks)
    output = [f"{report.sheet}, {report.name}: {report.points:g} of {report.max_points:g} points"
              + (f" ({pending:g} more are graded by a tutor)" if pending else ""), *report.flags]
    tests = [{"name": f"{t.id} {t.title}".strip(), "number": t.id, "score": round(t.points, 4),
              "max_score": round(t.max_points, 4), "status": "passed" if t.status in ("passed", "pending-manual")
              else "failed", "output": f"{t.status}: {t.message}", "visibility": VISIBILITY[t.visibility],
              "tags": list(t.diagnoses)} for t in report.tasks]
    return {"score": round(report.points, 4), "execution_time": round(report.seconds, 3),
            "output": "\n".join(output), "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def render(run: RunReport) -> str:
    if len(run.submissions) != 1:
        raise UsageError(f"--gradescope writes one submission's results.json, but {len(run.submissions)} were "
                         "graded: grade the one submission Gradescope hands over (/autograder/submission)")
    return json.dumps(results(run.submissions[0]), indent=2) + "\n"


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
