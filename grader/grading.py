"""Grade submissions: intake -> worker -> judge -> SubmissionReport, one submission at a time.

Each submission runs in its own child, several children in parallel (threads only
wait on processes here). Per sheet the rubric, answer key and plan are built once;
per submission only its report is kept, so the parent's memory stays flat.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import reference
from grader import intake, judge, plans, sandbox
from grader.report.models import FileNote, RunReport, SubmissionReport, TaskResult
from grader.rubric import Rubric, provided_file


@dataclass(frozen=True)
class SheetSetup:
    rubric: Rubric
    rubric_path: Path
    key: dict[str, Any]
    plan: plans.Plan

    @classmethod
    def build(cls, rubric: Rubric, rubric_path: Path) -> "SheetSetup":
        key = reference.answer_key(rubric.sheet, rubric.given)
        return cls(rubric, rubric_path, key, plans.build(rubric, key))

    def provided(self) -> dict[str, Path]:
        return {name: provided_file(self.rubric_path, self.rubric, name) for name in self.rubric.provided}


def _failed_everywhere(setup: SheetSetup, message: str) -> list[TaskResult]:
    return [TaskResult(id=t.id, title=t.title, points=0.0, max_points=t.points, status="error", message=message,
                       detail=message, bonus=t.bonus, visibility=setup.rubric.visibility_of(t))
            for t in setup.rubric.tasks]


def _missing_run(plan: plans.Plan) -> sandbox.ChildRun:
    """No code file at all: every file check reports the missing file without starting a child."""
    run = sandbox.ChildRun(finished=True)
    for job in plan.jobs:
        run.jobs[job["id"]] = {"status": "missing", "error": f"the submission has no file {job['file']}",
                               "seconds": 0.0, "observed": {}, "fd": None}
    return run


def grade_submission(path: Path, setup: SheetSetup, limits: sandbox.Limits = sandbox.Limits()) -> SubmissionReport:
    started = time.monotonic()
    rubric = setup.rubric
    sub = intake.open_submission(path, rubric.sheet, rubric.files)
    report = SubmissionReport(name=sub.name, sheet=rubric.sheet, members=sub.members, points=0.0,
                              max_points=rubric.max_points, flags=list(sub.flags), path=intake.printable(str(path)))
    try:
        if sub.problem:
            report.flags.append(sub.problem)
            report.tasks = _failed_everywhere(setup, sub.problem)
            return report
        answers, answers_problem = intake.read_answers(sub.files.get(rubric.answers_file))
        if answers_problem:
            report.flags.append(answers_problem)
        code = {name: p for name, p in sub.files.items() if name.endswith(".py")}
        run = None
        if setup.plan.jobs:
            present = [f for f in rubric.files if f in code]
            for name in rubric.files:
                if name not in code:
                    report.flags.append(f"missing file {name}")
            if present:
                for name, source in setup.provided().items():
                    code.setdefault(name, source)
                run = sandbox.run_child(code, setup.plan.jobs, setup.plan.arrays,
                                        file_order=present + [f for f in rubric.provided if f not in present],
                                        aliases=rubric.aliases, limits=limits)
                _note_run(run, report)
            else:
                run = _missing_run(setup.plan)
        report.tasks = judge.judge_submission(rubric, setup.key, setup.plan, run, answers, answers_problem)
        report.points = round(sum(t.points for t in report.tasks), 4)
        return report
    finally:
        sub.cleanup()
        report.seconds = round(time.monotonic() - started, 3)


def _note_run(run: sandbox.ChildRun, report: SubmissionReport) -> None:
    for load in run.loads:
        for entry in load["log"]:
            report.notes.append(FileNote(file=load["file"], line=entry["line"], kind=entry["kind"],
                                         message=entry["error"]))
    if report.notes:
        report.flags.append(f"{len(report.notes)} top-level statement(s) failed; grading went on")
    if run.killed:
        report.flags.append(run.killed)
    if not run.layers.get("network", False) and run.layers:
        report.flags.append("network isolation unavailable on this machine")
    report.student_seconds = round(sum(load["seconds"] for load in run.loads)
                                   + sum(job["seconds"] for job in run.jobs.values()), 4)
    report.output = (run.stdout[-2000:] + ("\n" + run.stderr[-2000:] if run.stderr else "")).strip()


def grade_safely(path: Path, setup: SheetSetup, limits: sandbox.Limits) -> SubmissionReport:
    """A grader bug on one submission is reported on that submission; the run goes on."""
    try:
        return grade_submission(path, setup, limits)
    except Exception as exc:
        why = f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:200]}); please report it"
        name = intake.submission_name(path)
        members, _ = intake.parse_members(name)
        return SubmissionReport(name=name, sheet=setup.rubric.sheet, members=members, points=0.0,
                                max_points=setup.rubric.max_points, flags=[why], path=intake.printable(str(path)),
                                tasks=_failed_everywhere(setup, why), grader_error=why)


def grade(pairs: list[tuple[Path, SheetSetup]], workers: int | None = None,
          on_done: Callable[[SubmissionReport], None] | None = None,
          limits: sandbox.Limits = sandbox.Limits(),
          previous: list[SubmissionReport] = ()) -> RunReport:
    """Grade every pair; submissions already in `previous` (same sheet and path) are kept, not re-run."""
    workers = max(1, workers or os.cpu_count() or 1)
    sandbox.matplotlib_cache()
    kept = {(r.sheet, r.path): r for r in previous}
    keys = [(setup.rubric.sheet, intake.printable(str(path))) for path, setup in pairs]  # as reports store them
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {k: pool.submit(grade_safely, path, setup, limits)
                   for k, (path, setup) in zip(keys, pairs) if k not in kept}
        for future in as_completed(futures.values()):
            if on_done:
                on_done(future.result())
    reports = [kept[k] if k in kept else futures[k].result() for k in keys]
    return RunReport(grader_version=version("nngrade"), submissions=reports)
