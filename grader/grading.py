"""Grade submissions: intake -> worker -> judge -> SubmissionReport, one submission at a time.

Each submission runs in its own child, several children in parallel (threads only
wait on processes here). Per sheet the rubric, answer key and plan are built once;
per submission only its report is kept, so the parent's memory stays flat.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from grader import fingerprint, frameworks, known_mistakes, lateness, mutants, plans, sandbox, scratch
from grader.environment import Environment, probe
from grader.found import Found
from grader import isolation
from grader.isolation import Isolation, detect, read_only_roots
from grader.report.models import NotGraded, RunReport, SheetOrigin, SubmissionReport, TaskResult
from grader.rubric import Rubric, provided_file
from grader.sheets import Sheet


@dataclass(frozen=True)
class SheetSetup:
    sheet: Sheet
    rubric: Rubric
    key: dict[str, Any]
    plan: plans.Plan
    environment: Environment = Environment(None)
    feedback: Path | None = None  # write each notebook, run and annotated, as HTML into this folder
    unavailable: frozenset[str] = frozenset()  # tasks needing modules the environment lacks: not run
    isolation: Isolation = Isolation()
    # answer-key name -> values of known mistakes; the error model's sweep runs in the background while the
    # children run, and the judge waits for it only when it first needs it
    known: Future | dict[str, list] = field(default_factory=dict)

    @property
    def mistakes(self) -> dict[str, list]:
        return known_mistakes.result(self.known, self.sheet.reference, self.rubric, self.key)

    def pending_mistakes(self) -> Mapping[str, list]:
        """`mistakes` as a mapping that waits for the sweep only when a check first looks something up."""
        return known_mistakes.Pending(lambda: self.mistakes)

    @property
    def rubric_path(self) -> Path:
        return self.sheet.rubric

    @classmethod
    def build(cls, sheet: Sheet, rubric: Rubric, python: str | None = None) -> "SheetSetup":
        key, trace = mutants.traced_key(sheet.reference, rubric.given)
        required = tuple(sorted({m for task in rubric.tasks for m in task.requires} | set(frameworks.FRAMEWORKS)))
        packages = tuple(dict.fromkeys(["grader", "reference", sheet.reference.__name__.partition(".")[0]]))
        environment = probe(python or rubric.python, required, packages)
        unavailable = frozenset(t.id for t in rubric.tasks if environment.missing(t.requires))
        return cls(sheet, rubric, key, plans.build(rubric, key, sheet.reference, unavailable), environment,
                   unavailable=unavailable, isolation=sandbox_for(environment, sheet),
                   known=known_mistakes.start(sheet.reference, rubric.given, key, trace))

    def unneeded(self, file: str) -> list[str]:
        """The modules a file's tasks need and the environment lacks, when no other task needs the file."""
        tasks = [t for t in self.rubric.tasks if any(getattr(c, "file", None) == file for c in t.checks)]
        if not tasks or any(t.id not in self.unavailable for t in tasks):
            return []
        return list(dict.fromkeys(m for t in tasks for m in self.environment.missing(t.requires)))

    def provided(self) -> dict[str, Path]:
        """The course's files and data a submission gets when it lacks them."""
        files = {name: provided_file(self.rubric_path, self.rubric, name) for name in self.rubric.provided}
        return {**files, **data_files(self.rubric.sheet, tuple(sorted(self.rubric.data.items())), self.key)}


_DATA = scratch.path("data")
atexit.register(shutil.rmtree, _DATA, True)


def data_files(sheet: str, names: tuple[tuple[str, str], ...], key: dict[str, Any]) -> dict[str, Path]:
    """The rubric's data files as .npy, written once per run and sheet (the answer key's arrays, saved without
    pickling); the child gets read-only copies in its workspace."""
    out = {}
    for file, entry in names:
        array = np.ascontiguousarray(key[entry])
        folder = _DATA / sheet / hashlib.sha256(array.tobytes() + str(array.shape).encode()).hexdigest()[:16]
        path = folder / file
        if not path.exists():  # several submissions at once: each writes its own copy, the last rename wins
            folder.mkdir(parents=True, exist_ok=True)
            part = folder / f".{file}.{threading.get_ident()}"
            with open(part, "wb") as fh:
                np.save(fh, array, allow_pickle=False)
            os.replace(part, path)
        out[file] = path
    return out


def sandbox_for(environment: Environment, sheet: Sheet) -> Isolation:
    """The isolation layers for children of this interpreter, probed once per run. The grader's folders and the
    sheet's (its reference, its rubric) are hidden in the child, also where they lie among its libraries (a wheel
    install, a sheet pack in site-packages)."""
    python = environment.python or sys.executable
    roots = read_only_roots(environment.python, list(environment.roots) or sandbox.library_paths(),
                            sandbox.WORKER.parent)
    hidden = tuple(dict.fromkeys([*sandbox.GRADER_FOLDERS, *map(str, sheet.hidden), *environment.installed]))
    return detect(python, tuple(roots), hidden)


