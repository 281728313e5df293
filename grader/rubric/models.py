"""Tasks and the rubric itself: points, visibility, defaults, given data and course files.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from grader.rubric.checks import Check
from grader.rubric.steps import TASK_ID_RE, Model, Visibility, _ident

# --- tasks and the rubric -------------------------------------------------------------

class Task(Model):
    id: str
    title: str = Field(min_length=1)
    points: float = Field(ge=0)
    points_source: Literal["sheet", "chosen"] = Field(
        "sheet", description="'chosen' marks points the sheet text does not print"
    )
    bonus: bool = False
    visibility: Visibility | None = None
    hint: str | None = None
    note: str | None = None
    requires: list[str] = Field([], description="modules the grading environment must have (jax, flax); "
                                                "without them the task is reported as unavailable, not failed")
    checks: list[Check] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not TASK_ID_RE.match(v):
            raise ValueError(f"{v!r} is not a dotted task id like 7.2.a")
        return v

    @property
    def automatic(self) -> bool:
        return any(c.kind != "manual" for c in self.checks)


class Defaults(Model):
    visibility: Visibility = "public"
    value_rtol: float = Field(1e-6, ge=0)
    value_atol: float = Field(1e-9, ge=0)
    answer_rtol: float = Field(0.02, ge=0, description="hand values rounded to 2-3 significant digits")
    answer_atol: float = Field(0.006, ge=0)
    gradient_rtol: float = Field(1e-4, gt=0, description="student gradient vs central differences, relative")
    job_seconds: float = Field(10.0, gt=0, description="time limit of one check's calls in student code")
    cell_seconds: float = Field(10.0, gt=0, description="time limit of one notebook cell")
    memory_mb: int | None = Field(None, ge=256, description="memory limit of the child running student code "
                                                          "(default 1024; jax needs about 2048)")
    notebook_seconds: float = Field(60.0, gt=0, description="time budget of running one notebook top to bottom")


class Deadline(Model):
    """When the sheet is due and what lateness costs (grader/lateness.py)."""

    at: datetime = Field(description="the deadline; a time without an offset is read in `timezone`")
    timezone: str = Field("UTC", description="an IANA zone such as Europe/Berlin: summer time is applied")
    late: Literal["none", "zero", "percent-per-day"] = Field(
        "none", description="none: shown, nothing taken; zero: no points; percent-per-day: `percent` of the "
                            "earned points per started day, at most `cap`")
    percent: float = Field(0.0, ge=0, le=100)
    cap: float = Field(100.0, ge=0, le=100)
    grace_minutes: float = Field(0.0, ge=0, description="uploads this long after the deadline are on time")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a time zone (use an IANA name such as Europe/Berlin)") from None
        return v

    @model_validator(mode="after")
    def _policy(self):
        if self.late == "percent-per-day" and self.percent <= 0:
            raise ValueError("late = \"percent-per-day\" needs percent > 0")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def due(self) -> datetime:
        return self.at if self.at.tzinfo else self.at.replace(tzinfo=self.zone)

    def describe(self) -> str:
        taken = {"none": "late hand-ins lose nothing", "zero": "late hand-ins get no points",
                 "percent-per-day": f"{self.percent:g} % of the points per started day late, at most {self.cap:g} %"}
        grace = f", {self.grace_minutes:g} minutes' grace" if self.grace_minutes else ""
        return f"due {self.due.isoformat(timespec='minutes')} ({self.timezone}){grace}; {taken[self.late]}"


class Assumption(Model):
    """Given data the sheet text lacks (a missing figure): shown to tutors, who may override it."""

    given: str
    text: str


class StudentValue(Model):
    """A setting the sheet leaves to the student (main.py's learning rate): read from the student's file as the
    number assigned to `name`, never by running it."""

    file: str
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class Rubric(Model):
    schema_version: Literal[1]
    sheet: str
    title: str
    course: str
    source: str = Field(description="the sheet text this rubric was written from")
    total_points: float | None = Field(None, ge=0, description="the sheet's printed total, non-bonus")
    answers_file: str = "answers.toml"
    files: list[str] = []
    provided: list[str] = Field([], description="course-given files copied from files/<sheet>/ beside the rubric when a submission lacks them")
    data: dict[str, str] = Field({}, description="data files a notebook loads (file name -> answer-key array), "
                                                 "written by the grader and supplied to every submission")
    templates: list[str] = Field([], description="files handed out to students, in files/<sheet>/; `grade template` writes them")
    student_values: dict[str, StudentValue] = Field({}, description="answer-key entries a submission sets itself "
                                                    "(\"4.2.learning_rate\" from main.py's learning_rate); the "
                                                    "key's value where it does not")
    python: str | None = Field(None, description="interpreter that runs student code (the course's environment); "
                                                 "--python overrides it")
    overrides: dict[str, dict[str, Any]] = Field({}, description="notebook file -> constants replaced after the "
                                                               "notebook assigns them (a small N_SAMPLES, one epoch)")
    aliases: dict[str, list[str]] = Field({}, description="name -> accepted alternatives in student code")
    defaults: Defaults = Defaults()
    deadline: Deadline | None = None
    given: dict[str, dict[str, Any]] = {}
    assumptions: list[Assumption] = []
    tasks: list[Task] = Field(min_length=1)

    @field_validator("overrides")
    @classmethod
    def _override_names(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for file, names in v.items():
            if not file.endswith(".ipynb"):
                raise ValueError(f"{file!r}: overrides apply to notebooks (.ipynb)")
            for name, value in names.items():
                _ident(name)
                if not isinstance(value, (bool, int, float, str)):
                    raise ValueError(f"{file}: {name} must be a number, string or boolean")
        return v

    @model_validator(mode="after")
    def _unique_ids(self):
        seen: set[str] = set()
        for task in self.tasks:
            if task.id in seen:
                raise ValueError(f"task id {task.id!r} appears twice")
            seen.add(task.id)
        return self

    def visibility_of(self, task: Task) -> Visibility:
        return task.visibility or self.defaults.visibility

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tasks if not t.bonus)

    def task(self, task_id: str) -> Task:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)
