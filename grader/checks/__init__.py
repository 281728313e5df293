"""One module per check kind: pure functions from (spec, observed, reference) to an Outcome.

Each kind's `judge` gets the check from the rubric, what the submission produced
(an answers-file entry or the worker's job record) and the expected values, and
returns an Outcome: the share of the check's weight earned, a status, a message
for the student (never an expected value when `reveal` is false) and a detail for
the tutor.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
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
class NotebookRun:
    """One notebook of the submission as the judge sees it: the parent's parsed copy and the child's cell records."""

    name: str  # the file name in the submission
    notebook: Any | None = None  # grader.notebook.Notebook; None when the file came as a .py script
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)  # cell index -> record
    problem: str | None = None  # why it could not be run: missing, not a notebook
    load: dict[str, Any] | None = None  # a .py file's load record
    stand_in: bool = False  # the file was handed in under another name (grader/stand_in.py)
    defined: frozenset[str] | None = None  # the top-level names the file defines, as the child reported them

    def describe(self, index: int) -> str:
        """`cell 6 (`1/0`)`: the index students count and the first line they recognise."""
        first = self.notebook.first_line(index) if self.notebook else ""
        return f"cell {index}" + (f" (`{first}`)" if first else "")

    def failure(self, index: int, killed: str | None) -> str | None:
        """Why a cell did not finish, in one phrase, or None when it ran."""
        record = self.cells.get(index)
        if record is None:
            return f"{self.describe(index)} did not run" + (f": {killed}" if killed else "")
        if record["status"] == "ok":
            return None
        line = f" (line {record['line']})" if record.get("line") else ""
        if self.cell_status(index) == "not-attempted":
            return f"{self.describe(index)} is not implemented yet: {record['error']}{line}"
        if record["status"] == "error":
            return f"{self.describe(index)} raised {record['error']}{line}"
        return f"{self.describe(index)}: {record['error']}"

    def named_cell(self, name: str, what: str, killed: str | None) -> tuple[Any, "Outcome | None"]:
        """The cell a check names and, when it cannot be read, the Outcome that says why."""
        cell = self.notebook.find(name)
        if cell is None:
            return None, Outcome.failed(f"no cell is named {name!r}: give the cell with {what} the tag {name!r}, "
                                        f"or start it with the comment `# {name}`")
        failed = self.failure(cell.index, killed)
        return cell, (Outcome(0.0, self.cell_status(cell.index), failed) if failed else None)

    def cell_status(self, index: int) -> str:
        """The status a check reports for a cell that did not finish."""
        record = self.cells.get(index)
        if record is None or record["status"] in ("timeout", "skipped"):
            return "timeout" if record is not None else "error"
        if (record.get("error") or "").startswith("NotImplementedError"):
            return "not-attempted"
        return "error"


def unusable(run: NotebookRun | None, file: str, cells_for: str | None = None) -> "Outcome | None":
    """The Outcome of a notebook check whose file is missing or could not be read, else None. A check that
    reads notebook cells says what for in `cells_for`: a .py script standing in for the notebook has none."""
    if run is None:
        return Outcome(0.0, "error", f"the submission has no file {file}")
    if run.problem:
        return Outcome(0.0, "error", run.problem)
    if cells_for is not None and run.notebook is None:
        return Outcome.failed(f"{cells_for}; {run.name} is a script")
    return None


@dataclass(frozen=True)
class Context:
    """Everything a check may consult besides its own spec."""

    key: dict[str, Any]
    defaults: Defaults
    reveal: bool  # public task: messages may show expected values
    sheet: str
    reference: ModuleType | None = None  # the sheet's reference module: its formulas, properties, recomputations
    job: dict[str, Any] | None = None  # the worker's record for file checks
    retry: dict[str, Any] | None = None  # the record of a training check's second run
    batch: tuple[int, ...] = ()  # sample counts of the job's input arrays: a sum or mean over them is a plausible factor
    answers: dict[str, Any] | None = None  # the answers file, flattened to dotted names; None if absent
    answers_problem: str | None = None  # why the answers file could not be read
    property_input: np.ndarray | None = None
    killed: str | None = None  # why the child ended before this check's job reported
    timed_out: bool = False
    notebook: NotebookRun | None = None  # the check's file, for the notebook kinds
    # answer-key name -> values of known mistakes; may still be computing (grading.Pending): ask only on need
    mistakes: Mapping[str, Sequence] = field(default_factory=dict)

    def alternatives(self, name: str) -> "Later":
        """The known mistakes of an entry, looked up when a comparison first needs them: a right value never
        waits for the error model's sweep."""
        return Later(lambda: self.mistakes.get(name, ()))


class Later(Sequence):
    """A sequence fetched on first use."""

    def __init__(self, fetch: Callable[[], Iterable[Any]]):
        self._fetch, self._items = fetch, None

    def _all(self) -> tuple:
        if self._items is None:
            self._items = tuple(self._fetch())
        return self._items

    def __getitem__(self, index):  # type: ignore[override]
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())
