"""A sheet's example submissions against what its README states: `grade rubric check --examples`.

`submissions/<sheet-id>/README.md` may state, per example, the outcome of tasks and the total, in the words of
the shipped examples' README: a heading that starts with the submission's folder name, then a table
`| task | outcome |` (pass, partial, fail, error, not-attempted, unavailable, timeout) and optionally a line
`points: 3.5`. Tasks the README does not list are not compared. A sheet without such a README is skipped.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

from grader.rubric import Problem
from grader.sheets import Sheet

OUTCOMES = {"pass": {"passed", "pending-manual"}, "partial": {"partial"}, "fail": {"failed"}, "error": {"error"},
            "not-attempted": {"not-attempted"}, "unavailable": {"unavailable"}, "timeout": {"timeout"}}
HEADING = re.compile(r"^#{2,4}\s+(\S+)")
ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|")
POINTS = re.compile(r"^points:\s*([0-9.]+)\s*$", re.IGNORECASE)


def stated(readme: Path) -> dict[str, tuple[float | None, dict[str, str]]]:
    """Submission name -> (stated points or None, task id -> outcome word)."""
    out: dict[str, tuple[float | None, dict[str, str]]] = {}
    name = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if (heading := HEADING.match(line)) is not None:
            name = heading.group(1)
            out.setdefault(name, (None, {}))
        elif name is not None and (points := POINTS.match(line)) is not None:
            out[name] = (float(points.group(1)), out[name][1])
        elif name is not None and (row := ROW.match(line)) is not None and row.group(2).lower() in OUTCOMES:
            out[name][1][row.group(1).strip("`")] = row.group(2).lower()
    return {name: found for name, found in out.items() if found[0] is not None or found[1]}


def check(sheet: Sheet, graded: dict[str, object]) -> list[Problem]:
    """Problems where `graded` (submission name -> SubmissionReport) differs from the README's statements."""
    readme = sheet.examples / "README.md"
    problems = []
    for name, (points, outcomes) in stated(readme).items():
        report = graded.get(name)
        if report is None:
            problems.append(Problem(str(readme), None, name, "no such example submission"))
            continue
        statuses = {task.id: task.status for task in report.tasks}
        for task_id, word in outcomes.items():
            if task_id not in statuses:
                problems.append(Problem(str(readme), task_id, name, "the rubric has no such task"))
            elif statuses[task_id] not in OUTCOMES[word]:
                problems.append(Problem(str(readme), task_id, name, f"stated {word}, graded {statuses[task_id]}"))
        if points is not None and not math.isclose(points, report.points, abs_tol=0.01):
            problems.append(Problem(str(readme), None, name, f"stated {points:g} points, graded {report.points:g}"))
    return problems
