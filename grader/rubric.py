"""Rubric files: pydantic models, loading, and problems reported by file, task and field.

A rubric is TOML (read with tomllib) and states, per sheet: the files a submission
holds, the given data the reference computes expected values from, and the tasks
with their points, checks, tolerances and visibility. Structural problems come
from pydantic; problems that need the reference (a key no task can be graded
against, a property the reference does not define, points that do not add up to
the sheet's total) come from `cross_check`.
"""
from __future__ import annotations

import math
import re
import unicodedata
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import reference

SCHEMA_VERSION = 1
PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[-?\d+\])*$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TASK_ID_RE = re.compile(r"^[0-9A-Za-z]+(\.[0-9A-Za-z_]+)*$")
Visibility = Literal["public", "hidden"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_path(value: str) -> str:
    if not PATH_RE.match(value):
        raise ValueError(f"{value!r} is not a name path like net.weight[0] (names, dots and integer indices only)")
    return value


# --- values in plans ---------------------------------------------------------------
# A plan argument is a TOML literal, a string "$KEY" naming an answer-key entry
# ("$5.x0"), optionally reshaped for the student's convention ("$5.x0|column"), or
# "@name" naming an object or result of an earlier step of the same plan, or "%Name"
# naming a class or function defined by the student's files (NNModel's module specifications).
REF_RE = re.compile(r"^\$(?P<key>[0-9A-Za-z_.]+)(\|(?P<shape>column|row|flat|list))?$")


def key_refs(value: Any) -> list[str]:
    """Every answer-key name a plan value refers to, in nested lists too."""
    if isinstance(value, str):
        m = REF_RE.match(value)
        return [m.group("key")] if m else []
    if isinstance(value, list):
        return [k for item in value for k in key_refs(item)]
    if isinstance(value, dict):
        return [k for item in value.values() for k in key_refs(item)]
    return []


# --- plan steps: what the worker does with the student's module --------------------

class NewStep(Model):
    """Construct an object: name = cls(*args, **kwargs)."""

    op: Literal["new"]
    name: str
    cls: str
    args: list[Any] = []
    kwargs: dict[str, Any] = {}

    _name = field_validator("name")(lambda v: _ident(v))
    _cls = field_validator("cls")(lambda v: _check_path(v))


class SetStep(Model):
    """Overwrite an attribute, e.g. a network's weights with the sheet's values."""

    op: Literal["set"]
    target: str
    value: Any

    _target = field_validator("target")(lambda v: _check_path(v))


class CallStep(Model):
    """Call a function or method; the result is stored under `name` for observation."""

    op: Literal["call"]
    target: str
    name: str = "result"
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    pointwise: bool = Field(False, description="a function the sheet lets work on one number at a time: when the "
                                               "call with an array raises, call it per entry of the first argument")

    _target = field_validator("target")(lambda v: _check_path(v))
    _name = field_validator("name")(lambda v: _ident(v))


def _ident(v: str) -> str:
    if not IDENT_RE.match(v):
        raise ValueError(f"{v!r} is not a Python identifier")
    return v


Step = Annotated[Union[NewStep, SetStep, CallStep], Field(discriminator="op")]


# --- checks -------------------------------------------------------------------------

class CheckBase(Model):
    weight: float = Field(1.0, gt=0, description="share of the task's points, relative to the task's other checks")
    hint: str | None = None


class Tolerance(Model):
    rtol: float | None = Field(None, ge=0)
    atol: float | None = Field(None, ge=0)

    def tolerances(self, rtol: float, atol: float) -> tuple[float, float]:
        """The check's own tolerances where it states them, else the given defaults."""
        return (self.rtol if self.rtol is not None else rtol, self.atol if self.atol is not None else atol)


class ManualCheck(CheckBase):
    kind: Literal["manual"]
    criteria: str = Field(min_length=1, description="what the tutor looks for")


class AnswerCheck(CheckBase, Tolerance):
    """A hand-computed number or matrix in the submission's answers file, under `key`."""

    kind: Literal["answer"]
    key: str
    accept_transpose: bool = False


class ValueCheck(CheckBase, Tolerance):
    """Run a plan on the student's file and compare observed names with answer-key entries."""

    kind: Literal["value"]
    file: str
    steps: list[Step] = Field([], description="empty: observe module-level names only")
    observe: dict[str, str] = Field(min_length=1, description="observed path -> answer key (or recompute name)")
    recompute: str | None = Field(None, description="a reference RECOMPUTE entry: expected values follow from the "
                                                    "student's own choices; observe maps paths to its names")

    @field_validator("observe")
    @classmethod
    def _paths(cls, v: dict[str, str]) -> dict[str, str]:
        for path in v:
            _check_path(path)
        return v


class ExpressionCheck(CheckBase, Tolerance):
    """A formula string in the answers file, compared with a reference formula at sample points."""

    kind: Literal["expression"]
    key: str
    samples: int = Field(20, ge=3, le=1000)
    seed: int = 0


# Words that name the kind of thing, not the choice: "the softmax function", "binary cross entropy loss".
CHOICE_FILLER = frozenset({"a", "an", "the", "function", "functions", "loss", "unit", "units", "layer"})


def normalise_choice(text: str) -> str:
    """A choice as compared: case, spacing, hyphens, punctuation, articles and words such as "function" or
    "loss" do not count ("Soft-max function" is "softmax"); "activation" only where it is not the choice itself
    ("sigmoid activation" is "sigmoid", "no activation" stays)."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    kept = [w for w in words if w not in CHOICE_FILLER]
    if "activation" in kept and len(kept) > 1 and kept[0] != "no":
        kept.remove("activation")
    return "".join(kept or words)


HEDGE_RE = re.compile(r"\bor\b|\beither\b|/|,|;|\band/or\b", re.IGNORECASE)


def choice_alternatives(text: str) -> list[str]:
    """The alternatives an answer names ("sigmoid or tanh", "BCE / log loss"); one item for a plain answer."""
    return [part for part in HEDGE_RE.split(text) if normalise_choice(part)] or [text]


def choice_readings(text: str) -> tuple[str, str, list[str]]:
    """One alternative as (outside its brackets, inside them, the two read together either way), normalised:
    "mean squared error (MSE)" names the choice twice; "cross entropy (binary)" is "binary cross entropy"."""
    outer = normalise_choice(re.sub(r"\([^()]*\)", " ", text))
    inner = normalise_choice(" ".join(re.findall(r"\(([^()]*)\)", text)))
    return outer, inner, [inner + outer, outer + inner] if inner else []


class ChoiceMistake(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="stable diagnosis id")
    message: str = Field(min_length=1, description="why this choice is wrong, in the exercise's language")


class ChoiceCheck(CheckBase):
    """A named choice in the answers file; `accept` lists synonyms of the expected answer, `mistakes` the
    typical wrong choices with the reason each is wrong (shown also in hidden tasks: it names no answer)."""

    kind: Literal["choice"]
    key: str
    accept: list[str] = []
    mistakes: dict[str, ChoiceMistake] = {}

    @model_validator(mode="after")
    def _mistakes_are_not_accepted(self):
        accepted = {normalise_choice(a) for a in self.accept}
        clash = [m for m in self.mistakes if normalise_choice(m) in accepted]
        if clash:
            raise ValueError(f"{', '.join(map(repr, clash))} is both accepted and listed as a mistake")
        return self


class PropertyCheck(CheckBase):
    """An identity or bound of the reference's PROPERTIES, evaluated on the student's functions."""

    kind: Literal["property"]
    file: str
    property: str
    samples: int = Field(64, ge=8, le=100_000)
    seed: int = 0


class GradientCheck(CheckBase, Tolerance):
    """Student backward pass vs central differences of the student's own loss, and vs the reference."""

    kind: Literal["gradient"]
    file: str
    steps: list[Step] = Field(min_length=1, description="set-up and the backward pass")
    loss_steps: list[Step] = Field(min_length=1, description="steps that compute the loss again; re-run per perturbation")
    loss: str = Field(description="path of the scalar loss after loss_steps (a tuple's [0] reads a bare number too)")
    gradients: dict[str, str] = Field(min_length=1, description="observed gradient path -> parameter path")
    expect: dict[str, str] = Field({}, description="observed gradient path -> answer key")
    eps: float = Field(1e-6, gt=0)


class StatisticsCheck(CheckBase):
    """Initialisation statistics; the tolerance follows from the sample size and `false_alarm`."""

    kind: Literal["statistics"]
    file: str
    steps: list[Step] = Field(min_length=1)
    observe: str
    distribution: Literal["glorot-normal", "glorot", "zeros"]
    layout: Literal["out_in", "in_out"] = "out_in"
    false_alarm: float = Field(1e-6, gt=0, lt=0.01)

    _observe = field_validator("observe")(lambda v: _check_path(v))


class TrainingRetry(Model):
    """A second run, in a job of its own, for a reading of the sheet that needs other settings (a loss averaged
    over the samples takes N times smaller steps with the same learning rate): it counts when the first misses."""

    steps: list[Step] = Field(min_length=1)
    losses: str
    predictions: str | None = None
    because: str = Field(min_length=1, description="what the second run's settings allow for, for the message")


class TrainingCheck(CheckBase):
    """A short training run: the loss falls and, optionally, an accuracy is reached."""

    kind: Literal["training"]
    file: str
    steps: list[Step] = Field(min_length=1)
    losses: str = Field(description="observed path of the list of losses")
    predictions: str | None = Field(None, description="observed path of predictions; accuracy is computed by the judge")
    targets: str | None = Field(None, description="answer key of the targets the predictions are judged against")
    min_accuracy: str | None = Field(None, description="answer key of the accuracy to reach")
    time_budget: float = Field(60.0, gt=0)
    min_decrease: float = Field(0.0, ge=0, lt=1, description="the share of its first value the loss must lose: "
                                "epoch losses of shuffled mini-batches wander even when nothing is learned")
    retry: TrainingRetry | None = None

    @model_validator(mode="after")
    def _accuracy_needs_all(self):
        given = [self.predictions is not None, self.targets is not None, self.min_accuracy is not None]
        if any(given) and not all(given):
            raise ValueError("predictions, targets and min_accuracy go together: give all three or none")
        return self


class ParametersCheck(CheckBase):
    """The parameter shapes of a model (a Flax network's `init`): every array shape of the observed tree,
    as a multiset, against the answer key's list, so the student's layer names do not matter."""

    kind: Literal["parameters"]
    file: str
    steps: list[Step] = Field(min_length=1)
    observe: str = Field(description="path of the parameter tree")
    expect: str = Field(description="answer key of the list of shapes")

    _observe = field_validator("observe")(lambda v: _check_path(v))


class RunsCheck(CheckBase):
    """The notebook runs top to bottom: every code cell finishes without an exception or a time-out."""

    kind: Literal["runs"]
    file: str


class CellCheck(CheckBase, Tolerance):
    """A number a named notebook cell reports: a variable right after the cell ran, or the cell's output
    (its result, else the last number it printed), compared with a key or with bounds."""

    kind: Literal["cell"]
    file: str
    cell: str = Field(description="a cell tag, nbgrader grade_id, or a word of the cell's first-line comment")
    variable: str | None = Field(None, description="a name path read right after the cell; none: the cell's output")
    expect: str | None = Field(None, description="answer key of the expected value")
    minimum: float | None = None
    maximum: float | None = None
    what: str = Field("the reported value", description="how the message names the value")
    label: list[str] = Field([], description="words that introduce the number in printed text (`loss` reads "
                                             "0.22 from 'final loss: 0.22 (after 100 epochs)'); default: the last "
                                             "word of `what`")

    _variable = field_validator("variable")(lambda v: v if v is None else _check_path(v))

    @model_validator(mode="after")
    def _expect_or_bounds(self):
        if (self.expect is None) == (self.minimum is None and self.maximum is None):
            raise ValueError("give either expect (an answer key) or bounds (minimum and/or maximum)")
        return self


class FigureCheck(CheckBase):
    """A plot produced: a figure with something drawn, in the named cell or anywhere in the notebook."""

    kind: Literal["figure"]
    file: str
    cell: str | None = None
    what: str = "a plot"


Check = Annotated[
    Union[ManualCheck, AnswerCheck, ValueCheck, ExpressionCheck, ChoiceCheck, PropertyCheck, GradientCheck,
          StatisticsCheck, TrainingCheck, ParametersCheck, RunsCheck, CellCheck, FigureCheck],
    Field(discriminator="kind"),
]
CHECK_KINDS = ("manual", "answer", "value", "expression", "choice", "property", "gradient", "statistics", "training",
               "parameters", "runs", "cell", "figure")
NOTEBOOK_KINDS = ("runs", "cell", "figure")


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


class Assumption(Model):
    """Given data the sheet text lacks (a missing figure): shown to tutors, who may override it."""

    given: str
    text: str


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
                                                 "written by the grader and supplied when a submission lacks them")
    templates: list[str] = Field([], description="files handed out to students, in files/<sheet>/; `grade template` writes them")
    python: str | None = Field(None, description="interpreter that runs student code (the course's environment); "
                                                 "--python overrides it")
    overrides: dict[str, dict[str, Any]] = Field({}, description="notebook file -> constants replaced after the "
                                                               "notebook assigns them (a small N_SAMPLES, one epoch)")
    aliases: dict[str, list[str]] = Field({}, description="name -> accepted alternatives in student code")
    defaults: Defaults = Defaults()
    given: dict[str, dict[str, Any]] = {}
    assumptions: list[Assumption] = []
    tasks: list[Task] = Field(min_length=1)

    @field_validator("sheet")
    @classmethod
    def _known_sheet(cls, v: str) -> str:
        if v not in reference.SHEETS:
            raise ValueError(f"unknown sheet {v!r}; known sheets: {', '.join(reference.SHEETS)}")
        return v

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