def failed_everywhere(setup: SheetSetup, message: str) -> list[TaskResult]:
    return failed_everywhere_of(setup.rubric, message)


def failed_everywhere_of(rubric: Rubric, message: str) -> list[TaskResult]:
    return [TaskResult(id=t.id, title=t.title, points=0.0, max_points=t.points, status="error", message=message,
                       detail=message, bonus=t.bonus, visibility=rubric.visibility_of(t)) for t in rubric.tasks]


def grade_submission(found: Found, setup: SheetSetup, limits: sandbox.Limits = sandbox.Limits()) -> SubmissionReport:
    """One submission graded (grader/submission_grading.py, loaded only when something is graded)."""
    from grader.submission_grading import grade_one

    return grade_one(found, setup, limits)


def grade_safely(found: Found, setup: SheetSetup, limits: sandbox.Limits) -> SubmissionReport:
    """A grader bug on one submission is reported on that submission; the run goes on."""
    try:
        return grade_submission(found, setup, limits)
    except Exception as exc:
        why = f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:200]}); please report it"
        return failure_report(found, setup.rubric, why)


def failure_report(found: Found, rubric: Rubric, why: str) -> SubmissionReport:
    """A submission the grader could not grade: every task an error with the reason, the run goes on."""
    return SubmissionReport(name=found.name, sheet=rubric.sheet, members=found.member_list(), points=0.0,
                            max_points=rubric.max_points, flags=[why], path=found.shown,
                            tasks=failed_everywhere_of(rubric, why), grader_error=why)


Todo = list[tuple[Found, SheetSetup, str]]  # what to grade, with the fingerprint each result gets
Runner = Callable[[Todo], Iterator[SubmissionReport]]


def local_runner(workers: int | None = None, limits: sandbox.Limits = sandbox.Limits()) -> Runner:
    """Children on this machine, `workers` at a time (threads only wait on processes here)."""
    def run(todo: Todo) -> Iterator[SubmissionReport]:
        if todo:  # imported here, not in a grading thread: nbformat's imports parse (grader/syntax.py)
            import grader.submission_grading  # noqa: F401
        with ThreadPoolExecutor(max_workers=max(1, workers or os.cpu_count() or 1)) as pool:
            futures = [pool.submit(_fingerprinted, found, setup, limits, print_) for found, setup, print_ in todo]
            for future in as_completed(futures):
                yield future.result()
    return run


def grade(pairs: list[tuple[Found, SheetSetup]], workers: int | None = None,
          on_done: Callable[[SubmissionReport], None] | None = None,
          limits: sandbox.Limits = sandbox.Limits(),
          previous: list[SubmissionReport] = (), feedback: Path | None = None,
          not_graded: list[NotGraded] = (), runner: Runner | None = None) -> RunReport:
    """Grade every pair; a submission already in `previous` (same sheet and path) is kept, not re-run, when
    nothing it depends on changed (grader/fingerprint.py). With `feedback`, every notebook is also written there
    as an annotated HTML page. Lateness is assessed on every result, kept or new, from the time found now.
    `runner` grades what is left: children on this machine by default, a Dask cluster (grader/cluster.py)."""
    runner = runner or local_runner(workers, limits)
    if feedback is not None:
        with_feedback: dict[int, SheetSetup] = {}
        pairs = [(path, with_feedback.setdefault(id(setup), replace(setup, feedback=feedback)))
                 for path, setup in pairs]
    scratch.sweep_orphans()  # what a killed run left in the temporary folder, and in the cgroups
    isolation.sweep_cgroups()
    sandbox.matplotlib_cache()
    keys = [(setup.rubric.sheet, found.shown) for found, setup in pairs]  # as reports store them
    prints = {k: fingerprint.of(found.path, setup, found.identity()) for k, (found, setup) in zip(keys, pairs)}
    kept = {(r.sheet, r.path): r for r in previous if r.fingerprint and r.fingerprint == prints.get((r.sheet, r.path))}
    done: dict[tuple[str, str], SubmissionReport] = {}
    for report in runner([(found, setup, prints[k]) for k, (found, setup) in zip(keys, pairs) if k not in kept]):
        done[(report.sheet, report.path)] = report
        if on_done:
            on_done(report)
    reports = [lateness.assess(kept[k] if k in kept else done[k], setup.rubric.deadline,
                               found.submitted_at, found.time_source)
               for k, (found, setup) in zip(keys, pairs)]
    layers = {(layer.name, layer.active, layer.how): layer for _, setup in pairs for layer in setup.isolation.layers}
    origins = {setup.sheet.id: SheetOrigin.of(setup.sheet) for _, setup in pairs}
    return RunReport(grader_version=version("nngrade"), submissions=reports, isolation=list(layers.values()),
                     sheets=list(origins.values()), reused=sum(k in kept for k in keys), not_graded=list(not_graded))


def _fingerprinted(found: Found, setup: SheetSetup, limits: sandbox.Limits, print_: str) -> SubmissionReport:
    report = grade_safely(found, setup, limits)
    report.fingerprint = print_
    return report
