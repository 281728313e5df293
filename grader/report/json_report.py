"""The full report as JSON (schema in grader.report.models)."""
from __future__ import annotations

from pathlib import Path

from grader.report.files import write_atomic
from grader.report.models import RunReport


def render(run: RunReport) -> str:
    return run.model_dump_json(indent=2) + "\n"


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
