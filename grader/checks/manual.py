"""manual: points a tutor enters later; shown as pending with the criteria."""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.rubric import ManualCheck


def judge(check: ManualCheck, ctx: Context) -> Outcome:
    return Outcome(0.0, "pending-manual", "graded by a tutor", f"tutor: {check.criteria}")
