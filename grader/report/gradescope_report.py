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
    """The submission's summary line counts the visible tests only: the hidden ones' points are theirs to show
    after the grades are published. A hidden task's diagnosis names are no tags (they hint at its answer)."""
    public = [t for t in report.tasks if t.visibility == "public" and not t.bonus]
    pending = sum(t.pending_points for t in public)
    output = [f"{report.sheet}, {report.name}: {sum(t.points for t in public):g} of "
              f"{sum(t.max_points for t in public):g} points in the visible tests"
              + (f" ({pending:g} of them graded by a tutor)" if pending else "")
              + ("; the others after the grades are published" if len(public) < len(report.tasks) else ""),
              *report.flags]
    tests = [{"name": f"{t.id} {t.title}".strip(), "number": t.id, "score": round(t.points, 4),
              "max_score": round(t.max_points, 4), "status": "passed" if t.status in ("passed", "pending-manual")
              else "failed", "output": f"{t.status}: {t.message}", "visibility": VISIBILITY[t.visibility],
              "tags": list(t.diagnoses) if t.visibility == "public" else []} for t in report.tasks]
    return {"score": round(report.points, 4), "execution_time": round(report.seconds, 3),
            "output": "\n".join(output), "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def render(run: RunReport) -> str:
    if len(run.submissions) != 1:
        raise UsageError(f"--gradescope writes one submission's results.json, but {len(run.submissions)} were "
                         "graded: grade the one submission Gradescope hands over (/autograder/submission)")
    return json.dumps(results(run.submissions[0]), indent=2) + "\n"


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
