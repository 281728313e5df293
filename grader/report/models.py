"""The report: pydantic models with a versioned schema that other tools read.

Stable fields (schema_version 1): top level `schema_version` and `submissions`;
per submission `name`, `sheet`, `members` [{name, id}], `points`, `max_points`,
`flags`, `tasks`; per task `id`, `points`, `max_points`, `status`, `message`,
`detail`, `diagnoses`, `seconds`. Further fields may be added, never renamed.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = 1
TaskStatus = Literal["passed", "partial", "failed", "error", "timeout", "not-attempted", "pending-manual",
                     "unavailable"]


class ReportModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Member(ReportModel):
    name: str
    id: str
    kind: Literal["id number", "participant", "group"] = Field(
        "id number", description="what `id` is: the id number in a Name_id folder name, a Moodle download's "
                                 "participant number (the `Identifier` of Moodle's grading worksheet), or a "
                                 "Moodle 4.1+ group entry's group number (no student's)")


class TaskResult(ReportModel):
    id: str
    title: str = ""
    points: float
    max_points: float
    status: TaskStatus
    message: str = Field(description="for the student; never reveals a hidden task's expected values")
    detail: str = Field("", description="for the tutor")
    diagnoses: list[str] = []
    seconds: float = 0.0
    bonus: bool = False
    visibility: Literal["public", "hidden"] = "public"
    pending_points: float = Field(0.0, description="points a tutor still awards by hand")
    file: str = Field("", description="the submission's file where its code raised, when it did")
    line: int | None = Field(None, description="the line there (in the notebook cell `cell`, for a notebook)")
    cell: int | None = None

    @property
    def exercise(self) -> str:
        return self.id.split(".")[0]


class FileNote(ReportModel):
    """Something that went wrong while loading a student file or running a notebook cell; grading went on."""

    file: str
    line: int | None = None
    kind: str
    message: str
    cell: int | None = Field(None, description="notebook cell index (1-based, all cells counted)")
    source: str = Field("", description="the first line of that cell, so the student recognises it")


class Lateness(ReportModel):
    """How late a submission came in and what the rubric's late policy took for it."""

    hours: float = Field(description="hours after the deadline")
    days: int = Field(description="started days after the deadline")
    percent: float = Field(description="the share of the points taken, in percent")
    deduction: float = Field(description="points taken")
    policy: str = Field(description="the rubric's policy, in words")


class SubmissionReport(ReportModel):
    name: str
    sheet: str
    members: list[Member] = []
    points: float
    max_points: float
    flags: list[str] = []
    tasks: list[TaskResult] = []
    path: str = ""
    notes: list[FileNote] = []
    output: str = Field("", description="the tail of what the student's code printed")
    seconds: float = Field(0.0, description="wall clock of grading this submission")
    student_seconds: float = Field(0.0, description="time spent in the student's code (loading and checks)")
    grader_error: str = Field("", description="set when the grader itself failed on this submission")
    fingerprint: str = Field("", description="hash of what the result depends on: files, sheet, grader, interpreter")
    submitted_at: str = Field("", description="when it was handed in (ISO 8601 with offset), when known")
    submitted_from: str = Field("", description="where that time comes from: the platform's export, a "
                                                "--submitted-at file or the files' modification times")
    late: Lateness | None = Field(None, description="set when it came in after the rubric's deadline")

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0

    @property
    def checkable_max(self) -> float:
        """The points the automatic checks can award now: not the bonus, not what a tutor still grades."""
        return sum(t.max_points - t.pending_points for t in self.tasks if not t.bonus)

    @property
    def checkable_percent(self) -> float:
        earned = sum(t.points for t in self.tasks if not t.bonus)
        share = min(earned, self.checkable_max) / self.checkable_max if self.checkable_max else 1.0
        return round(100.0 * share, 2)  # the points are rounded to 4 decimals: full marks are 100, not 99.998

    def exercise_points(self) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for task in self.tasks:
            got, most = out.get(task.exercise, (0.0, 0.0))
            out[task.exercise] = (got + task.points, most + (0.0 if task.bonus else task.max_points))
        return out


class IsolationLayer(ReportModel):
    """One layer of the sandbox around student code, and whether this run had it."""

    name: str
    active: bool
    how: str

    @classmethod
    def of(cls, name: str, active: bool, how: str) -> "IsolationLayer":
        return cls(name=name, active=active, how=how)


class SheetOrigin(ReportModel):
    """Which sheet was graded and where it came from: a course's own, an installed pack or built in."""

    id: str
    origin: str = Field(description="\"built-in\", \"pack DIST VERSION\" or \"course FOLDER\"")
    replaces: str = Field("", description="the origin of the sheet of the same id this one stands in for")

    @classmethod
    def of(cls, sheet: Any) -> "SheetOrigin":
        return cls(id=sheet.id, origin=str(sheet.origin), replaces=str(sheet.replaces or ""))


class NotGraded(ReportModel):
    """A file or folder of the input that was not graded, and why (a duplicate's older upload, a stray file)."""

    path: str
    reason: str


class RunReport(ReportModel):
    schema_version: Literal[1] = REPORT_SCHEMA_VERSION
    grader_version: str = ""
    isolation: list[IsolationLayer] = Field([], description="the sandbox layers of this run's children")
    sheets: list[SheetOrigin] = Field([], description="the graded sheets and their origins")
    reused: int = Field(0, description="results kept from an earlier run (--resume), their submissions unchanged")
    submissions: list[SubmissionReport] = []
    not_graded: list[NotGraded] = Field([], description="every input entry not graded, with the reason")