# --- loading and problems ---------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    task: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"task {self.task}: " if self.task else ""
        return f"{self.file}: {where}{self.field}: {self.message}"


class RubricError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _problems_from_validation(file: str, raw: dict[str, Any], error: ValidationError) -> list[Problem]:
    problems = []
    tasks = raw.get("tasks") if isinstance(raw.get("tasks"), list) else []
    for err in error.errors():
        loc = tuple(err["loc"])
        # pydantic names the union member in the location ("checks.0.value.file"); drop it.
        loc = tuple(p for p in loc if p not in CHECK_KINDS and p not in ("new", "set", "call"))
        task_id = None
        field_loc = loc
        if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
            entry = tasks[loc[1]] if loc[1] < len(tasks) else {}
            task_id = str(entry.get("id", f"#{loc[1] + 1}")) if isinstance(entry, dict) else f"#{loc[1] + 1}"
            field_loc = loc[2:]
        message = err["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, task_id, _field_path(field_loc), message))
    return problems


def parse(text: str, file: str = "<rubric>") -> Rubric:
    """Parse and validate one rubric; raises RubricError listing every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError([Problem(file, None, "(syntax)", f"not valid TOML: {exc}")]) from None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        raise RubricError(_problems_from_validation(file, raw, exc)) from None
    problems = cross_check(rubric, file)
    if problems:
        raise RubricError(problems)
    return rubric


def load(path: Path | str) -> Rubric:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError([Problem(str(path), None, "(file)", f"cannot read: {exc.strerror}")]) from None
    rubric = parse(text, str(path))
    if path.suffix == ".toml" and path.stem != rubric.sheet:
        raise RubricError([Problem(str(path), None, "sheet", f"file is named {path.stem!r} but states sheet {rubric.sheet!r}")])
    missing = [name for name in rubric.provided + rubric.templates if not provided_file(path, rubric, name).is_file()]
    if missing:
        raise RubricError([Problem(str(path), None, "provided", f"{name!r} is not in {provided_file(path, rubric, name).parent}")
                           for name in missing])
    return rubric


def provided_file(rubric_path: Path, rubric: Rubric, name: str) -> Path:
    return rubric_path.parent / "files" / rubric.sheet / name


def check_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            load(path)
        except RubricError as exc:
            problems.extend(exc.problems)
    return problems


# --- cross-checks against the reference ----------------------------------------------------

def _given_problems(rubric: Rubric, file: str, module) -> list[Problem]:
    problems = []
    models = getattr(module, "GIVEN_MODELS", {})
    optional = getattr(module, "OPTIONAL_GIVEN", set())
    for section in models:
        if section not in rubric.given and section not in optional:
            problems.append(Problem(file, None, f"given.{section}", "missing: the reference needs this section"))
    for section, data in rubric.given.items():
        if section not in models:
            problems.append(Problem(file, None, f"given.{section}",
                                    f"unknown section; the reference reads {', '.join(models) or 'none'}"))
            continue
        try:
            models[section].model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = _field_path(("given", section) + tuple(err["loc"]))
                problems.append(Problem(file, None, where, err["msg"].removeprefix("Value error, ")))
    for i, a in enumerate(rubric.assumptions):
        section, _, name = a.given.rpartition(".")
        if section not in rubric.given or name not in rubric.given[section]:
            problems.append(Problem(file, None, f"assumptions[{i}].given", f"{a.given!r} names no given value"))
    return problems


def _step_values(step) -> list[Any]:
    return [step.value] if isinstance(step, SetStep) else [step.args, step.kwargs]


def _steps_refs(steps: list) -> list[str]:
    return [ref for step in steps for value in _step_values(step) for ref in key_refs(value)]


def _local_refs(value: Any) -> list[str]:
    """The step results a value uses: "@updated[0]" and "@variables.params" use `updated` and `variables`."""
    if isinstance(value, str):
        m = re.match(r"@([A-Za-z_][A-Za-z0-9_]*)", value)
        return [m.group(1)] if m else []
    if isinstance(value, list):
        return [r for item in value for r in _local_refs(item)]
    if isinstance(value, dict):
        return [r for item in value.values() for r in _local_refs(item)]
    return []


def _plan_order_problems(steps: list) -> list[str]:
    """'@name' must name an object or result that an earlier step created."""
    known: set[str] = set()
    out = []
    for i, step in enumerate(steps):
        for value in _step_values(step):
            for name in _local_refs(value):
                if name not in known:
                    out.append(f"step {i + 1} uses @{name}, which no earlier step creates")
        if not isinstance(step, SetStep):
            known.add(step.name)
        elif IDENT_RE.match(step.target):  # `set` of a bare name creates a result the plan can use
            known.add(step.target)
    return out


def _check_problems(check, key: dict[str, Any], module, rubric: Rubric) -> list[tuple[str, str]]:
    """(field, message) pairs for one check."""
    out: list[tuple[str, str]] = []
    formulas = getattr(module, "FORMULAS", {})
    properties = getattr(module, "PROPERTIES", {})

    def need(field: str, name: str | None) -> None:
        if name is not None and name not in key:
            out.append((field, f"{name!r} is not in the sheet's answer key (see `grade key {rubric.sheet}`)"))

    if hasattr(check, "file") and check.file not in rubric.files:
        out.append(("file", f"{check.file!r} is not among the rubric's files {rubric.files}"))
    if check.kind in NOTEBOOK_KINDS and not check.file.endswith(".ipynb"):
        out.append(("file", f"{check.kind} checks read a notebook's cells; {check.file!r} is not an .ipynb file"))
    if check.kind in ("cell", "parameters"):
        need("expect", check.expect)
    if hasattr(check, "steps"):
        steps = list(check.steps) + list(getattr(check, "loss_steps", []))
        for ref in _steps_refs(steps):
            need("steps", ref)
        out.extend(("steps", message) for message in _plan_order_problems(steps))
    if getattr(check, "retry", None) is not None:
        for ref in _steps_refs(check.retry.steps):
            need("retry.steps", ref)
        out.extend(("retry.steps", message) for message in _plan_order_problems(check.retry.steps))
    if check.kind in ("answer", "choice"):
        need("key", check.key)
    if check.kind == "expression" and check.key not in formulas:
        out.append(("key", f"{check.key!r} is not a reference formula; known: {', '.join(formulas) or 'none'}"))
    if check.kind == "value" and check.recompute is None:
        for path, name in check.observe.items():
            need(f"observe.{path}", name)
    if check.kind == "value" and check.recompute is not None:
        out.extend(_recompute_problems(check, getattr(module, "RECOMPUTE", {})))
    if check.kind == "gradient":
        for path, name in check.expect.items():
            need(f"expect.{path}", name)
        for path in list(check.gradients) + list(check.gradients.values()) + [check.loss]:
            if not PATH_RE.match(path):
                out.append(("gradients", f"{path!r} is not a name path"))
    if check.kind == "property" and check.property not in properties:
        out.append(("property", f"{check.property!r} is not a reference property; known: {', '.join(properties) or 'none'}"))
    if check.kind == "training":
        need("min_accuracy", check.min_accuracy)
        need("targets", check.targets)
    return out


def _recompute_problems(check, known: dict[str, Any]) -> list[tuple[str, str]]:
    if check.recompute not in known:
        return [("recompute", f"{check.recompute!r} is not a reference recomputation; known: {', '.join(known) or 'none'}")]
    spec = known[check.recompute]
    names = set(check.observe.values())
    out = [(f"observe.{path}", f"{name!r} is neither an input nor an output of {check.recompute}")
           for path, name in check.observe.items() if name not in spec.inputs and name not in spec.outputs]
    out += [("observe", f"{check.recompute} needs the student's {name!r}: observe it")
            for name in spec.inputs if name not in names]
    return out


def cross_check(rubric: Rubric, file: str) -> list[Problem]:
    module = reference.sheet_module(rubric.sheet)
    problems = _given_problems(rubric, file, module)
    if problems:
        return problems  # the answer key cannot be computed from broken given data
    try:
        key = module.answer_key(rubric.given)
    except Exception as exc:  # the reference failing on valid given data is a rubric problem to report
        return [Problem(file, None, "given", f"the reference cannot compute the answer key: {exc}")]
    for task in rubric.tasks:
        for i, check in enumerate(task.checks):
            for field, message in _check_problems(check, key, module, rubric):
                problems.append(Problem(file, task.id, f"checks[{i}].{field}", message))
    problems.extend(_leak_problems(rubric, file))
    if rubric.total_points is not None and not math.isclose(rubric.max_points, rubric.total_points, abs_tol=1e-9):
        problems.append(Problem(file, None, "total_points",
                                f"the sheet's total is {rubric.total_points:g} but the non-bonus tasks add up to {rubric.max_points:g}"))
    return problems


def _leak_problems(rubric: Rubric, file: str) -> list[Problem]:
    """A public task shows its expected values in self-check: it must not grade a hidden task's key."""
    problems = []
    for name, task_ids in key_usage(rubric).items():
        tasks = [rubric.task(t) for t in task_ids]
        hidden = [t.id for t in tasks if rubric.visibility_of(t) == "hidden"]
        for t in tasks:
            if hidden and rubric.visibility_of(t) == "public":
                problems.append(Problem(file, t.id, "visibility",
                                        f"public, but grades {name!r} which hidden task {hidden[0]} keeps secret"))
    return problems


def key_usage(rubric: Rubric) -> dict[str, list[str]]:
    """Answer key name -> ids of the tasks that grade against it (for the tutor's key table)."""
    usage: dict[str, list[str]] = {}

    def use(name: str | None, task_id: str) -> None:
        if name is not None and task_id not in usage.setdefault(name, []):
            usage[name].append(task_id)

    for task in rubric.tasks:
        for check in task.checks:
            if check.kind in ("answer", "choice", "expression"):
                use(check.key, task.id)
            if check.kind == "value" and check.recompute is None:
                for name in check.observe.values():
                    use(name, task.id)
            if check.kind == "gradient":
                for name in check.expect.values():
                    use(name, task.id)
            if check.kind == "training":
                use(check.min_accuracy, task.id)
            if check.kind == "property":
                use(f"property.{check.property}", task.id)
            if check.kind in ("cell", "parameters"):
                use(check.expect, task.id)
    return usage
