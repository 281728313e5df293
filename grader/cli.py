"""The `grade` command: parse arguments, call grader.api, print. Nothing else lives here."""
from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from grader import api
from grader.errors import ExitCode, UsageError
from grader.report.models import RunReport
from grader.rubric import RubricError

course_option = click.option(
    "--course", "course", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="A course folder (rubrics/, reference/, submissions/) whose sheets join the built-in ones and replace "
         "those of the same id; may be given more than once (default: $NNGRADE_COURSE, else the current folder "
         "when it is one).",
)


def fail(message: str, code: int = ExitCode.USAGE) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))


class DefaultGroup(click.Group):
    """`grade PATH...` means `grade run PATH...`: the tutor's everyday command stays short. Every caller-facing
    error is caught here, once, and printed as one line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RubricError as exc:
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            fail(f"the rubric is invalid: {exc.problems[0]}{more}; `grade rubric check` (with the same --course) lists every problem")
        except UsageError as exc:
            fail(str(exc))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug in the grader: one line, not a traceback
            fail(f"the grader failed ({type(exc).__name__}: {exc}); please report this", code=ExitCode.GRADER_FAILED)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nngrade")
def main() -> None:
    """nngrade: grade neural-network exercise sheets against a numpy reference.

    \b
    grade submissions/              grade every submission (same as `grade run ...`)
    grade check                     a student's self-check of the work in the current folder
    grade examples                  grade the example submissions every sheet ships
    grade key SHEET                 the tutor's answer key
    grade template SHEET [DIR]      a student's starting folder for a sheet
    grade kit SHEET DIR             a kit to publish: starters and a self-check without hidden values
    grade sheets                    the sheets this grader knows, and where each comes from
    grade new SHEET-ID              start a course's own sheet (rubric, reference, examples, test)
    grade rubric check              validate rubric files (a whole course with --course)
    """


def grading_options(command):
    for option in reversed([
        click.option("--sheet", default=None, help="Sheet id, when the folder names do not say it."),
        click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the full report as JSON."),
        click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write a gradebook, one row per student."),
        click.option("--moodle", "moodle_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write a gradebook for Moodle's grade import (one file per sheet)."),
        click.option("--diagnoses", "diagnoses_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write how often each typical mistake came up, per task (CSV)."),
        click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write one Markdown and one HTML feedback page per submission into this folder, and every notebook "
                          "as an HTML page with the verdicts inside."),
        click.option("--python", "python", default=None, metavar="PATH",
                     help="Interpreter of the course environment that runs student code (one with torch or jax, "
                          "say); default: the rubric's, else the grader's own."),
        click.option("--resume", is_flag=True,
                     help="Keep the results already in the --json file whose submission, sheet and grader are "
                          "unchanged; grade the rest."),
        click.option("--force", is_flag=True, help="With --resume: grade every submission again."),
        click.option("--manual", "manual_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Merge a tutors' manual-points CSV (`grade manual SHEET PATHS --template FILE`)."),
        click.option("--details", is_flag=True, help="Also print every task of every submission."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
                     help="Submissions graded in parallel (default: cores)."),
        click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write JUnit XML for CI: a test suite per submission, a test case per task."),
        click.option("--gradescope", "gradescope_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write Gradescope's results.json (one submission)."),
        click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
                     help="Exit 1 when a submission's checkable score (what the automatic checks can award now) "
                          "is below PERCENT."),
        course_option,
    ]):
        command = option(command)
    return command


@main.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@grading_options
def run_command(paths: tuple[Path, ...], **options) -> None:
    """Grade submissions: folders, .zip or .py files under a folder named after the sheet."""
    _grade(list(paths), **options)


@main.command("examples")
@click.argument("sheets", nargs=-1)
@grading_options
def examples_command(sheets: tuple[str, ...], **options) -> None:
    """Grade the example submissions SHEETS ship (default: every sheet's), wherever nngrade is installed."""
    found = api.catalogue(options["course"])
    chosen = [found[s] if s in found else fail(found.unknown(s)) for s in sheets] or list(found.values())
    folders = [sheet.examples for sheet in chosen if sheet.examples.is_dir()]
    if not folders:
        fail("no example submissions: " + ", ".join(s.id for s in chosen) + " ship none")
    _grade(folders, **options)


def _grade(paths: list[Path], sheet: str | None, json_path: Path | None, csv_path: Path | None, moodle_path: Path | None,
           diagnoses_path: Path | None, feedback_dir: Path | None, python: str | None, resume: bool, force: bool,
           manual_path: Path | None,
           details: bool, jobs: int | None, junit_path: Path | None, gradescope_path: Path | None,
           fail_under: float | None, course: tuple[Path, ...]) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader.report import (csv_report, diagnoses, feedback, feedback_html, gradescope_report, json_report,
                               junit_report, moodle_report, table)

    previous = _previous_reports(json_path) if resume and not force else []
    done: list = list(previous)

    def finished(report, progress) -> None:
        progress.update(progress.task_ids[0], advance=1, description=report.name)
        if json_path:  # after every submission, so an interrupted run loses nothing
            done.append(report)
            json_report.write(RunReport(submissions=done), json_path)

    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.description}"), console=Console(stderr=True), transient=True)

    def started(total: int) -> None:  # only once the submissions are found: a usage error stays one line
        progress.start()
        progress.add_task("", total=total)

    try:
        try:
            run = api.grade(paths, sheet=sheet, course=course, workers=jobs, python=python, previous=previous,
                            feedback=feedback_dir, on_start=started, on_done=lambda r: finished(r, progress))
        finally:
            if progress.live.is_started:
                progress.stop()
        if manual_path:
            run = api.merge_manual(run, manual_path, course)
        output().print(table.render(run, details))
        if resume:
            click.echo(f"reused {run.reused} unchanged result(s) from {json_path}; graded "
                       f"{len(run.submissions) - run.reused}", err=True)
        if json_path:
            json_report.write(run, json_path)
        if junit_path:
            junit_report.write(run, junit_path)
        if gradescope_path:
            gradescope_report.write(run, gradescope_path)
        _github(run)
        if csv_path:
            csv_report.write(run, csv_path)
        if moodle_path:
            moodle_report.write(run, moodle_path)
        if diagnoses_path:
            diagnoses.write(run, diagnoses_path)
        if feedback_dir:
            feedback.write(run, feedback_dir)
            feedback_html.write(run, feedback_dir)
    except (UsageError, RubricError):
        raise
    except OSError as exc:
        fail(f"cannot write the report: {exc.strerror}: {exc.filename}")
    except Exception as exc:  # the grader itself failed: say so in one line
        fail(f"the grader failed ({type(exc).__name__}: {exc}); please report this with the submission",
             code=ExitCode.GRADER_FAILED)
    failed = [r.name for r in run.submissions if r.grader_error]
    if failed:
        fail(f"the grader failed on {len(failed)} submission(s): {', '.join(failed[:5])}; "
             "their reports say why (please report this)", code=ExitCode.GRADER_FAILED)
    below = [r for r in run.submissions if fail_under is not None and r.checkable_percent < fail_under]
    if below:
        fail(f"{len(below)} submission(s) below {fail_under:g} % of the checkable points: "
             + ", ".join(f"{r.name} {math.floor(r.checkable_percent * 10) / 10:g} %" for r in below[:5]),
             code=ExitCode.BELOW_THRESHOLD)


