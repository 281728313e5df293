"""One module per check kind: pure functions from (spec, observed, reference) to an Outcome.

Each kind's `judge` gets the check from the rubric, what the submission produced
(an answers-file entry or the worker's job record) and the expected values, and
returns an Outcome: the share of the check's weight earned, a status, a message
for the student (never an expected value when `reveal` is false) and a detail for
the tutor.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grader.rubric import Defaults

Status = Literal["passed", "failed", "error", "timeout", "not-attempted", "pending-manual"]


@dataclass(frozen=True)
class Outcome:
    score: float  # 0..1 of the check's weight
    status: Status
    message: str = ""
    detail: str = ""
    diagnoses: tuple[str, ...] = ()

    @classmethod
    def passed(cls, message: str = "", detail: str = "") -> "Outcome":
        return cls(1.0, "passed", message, detail)

    @classmethod
    def failed(cls, message: str, detail: str = "", diagnoses: tuple[str, ...] = (), score: float = 0.0) -> "Outcome":
        return cls(score, "failed", message, detail or message, diagnoses)


@dataclass(frozen=True)
class Context:
    """Everything a check may consult besides its own spec."""

    key: dict[str, Any]
    defaults: Defaults
    reveal: bool  # public task: messages may show expected values
    sheet: str
    job: dict[str, Any] | None = None  # the worker's record for file checks
    answers: dict[str, Any] | None = None  # the answers file, flattened to dotted names; None if absent
    answers_problem: str | None = None  # why the answers file could not be read
    property_input: np.ndarray | None = None
    killed: str | None = None  # why the child ended before this check's job reported
    timed_out: bool = False
