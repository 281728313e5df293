"""The check kinds of a rubric, one model each, and how choice answers are read.

A new kind is one model here, one entry in the `Check` union and one judge in grader/checks/.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import Field, field_validator, model_validator

from grader.rubric.steps import Model, Step, _check_path

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
CHOICE_FILLER = frozenset({"a", "an", "the", "function", "loss", "unit", "layer", "output", "independent",
                           "separate", "individual", "elementwise"})
CHOICE_SPELLING = {"square": "squared"}  # "mean square error" is the mean squared error


def choice_words(text: str) -> list[str]:
    """The words of a choice, casefolded and singular ("Sigmoids" -> "sigmoid"): both sides of a comparison
    go through it, so a plural rule that also shortens a word like "bias" shortens it on both."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    singular = [w[:-2] if w.endswith(("sses", "xes")) else
                w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w for w in words]
    return [CHOICE_SPELLING.get(w, w) for w in singular]


def normalise_choice(text: str) -> str:
    """A choice as compared: case, spacing, hyphens, punctuation, plurals, articles and words such as "function",
    "loss" or "output" do not count ("Soft-max function" is "softmax"); "activation" only where it is not the
    choice itself ("sigmoid activation" is "sigmoid", "no activation" stays)."""
    words = choice_words(text)
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
    for_student_values: bool = Field(False, description="run only when the first run used a value the student "
                                                        "set (a learning rate tuned for other data)")


class TrainingCheck(CheckBase):
    """A short training run: the loss falls and, optionally, an accuracy is reached."""

    kind: Literal["training"]
    file: str
    steps: list[Step] = Field(min_length=1)
    losses: str = Field(description="observed path of the list of losses")
    losses_else: list[str] = Field([], description="observed paths of the student's own loss before and after "
                                   "training (optional steps), read where train returns no losses: the sheet may "
                                   "not ask it to")
    predictions: str | None = Field(None, description="observed path of predictions; accuracy is computed by the judge")
    targets: str | None = Field(None, description="answer key of the targets the predictions are judged against")
    min_accuracy: str | None = Field(None, description="answer key of the accuracy to reach")
    time_budget: float = Field(60.0, gt=0)
    data: str | None = Field(None, description="answer key of the text naming the data trained on, for the report")
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