def output() -> Console:
    """The console for tables: a terminal's width, $COLUMNS where set, else (a CI log, a pipe) wide enough that
    no column is folded or dropped."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PIPE_WIDTH)


PIPE_WIDTH = 400


def _github(run: RunReport) -> None:
    """In GitHub Actions: annotations for the tasks that did not pass, and the summary on the job's page."""
    from grader.report import github

    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github.annotations(run):
            click.echo(line)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(github.summary(run) + "\n")


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


@main.command("check")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--sheet", default=None, help="Sheet id, when the files do not say it.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write JUnit XML for CI: hidden tasks are skipped tests.")
@click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), default=None, metavar="PERCENT",
              help="Exit 1 when the points checkable now are below PERCENT of what they could be.")
@course_option
def check_command(path: Path, sheet: str | None, junit_path: Path | None, fail_under: float | None,
                  course: tuple[Path, ...]) -> None:
    """Self-check your own work (default: the current folder) before the deadline: the public checks say what
    is right and what to mend; hidden tasks are checked after the deadline. In a student repository's CI this
    is the command to run: it shows no hidden verdict."""
    from grader.report import junit_report
    from grader.report.self_check import render

    check = api.self_check(path, sheet=sheet, course=course)
    output().print(render(check))
    run = RunReport(submissions=[check.as_report()])
    if junit_path:
        try:
            junit_report.write(run, junit_path)
        except OSError as exc:
            fail(f"cannot write the report: {exc.strerror}: {exc.filename}")
    _github(run)
    if fail_under is not None and check.percent < fail_under:
        fail(f"{math.floor(check.percent * 10) / 10:g} % of the points checkable now, below {fail_under:g} %",
             code=ExitCode.BELOW_THRESHOLD)


