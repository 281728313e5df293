"""A student's self-check before the deadline: what the public checks say, nothing a hidden task decides.

A hidden task's verdict is itself a hint (pass or fail, tried often enough, narrows a hidden value down), so it
shows only as "checked after the deadline", unless all its checks need no expected value: properties of the
student's own functions, a notebook that runs, a figure drawn. Those always count.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader import intake
from grader.errors import UsageError
from grader.report.models import SubmissionReport
from grader.rubric import Rubric
from grader.sheets import Catalogue

KEY_FREE = {"property", "runs", "figure", "manual"}  # checks that compare with no expected value


@dataclass(frozen=True)
class TaskView:
    id: str
    title: str
    status: str  # the grader's status, or "hidden" (checked after the deadline)
    points: float
    max_points: float
    message: str = ""
    tutor: float = 0.0  # the share a tutor grades
    file: str = ""  # where the student's code raised, for CI annotations
    line: int | None = None
    cell: int | None = None


@dataclass(frozen=True)
class SelfCheck:
    sheet: str
    name: str
    tasks: list[TaskView]
    flags: list[str]
    path: str = ""

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tasks if t.status != "hidden")

    @property
    def checkable(self) -> float:
        return sum(t.max_points - t.tutor for t in self.tasks if t.status != "hidden")

    @property
    def after_deadline(self) -> float:
        return sum(t.max_points - t.tutor for t in self.tasks if t.status == "hidden")

    @property
    def tutor(self) -> float:
        return sum(t.tutor for t in self.tasks)

    @property
    def percent(self) -> float:
        return round(100.0 * min(self.points, self.checkable) / self.checkable, 2) if self.checkable else 100.0

    def as_report(self) -> SubmissionReport:
        """The self-check as a report for the CI formats (JUnit, the GitHub summary): a hidden task is a skipped
        test "checked after the deadline", with no points, message or diagnosis."""
        from grader.report.models import TaskResult

        tasks = [TaskResult(id=t.id, title=t.title, points=t.points, max_points=t.max_points, status=t.status,
                            message=t.message, pending_points=t.tutor, file=t.file, line=t.line, cell=t.cell)
                 if t.status != "hidden" else
                 TaskResult(id=t.id, title=t.title, points=0.0, max_points=t.max_points, status="unavailable",
                            message="hidden: checked after the deadline", pending_points=t.max_points)
                 for t in self.tasks]
        return SubmissionReport(name=self.name, sheet=self.sheet, points=round(self.points, 4),
                                max_points=round(sum(t.max_points for t in self.tasks), 4), flags=self.flags,
                                tasks=tasks, path=self.path)


def open_tasks(rubric: Rubric) -> set[str]:
    """The tasks a student may see judged now: public ones, and hidden ones with automatic checks that compare
    with no expected value."""
    return {t.id for t in rubric.tasks if rubric.visibility_of(t) == "public"
            or (all(c.kind in KEY_FREE for c in t.checks) and any(c.kind != "manual" for c in t.checks))}


def view(report: SubmissionReport, rubric: Rubric) -> SelfCheck:
    shown = open_tasks(rubric)
    tasks = [TaskView(t.id, t.title, t.status, t.points, t.max_points, t.message, t.pending_points, t.file, t.line,
                      t.cell)
             if t.id in shown else TaskView(t.id, t.title, "hidden", 0.0, t.max_points)  # all of it: after the deadline
             for t in report.tasks if not t.bonus]
    return SelfCheck(report.sheet, report.name, tasks, list(report.flags), report.path)


def infer_sheet(folder: Path, found: Catalogue) -> str:
    """The sheet a folder (or one above it) is named after, else the one whose files the folder holds (a file by
    its name or its stem with .py/.ipynb), else the one whose rubric grades the answers file's names; a usage
    error when that is not exactly one. The rubrics are
    read as plain TOML: no reference runs for a guess."""
    if folder.is_file():
        folder = folder.parent
    named = [p.name for p in [folder, *folder.resolve().parents] if p.name in found]  # as intake reads folders
    if named:
        return named[0]
    present = {p.name for p in folder.iterdir()} | {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
    rubrics = {sheet_id: _toml(sheet.rubric) for sheet_id, sheet in found.items()}
    by_files = [s for s, r in rubrics.items() if r.get("files") and all(
        Path(f).name in present or Path(f).stem in present for f in r["files"])]
    if len(by_files) == 1:
        return by_files[0]
    answers = _answer_names(folder / "answers.toml")
    by_answers = [s for s in (by_files or rubrics) if answers and answers & _graded_names(rubrics[s])]
    if len(by_answers) == 1:
        return by_answers[0]
    candidates = by_answers or by_files or list(found)
    raise UsageError(f"{folder}: cannot tell which sheet this is (it could be {', '.join(candidates)}); "
                     "pass --sheet SHEET")


def _toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _answer_names(path: Path) -> set[str]:
    """The dotted names an answers file gives (read as grading reads it)."""
    answers, _ = intake.read_answers(path if path.is_file() else None)
    return set(answers or {})


def _graded_names(rubric: dict) -> set[str]:
    return {c.get("key") for t in rubric.get("tasks", []) if isinstance(t, dict) for c in t.get("checks", [])
            if isinstance(c, dict) and c.get("kind") in ("answer", "expression", "choice")}
