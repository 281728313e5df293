"""The `grade` command: parse arguments, call grader.api, print. Nothing else lives here."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from grader.errors import ExitCode, RubricError, UsageError
from grader.cli_common import api, course_option, fail, output
from grader.cli_run import github_outputs, grade_paths, grading_options

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


@main.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@grading_options
def run_command(paths: tuple[Path, ...], **options) -> None:
    """Grade submissions: folders, .zip or .py files under a folder named after the sheet."""
    grade_paths(list(paths), **options)


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
    grade_paths(folders, **options)


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
    from grader.report.models import RunReport

    run = RunReport(submissions=[check.as_report()])
    if junit_path:
        try:
            junit_report.write(run, junit_path)
        except OSError as exc:
            fail(f"cannot write the report: {exc.strerror}: {exc.filename}")
    github_outputs(run)
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
