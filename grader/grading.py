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
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from grader import (fingerprint, frameworks, intake, judge, known_mistakes, lateness, mutants, notebook, plans,
                    sandbox, scratch)
from grader.checks import NotebookRun
from grader.found import Found
from grader.environment import Environment, probe
from grader.isolation import Isolation, detect, read_only_roots
from grader.report import notebook_html
from grader.report.files import write_atomic
from grader.report.models import FileNote, NotGraded, RunReport, SheetOrigin, SubmissionReport, TaskResult
from grader.rubric import Rubric, provided_file
from grader.sheets import Sheet
from grader.sources import Sources, same_file, sources_of, watch_of


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


def _failed_everywhere(setup: SheetSetup, message: str) -> list[TaskResult]:
    return [TaskResult(id=t.id, title=t.title, points=0.0, max_points=t.points, status="error", message=message,
                       detail=message, bonus=t.bonus, visibility=setup.rubric.visibility_of(t))
            for t in setup.rubric.tasks]


def _missing_run(jobs: list[dict[str, Any]], problems: dict[str, str]) -> sandbox.ChildRun:
    """Checks of files that are missing, or there but unusable (a broken notebook, with its reason), report
    that without starting a child."""
    run = sandbox.ChildRun(finished=True)
    for job in jobs:
        status, why = ("error", problems[job["file"]]) if job["file"] in problems else \
            ("missing", f"the submission has no file {job['file']}")
        run.jobs[job["id"]] = {"status": status, "error": why, "seconds": 0.0, "observed": {}, "fd": None}
    return run


def grade_submission(found: Found, setup: SheetSetup, limits: sandbox.Limits = sandbox.Limits()) -> SubmissionReport:
    started = time.monotonic()
    rubric = setup.rubric
    path = found.path
    sub = intake.open_submission(path, rubric.sheet, rubric.files, found.name,
                                 list(found.members) if found.members is not None else None)
    report = SubmissionReport(name=sub.name, sheet=rubric.sheet, members=sub.members, points=0.0,
                              max_points=rubric.max_points, flags=[*found.flags, *sub.flags], path=found.shown)
    try:
        if sub.problem:
            report.flags.append(sub.problem)
            report.tasks = _failed_everywhere(setup, sub.problem)
            return report
        answers, answers_problem = intake.read_answers(sub.files.get(rubric.answers_file))
        if answers_problem:
            report.flags.append(answers_problem)
        chosen, matched = intake.match_files(sub.files, rubric.files)
        report.flags.extend(matched)
        sources = sources_of(sub.files, chosen)
        if sources.left_out:
            report.flags.append(f"not used: {', '.join(sources.left_out)} (would replace a library or the grader's code)")
        lacking = sources.frameworks_lacking(setup.environment)
        for name in list(sources.notebooks):
            missing = setup.unneeded(name)
            if missing:  # running it would only fail on its imports
                shown = sources.notebooks.pop(name).name
                lacking.pop(name, None)
                report.flags.append(f"{shown} not run: it needs {', '.join(missing)}, which the grading environment "
                                    "lacks (grade with --python)")
        for shown, missing in lacking.values():
            report.flags.append(f"{shown} imports {', '.join(missing)}, which the grading environment lacks: "
                                "what needs it is unavailable (grade with --python)")
        for name in rubric.files:
            if name not in chosen:
                report.flags.append(f"missing file {name}")
        for name, course in setup.provided().items():
            if name in sub.files and not same_file(sub.files[name], course):
                report.flags.append(f"{name} differs from the course's copy, which was used instead")
        for problem in sources.problems.values():
            report.flags.append(problem)
        for nb in sources.notebooks.values():
            report.flags.extend(nb.notes)
        own = intake.student_values(sub.files, rubric.student_values)
        for key, (value, where) in own.items():
            report.flags.append(f"{where}: used for {key}")
        jobs = plans.personalise(setup.plan.jobs, {key: value for key, (value, _) in own.items()})
        run = None
        if jobs or sources.notebooks:
            run = _run(path, sources, setup, limits, jobs) if sources.loadable \
                else _missing_run(jobs, sources.problems)
            _note_run(run, report, sources)
        runs = sources.runs(run)
        report.tasks = judge.judge_submission(rubric, setup.sheet.reference, setup.key, setup.plan, run, answers,
                                              answers_problem, runs, setup.environment, setup.pending_mistakes(),
                                              lacking)
        report.points = round(sum(t.points for t in report.tasks), 4)
        if setup.feedback is not None:
            _write_notebook_feedback(setup, sources, runs, report)
        return report
    finally:
        sub.cleanup()
        report.seconds = round(time.monotonic() - started, 3)


