"""The `grade` command: parse arguments, call grader.api, print. Nothing else lives here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

import reference
from grader import api
from grader.report.models import RunReport
from grader.rubric import RubricError

rubrics_option = click.option(
    "--rubrics", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of rubric files (default: ./rubrics or the project's own).",
)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class DefaultGroup(click.Group):
    """`grade PATH...` means `grade run PATH...`: the tutor's everyday command stays short."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nngrade")
def main() -> None:
    """nngrade: grade neural-network exercise sheets against a numpy reference.

    \b
    grade submissions/              grade every submission (same as `grade run ...`)
    grade key SHEET                 the tutor's answer key
    grade template SHEET            the files a sheet hands out (the 7.3 notebook)
    grade rubric check              validate rubric files
    """


@main.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sheet", default=None, help="Sheet id, when the folder names do not say it.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the full report as JSON.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write a gradebook, one row per student.")
@click.option("--diagnoses", "diagnoses_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write how often each typical mistake came up, per task (CSV).")
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one Markdown feedback file per submission into this folder, and every notebook "
                   "as an HTML page with the verdicts inside.")
@click.option("--python", "python", default=None, metavar="PATH",
              help="Interpreter of the course environment that runs student code (one with torch or jax, say); "
                   "default: the rubric's, else the grader's own.")
@click.option("--resume", is_flag=True, help="Keep the submissions already in the --json file; grade only the rest.")
@click.option("--details", is_flag=True, help="Also print every task of every submission.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Submissions graded in parallel (default: cores).")
@rubrics_option
def run_command(paths: tuple[Path, ...], sheet: str | None, json_path: Path | None, csv_path: Path | None,
                diagnoses_path: Path | None, feedback_dir: Path | None, python: str | None, resume: bool, details: bool, jobs: int | None,
                rubrics: Path | None) -> None:
    """Grade submissions: folders, .zip or .py files under a folder named after the sheet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader import grading
    from grader.report import csv_report, diagnoses, feedback, json_report, table

    try:
        pairs = api.grading_plan(list(paths), sheet, rubrics, python)
    except api.UsageError as exc:
        fail(str(exc))
    except RubricError as exc:
        fail(f"the rubric is invalid; run `grade rubric check` for details:\n{exc}")
    previous = _previous_reports(json_path) if resume else []
    done: list = list(previous)

    def finished(report, progress, bar) -> None:
        progress.update(bar, advance=1, description=report.name)
        if json_path:  # after every submission, so an interrupted run loses nothing
            done.append(report)
            json_report.write(RunReport(submissions=done), json_path)

    err = Console(stderr=True)
    try:
        with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err, transient=True) as progress:
            bar = progress.add_task("", total=len(pairs))
            run = grading.grade(pairs, workers=jobs, previous=previous, feedback=feedback_dir,
                                on_done=lambda r: finished(r, progress, bar))
        Console().print(table.render(run, details))
        if json_path:
            json_report.write(run, json_path)
        if csv_path:
            csv_report.write(run, csv_path)
        if diagnoses_path:
            diagnoses.write(run, diagnoses_path)
        if feedback_dir:
            feedback.write(run, feedback_dir)
    except OSError as exc:
        fail(f"cannot write the report: {exc.strerror}: {exc.filename}")
    except Exception as exc:  # the grader itself failed: say so in one line, exit 1
        fail(f"the grader failed ({type(exc).__name__}: {exc}); please report this with the submission", code=1)
    failed = [r.name for r in run.submissions if r.grader_error]
    if failed:
        fail(f"the grader failed on {len(failed)} submission(s): {', '.join(failed[:5])}; "
             "their reports say why (please report this)", code=1)


def _previous_reports(json_path: Path | None) -> list:
    if json_path is None:
        fail("--resume needs --json FILE: the report of the interrupted run")
    if not json_path.exists():
        return []
    try:
        return RunReport.model_validate_json(json_path.read_text(encoding="utf-8")).submissions
    except (ValueError, OSError) as exc:
        fail(f"{json_path} is not a report this grader can resume from ({type(exc).__name__}); "
             "remove it or drop --resume")


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


@main.command("template")
@click.argument("sheet")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Folder to write into (default: the current folder).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@rubrics_option
def template_command(sheet: str, out: Path, force: bool, rubrics: Path | None) -> None:
    """Write the files SHEET hands out to students (e.g. the 7.3 notebook of nnti-ws2324-sheet7)."""
    try:
        written = api.write_templates(sheet, out, rubrics, overwrite=force)
    except api.UsageError as exc:
        fail(str(exc))
    except RubricError as exc:
        fail(f"the rubric is invalid; run `grade rubric check` for details:\n{exc}")
    except OSError as exc:
        fail(f"cannot write the template: {exc.strerror}: {exc.filename}")
    for path in written:
        click.echo(f"wrote {path}")


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
