"""`grade check`: one line per task for the student, and what the score is made of."""
from __future__ import annotations

from rich.console import Group
from rich.text import Text

from grader.report.files import points
from grader.self_check import SelfCheck

SHOWN = {"passed": ("passed", "green"), "pending-manual": ("passed (a tutor grades the rest)", "green"),
         "partial": ("partly right", "yellow"), "failed": ("failed", "red"), "error": ("error", "red"),
         "timeout": ("too slow", "magenta"), "not-attempted": ("not attempted", "dim"),
         "unavailable": ("not checkable here", "dim"), "hidden": ("hidden: checked after the deadline", "cyan")}



def render(check: SelfCheck) -> Group:
    lines = [Text(f"{check.sheet}: self-check of {check.name}", style="bold")]
    lines += [Text(f"note: {flag}", style="yellow") for flag in check.flags]
    for task in check.tasks:
        word, style = SHOWN.get(task.status, (task.status, ""))
        if task.status == "pending-manual" and task.tutor >= task.max_points:  # nothing automatic to check
            word, style = "graded by a tutor", "dim"
        line = Text(f"{task.id:<10} ")
        line.append(word, style=style)
        if task.status != "hidden" and task.status not in ("passed", "pending-manual") and task.message:
            line.append(f": {task.message}")
        lines.append(line)
    summary = Text(f"checkable now: {points(check.points)} of {points(check.checkable)} points", style="bold")
    if check.after_deadline:
        summary.append(f"; {points(check.after_deadline)} checked after the deadline")
    if check.tutor:
        summary.append(f"; {points(check.tutor)} graded by a tutor")
    lines.append(summary)
    return Group(*lines)