def _run(submission: Path, sources: Sources, setup: SheetSetup, limits: sandbox.Limits,
         jobs: list[dict[str, Any]]) -> sandbox.ChildRun:
    """Scripts share one child (they import each other); every notebook gets a child of its own, so a
    notebook that crashes its interpreter (a jax abort, a segfault) costs only its own tasks."""
    rubric = setup.rubric
    if rubric.defaults.memory_mb is not None:
        limits = replace(limits, memory_bytes=rubric.defaults.memory_mb * 2**20)
    code = dict(sources.helpers)
    code.update({f"{Path(name).stem}.py": p for name, p in sources.scripts.items()})
    code.update(setup.provided())  # the course's given files are the course's: a submission's copy never replaces them
    # where there is no sandbox the audit hook keeps the child out of the rubrics and the other submissions
    forbidden = (*map(str, setup.sheet.hidden), str(submission.parent))
    script_jobs = [job for job in jobs if job["file"] not in sources.notebooks
                   and job["file"] not in sources.problems]
    runs = [_missing_run([job for job in jobs if job["file"] in sources.problems], sources.problems)]
    scripts = [f for f in rubric.files if f in sources.scripts]
    if scripts:
        runs.append(sandbox.run_child(code, script_jobs, setup.plan.arrays,
                                      file_order=scripts + [f for f in rubric.provided if f not in scripts],
                                      aliases=rubric.aliases, limits=limits, python=setup.environment.python,
                                      isolation=setup.isolation, forbidden=forbidden))
    elif script_jobs:
        runs.append(_missing_run(script_jobs, sources.problems))
    for name, nb in sources.notebooks.items():
        notebooks = sandbox.Notebooks({name: nb.worker_spec(watch_of(rubric, name, nb), rubric.overrides.get(name))},
                                      rubric.defaults.cell_seconds, rubric.defaults.notebook_seconds,
                                      figures=setup.feedback is not None)
        # the scripts load here too: a notebook's checks may need classes of the submission's other files
        runs.append(sandbox.run_child(code, [job for job in jobs if job["file"] == name],
                                      setup.plan.arrays, file_order=scripts + [name] + [
                                          f for f in rubric.provided if f not in scripts],
                                      aliases=rubric.aliases, limits=limits, notebooks=notebooks,
                                      python=setup.environment.python, isolation=setup.isolation,
                                      forbidden=forbidden))
    return sandbox.merge(runs)


def _write_notebook_feedback(setup: SheetSetup, sources: Sources, runs: dict[str, NotebookRun],
                             report: SubmissionReport) -> None:
    for name, nb in sources.notebooks.items():
        node = notebook_html.annotated(nb, name, runs[name].cells, report, setup.rubric)
        write_atomic(notebook_html.path_for(setup.feedback, report, nb), notebook_html.render(node))


MAX_NOTES = 200


def _note_run(run: sandbox.ChildRun, report: SubmissionReport, sources: Sources) -> None:
    for load in run.loads:
        for entry in load["log"]:
            report.notes.append(FileNote(file=load["file"], line=entry["line"], kind=entry["kind"],
                                         message=entry["error"]))
    for name, records in run.cells.items():
        nb = sources.notebooks.get(name)
        shown = nb.name if nb else name
        for record in records:
            if record["status"] != "ok":
                report.notes.append(FileNote(file=shown, cell=record["index"], line=record["line"],
                                             kind=record["status"], message=record["error"] or record["status"],
                                             source=nb.first_line(record["index"]) if nb else ""))
            for command in record["skipped"]:
                report.notes.append(FileNote(file=shown, cell=record["index"], kind="not-run",
                                             message=notebook.not_run(command),
                                             source=nb.first_line(record["index"]) if nb else ""))
    if len(report.notes) > MAX_NOTES:
        report.flags.append(f"{len(report.notes) - MAX_NOTES} more notes not shown")
        del report.notes[MAX_NOTES:]
    failed = [n for n in report.notes if n.kind != "not-run"]
    if failed:
        report.flags.append(f"{len(failed)} top-level statement(s) or cell(s) failed; grading went on")
    if run.killed:
        report.flags.append(run.killed)
    if run.layers.get("network") is False:  # the child's own attempt, where the sandbox gave it none
        report.flags.append("network isolation unavailable on this machine")
    report.student_seconds = round(sum(load["seconds"] for load in run.loads)
                                   + sum(job["seconds"] for job in run.jobs.values()), 4)
    report.output = (run.stdout[-2000:] + ("\n" + run.stderr[-2000:] if run.stderr else "")).strip()


def grade_safely(found: Found, setup: SheetSetup, limits: sandbox.Limits) -> SubmissionReport:
    """A grader bug on one submission is reported on that submission; the run goes on."""
    try:
        return grade_submission(found, setup, limits)
    except Exception as exc:
        why = f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:200]}); please report it"
        return SubmissionReport(name=found.name, sheet=setup.rubric.sheet, members=found.member_list(), points=0.0,
                                max_points=setup.rubric.max_points, flags=[why], path=found.shown,
                                tasks=_failed_everywhere(setup, why), grader_error=why)


def grade(pairs: list[tuple[Found, SheetSetup]], workers: int | None = None,
          on_done: Callable[[SubmissionReport], None] | None = None,
          limits: sandbox.Limits = sandbox.Limits(),
          previous: list[SubmissionReport] = (), feedback: Path | None = None,
          not_graded: list[NotGraded] = ()) -> RunReport:
    """Grade every pair; a submission already in `previous` (same sheet and path) is kept, not re-run, when
    nothing it depends on changed (grader/fingerprint.py). With `feedback`, every notebook is also written there
    as an annotated HTML page. Lateness is assessed on every result, kept or new, from the time found now."""
    workers = max(1, workers or os.cpu_count() or 1)
    if feedback is not None:
        with_feedback: dict[int, SheetSetup] = {}
        pairs = [(path, with_feedback.setdefault(id(setup), replace(setup, feedback=feedback)))
                 for path, setup in pairs]
    scratch.sweep_orphans()  # what a killed run left in the temporary folder
    sandbox.matplotlib_cache()
    keys = [(setup.rubric.sheet, found.shown) for found, setup in pairs]  # as reports store them
    prints = {k: fingerprint.of(found.path, setup, found.identity()) for k, (found, setup) in zip(keys, pairs)}
    kept = {(r.sheet, r.path): r for r in previous if r.fingerprint and r.fingerprint == prints.get((r.sheet, r.path))}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {k: pool.submit(_fingerprinted, found, setup, limits, prints[k])
                   for k, (found, setup) in zip(keys, pairs) if k not in kept}
        for future in as_completed(futures.values()):
            if on_done:
                on_done(future.result())
    reports = [lateness.assess(kept[k] if k in kept else futures[k].result(), setup.rubric.deadline,
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
