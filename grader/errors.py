"""The failures a caller of nngrade sees: each one line that says what is wrong and what to do.

Student failures are not here: they are data (a task's status and message), never exceptions.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """As pytest's: 1 means the work graded is not there yet, 2 the call, 3 the grader itself."""

    OK = 0
    BELOW_THRESHOLD = 1  # --fail-under: a submission's checkable score is below the threshold
    USAGE = 2  # how the grader was called, a rubric or a sheet (also what `grade rubric check` finds): fix those
    GRADER_FAILED = 3  # a bug in the grader: the report says which submission; please report it


class UsageError(Exception):
    """A mistake in how the grader was called or set up: one line that says what to do."""


class SheetError(UsageError):
    """A sheet that cannot be used: it names the sheet and its origin (built-in, the pack's distribution and
    version, or the course folder); the cause is chained."""

    def __init__(self, sheet_id: str, origin: object, message: str):
        self.sheet_id, self.origin = sheet_id, origin
        super().__init__(f"sheet {sheet_id} ({origin}): {message}")


class RubricError(Exception):
    """A rubric file that cannot be used; `problems` are grader.rubric.Problem records, each with its place."""

    def __init__(self, problems: list):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
