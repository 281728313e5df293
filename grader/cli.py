"""The `grade` command: parse arguments, call grader.api, print. Nothing else lives here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

import reference
from grader import api
from grader.rubric import RubricError

rubrics_option = click.option(
    "--rubrics", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of rubric files (default: ./rubrics or the project's own).",
)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nngrade")
def main() -> None:
    """nngrade: grade neural-network exercise sheets against a numpy reference."""


@main.command("key")
@click.argument("sheets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One flat JSON object of dotted keys (one sheet only).")
@rubrics_option
def key_command(sheets: tuple[str, ...], as_json: bool, rubrics: Path | None) -> None:
    """Print every given input and expected value of SHEETS (default: all sheets)."""
    from grader.report.key import render

    if as_json and len(sheets) != 1:
        fail("--json prints one sheet: name it, e.g. `grade key nnti-ws2324-sheet7 --json`")
    try:
        keys = [api.answer_key(s, rubrics) for s in (sheets or tuple(reference.SHEETS))]
    except api.UsageError as exc:
        fail(str(exc))
    except RubricError as exc:
        fail(f"the rubric is invalid; run `grade rubric check` for details:\n{exc}")
    if as_json:
        click.echo(json.dumps(keys[0].plain(), indent=2))
        return
    console = Console()
    for k in keys:
        console.print(render(k))
        console.print()


@main.group("rubric")
def rubric_group() -> None:
    """Work with rubric files."""


@rubric_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rubrics_option
def rubric_check(paths: tuple[Path, ...], rubrics: Path | None) -> None:
    """Validate rubric files (default: the rubrics folder); exit 2 on any problem."""
    try:
        files, problems = api.check_rubrics(list(paths), rubrics)
    except api.UsageError as exc:
        fail(str(exc))
    for problem in problems:
        click.echo(str(problem))
    bad = {p.file for p in problems}
    click.echo(f"{len(files) - len(bad)} of {len(files)} rubric files valid"
               + (f", {len(problems)} problems" if problems else ""))
    if problems:
        sys.exit(2)