@main.command("key")
@click.argument("sheets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One flat JSON object of dotted keys (one sheet only).")
@click.option("--hidden", is_flag=True, help="Also show the expected values of hidden tasks (tutors only).")
@course_option
def key_command(sheets: tuple[str, ...], as_json: bool, hidden: bool, course: tuple[Path, ...]) -> None:
    """Print every given input and expected value of SHEETS (default: all sheets); a hidden task's values only
    with --hidden."""
    from grader.report.key import render

    if as_json and len(sheets) != 1:
        fail("--json prints one sheet: name it, e.g. `grade key SHEET --json` (`grade sheets` lists them)")
    keys = [api.answer_key(s, course) for s in (sheets or tuple(api.catalogue(course)))]
    if as_json:
        click.echo(json.dumps(keys[0].plain(hidden), indent=2))
        return
    console = output()
    for k in keys:
        console.print(render(k, hidden))
        console.print()


@main.command("template")
@click.argument("sheet")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (the same as FOLDER; default: the current folder).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@course_option
def template_command(sheet: str, folder: Path | None, out: Path | None, force: bool, course: tuple[Path, ...]) -> None:
    """Write a student's starting folder for SHEET: the course's handouts, a starter for every other file the
    sheet asks for, an answers file skeleton and a README on `grade check`."""
    try:
        written = api.write_templates(sheet, folder or out or Path("."), course, overwrite=force)
    except OSError as exc:
        fail(f"cannot write the template: {exc.strerror}: {exc.filename}")
    for path in written:
        click.echo(f"wrote {path}")


@main.command("manual")
@click.argument("sheet")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--template", "template_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the tutors' CSV.")
@course_option
def manual_command(sheet: str, paths: tuple[Path, ...], template_path: Path, course: tuple[Path, ...]) -> None:
    """Write the tutors' CSV for SHEET's manual points: a row per submission under PATHS, a column per task with
    a manual share, an override column (`6.3.a=0.5`) with its reason, and a comment. Merge it with
    `grade PATHS --manual FILE`."""
    text = api.manual_template(sheet, list(paths), course)
    if template_path.exists():
        fail(f"{template_path} already exists: it may hold a tutor's points; choose another name")
    try:
        template_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {template_path}: {exc.strerror}")
    click.echo(f"wrote {template_path}: {text.count(chr(10)) - 1} submission(s)")


@main.command("kit")
@click.argument("sheet")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@course_option
def kit_command(sheet: str, folder: Path, force: bool, course: tuple[Path, ...]) -> None:
    """Write a kit a course can publish for SHEET: the starting folder and a self-check with the public tasks'
    expected values only, precomputed (no reference code, no hidden value)."""
    try:
        written = api.write_kit(sheet, folder, course, overwrite=force)
    except OSError as exc:
        fail(f"cannot write the kit: {exc.strerror}: {exc.filename}")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"students run `grade check` in {folder}")


@main.command("sheets")
@course_option
def sheets_command(course: tuple[Path, ...]) -> None:
    """List the sheets this grader knows: built in, from installed packs, from course folders."""
    from grader.report.sheets import render

    output().print(render(api.sheets(course)))


@main.command("new")
@click.argument("sheet_id")
@click.option("--course", "course", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="The course folder to add the sheet to (default: the current folder).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def new_command(sheet_id: str, course: Path, force: bool) -> None:
    """Start a course's own sheet: a rubric with one task of each common kind, a reference module, a correct and
    a wrong example submission and a test that grades them. It grades out of the box."""
    from grader import scaffold

    try:
        written = scaffold.new_sheet(sheet_id, course, overwrite=force)
    except OSError as exc:
        fail(f"cannot write the sheet: {exc.strerror}: {exc.filename}")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit them, then `grade rubric check --course {course}` and `grade examples {sheet_id} "
               f"--course {course}`")


@main.group("rubric")
def rubric_group() -> None:
    """Work with rubric files."""


@rubric_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--examples", is_flag=True, help="Also grade each sheet's examples and compare with what their "
                                               "README states.")
@course_option
def rubric_check(paths: tuple[Path, ...], examples: bool, course: tuple[Path, ...]) -> None:
    """Validate rubric files against their references (default: every sheet's; with --course, the course's own);
    exit 2 on any problem."""
    files, problems = api.check_rubrics(list(paths), course)
    if examples:
        problems += api.check_examples(course)
    for problem in problems:
        click.echo(str(problem))
    bad = {p.file for p in problems}
    click.echo(f"{len(files) - len([f for f in files if str(f) in bad])} of {len(files)} rubric files valid"
               + (f", {len(problems)} problems" if problems else ""))
    if problems:
        sys.exit(int(ExitCode.USAGE))
