"""What every `grade` command shares: the --course option, one-line failures, the console for tables."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from grader.errors import ExitCode

course_option = click.option(
    "--course", "course", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="A course folder (rubrics/, reference/, submissions/) whose sheets join the built-in ones and replace "
         "those of the same id; may be given more than once (default: $NNGRADE_COURSE, else the current folder "
         "when it is one).",
)


def fail(message: str, code: int = ExitCode.USAGE) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))


def output() -> Console:
    """The console for tables: a terminal's width, $COLUMNS where set, else (a CI log, a pipe) wide enough that
    no column is folded or dropped."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PIPE_WIDTH)


PIPE_WIDTH = 400


class _Api:
    """grader.api, imported when a command first uses it: `grade --version` and `--help` need none of it (the
    rubric models, numpy and the sheets take 0.4 s to import)."""

    def __getattr__(self, name: str):
        import grader.api

        return getattr(grader.api, name)


api = _Api()
