"""Grade one submission: open it, run its files in a child, judge what came back (intake -> worker -> judge).

Imported only when a submission is graded: a re-run whose results are all reused never loads the judge, the
checks, nbformat or the notebook export.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader import intake, judge, notebook, plans, sandbox
from grader.checks import NotebookRun
from grader.found import Found
from grader.grading import SheetSetup, failed_everywhere
from grader.report import notebook_html
from grader.report.files import write_atomic
from grader.report.models import FileNote, SubmissionReport
from grader.sources import Sources, same_file, sources_of, watch_of


def _missing_run(jobs: list[dict[str, Any]], problems: dict[str, str]) -> sandbox.ChildRun:
    """Checks of files that are missing, or there but unusable (a broken notebook, with its reason), report
    that without starting a child."""
    run = sandbox.ChildRun(finished=True)
    for job in jobs:
        status, why = ("error", problems[job["file"]]) if job["file"] in problems else \
            ("missing", f"the submission has no file {job['file']}")
        run.jobs[job["id"]] = {"status": status, "error": why, "seconds": 0.0, "observed": {}, "fd": None}
    return run


def grade_one(found: Found, setup: SheetSetup, limits: sandbox.Limits = sandbox.Limits()) -> SubmissionReport:
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
            report.tasks = failed_everywhere(setup, sub.problem)
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
