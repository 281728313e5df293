"""`grade PATHS` (and `grade examples`): grade, then write every report the options ask for."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from grader.cli_common import api, course_option, fail, output
from grader.errors import ExitCode, RubricError, UsageError

if TYPE_CHECKING:
    from grader.report.models import RunReport


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
        click.option("--submitted-at", "times_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Hand-in times for the rubric's deadline: a CSV `submission,submitted_at` (ISO 8601) or "
                          "Moodle's grading worksheet (default: the platform's export, else file times)."),
        click.option("--scheduler", "scheduler", envvar="NNGRADE_SCHEDULER", default=None, metavar="ADDRESS",
                     help="Grade on a Dask cluster: a scheduler's address (tcp://host:8786), or local:N for N "
                          "worker processes here (default: $NNGRADE_SCHEDULER, else this machine's pool)."),
        click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write the class report (one HTML page with plots: scores, tasks, frequent mistakes, "
                          "flagged submissions) into this folder."),
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


@dataclass(frozen=True)
class RunOptions:
    """The `grade` command's options, as click parses them (grading_options)."""

    sheet: str | None = None
    json_path: Path | None = None
    csv_path: Path | None = None
    moodle_path: Path | None = None
    diagnoses_path: Path | None = None
    feedback_dir: Path | None = None
    python: str | None = None
    resume: bool = False
    force: bool = False
    manual_path: Path | None = None
    times_path: Path | None = None
    report_dir: Path | None = None
    details: bool = False
    jobs: int | None = None
    junit_path: Path | None = None
    gradescope_path: Path | None = None
    fail_under: float | None = None
    course: tuple[Path, ...] = ()
    scheduler: str | None = None


def write_outputs(run: RunReport, o: RunOptions) -> None:
    """Every report the options ask for, after the terminal's table."""
    from grader.report import (class_report, csv_report, diagnoses, feedback, feedback_html, gradescope_report,
                               json_report, junit_report, moodle_report)

    for path, writer in [(o.json_path, json_report.write), (o.junit_path, junit_report.write),
                         (o.gradescope_path, gradescope_report.write)]:
        if path:
            writer(run, path)
    github_outputs(run)
    for path, writer in [(o.csv_path, csv_report.write), (o.moodle_path, moodle_report.write),
                         (o.diagnoses_path, diagnoses.write), (o.feedback_dir, feedback.write),
                         (o.feedback_dir, feedback_html.write), (o.report_dir, class_report.write)]:
        if path:
            writer(run, path)


def grade_paths(paths: list[Path], **options) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader.report import json_report, table
    from grader.report.models import RunReport

    o = RunOptions(**options)
    previous = _previous_reports(o.json_path) if o.resume and not o.force else []
    done: list = list(previous)

    def finished(report, progress) -> None:
        progress.update(progress.task_ids[0], advance=1, description=report.name)
        if o.json_path:  # after every submission, so an interrupted run loses nothing
            done.append(report)
            json_report.write(RunReport(submissions=done), o.json_path)

    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.description}"), console=Console(stderr=True), transient=True)

    def started(total: int) -> None:  # only once the submissions are found: a usage error stays one line
        progress.start()
        progress.add_task("", total=total)

    try:
        try:
            run = api.grade(paths, sheet=o.sheet, course=o.course, workers=o.jobs, python=o.python,
                            previous=previous, feedback=o.feedback_dir, submitted_at=o.times_path,
                            scheduler=o.scheduler,
                            on_start=started, on_done=lambda r: finished(r, progress))
        finally:
            if progress.live.is_started:
                progress.stop()
        if o.manual_path:
            run = api.merge_manual(run, o.manual_path, o.course)
        output().print(table.render(run, o.details))
        if o.resume:
            click.echo(f"reused {run.reused} unchanged result(s) from {o.json_path}; graded "
                       f"{len(run.submissions) - run.reused}", err=True)
        write_outputs(run, o)
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
    below = [r for r in run.submissions if o.fail_under is not None and r.checkable_percent < o.fail_under]
    if below:
        fail(f"{len(below)} submission(s) below {o.fail_under:g} % of the checkable points: "
             + ", ".join(f"{r.name} {math.floor(r.checkable_percent * 10) / 10:g} %" for r in below[:5]),
             code=ExitCode.BELOW_THRESHOLD)


def github_outputs(run: RunReport) -> None:
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
    from grader.report.models import RunReport

    try:
        return RunReport.model_validate_json(json_path.read_text(encoding="utf-8")).submissions
    except (ValueError, OSError) as exc:
        fail(f"{json_path} is not a report this grader can resume from ({type(exc).__name__}); "
             "remove it or drop --resume")
