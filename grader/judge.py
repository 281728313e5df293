"""Observed data + reference values -> task results with points, statuses and messages.

Runs in the trusted parent on plain data. A task's points are split across its
checks by weight; manual checks keep their share pending for a tutor.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from grader import frameworks, stand_in
from grader.checks import Context, NotebookRun, Outcome
from grader.checks import answer, cell, choice, expression, figure, gradient, manual, property as property_check
from grader.checks import parameters, runs, statistics, training, value
from grader.environment import Environment
from grader.plans import Plan, job_id, retry_id
from grader.report.models import TaskResult
from grader.rubric import Rubric, Task
from grader.rubric.cross_checks import needed
from grader.sandbox import ChildRun

JUDGES: dict[str, Callable[[Any, Context], Outcome]] = {
    "manual": manual.judge,
    "answer": answer.judge,
    "expression": expression.judge,
    "choice": choice.judge,
    "value": value.judge,
    "property": property_check.judge,
    "gradient": gradient.judge,
    "statistics": statistics.judge,
    "training": training.judge,
    "parameters": parameters.judge,
    "runs": runs.judge,
    "cell": cell.judge,
    "figure": figure.judge,
}


def task_status(outcomes: list[tuple[Any, Outcome]]) -> str:
    auto = [o for c, o in outcomes if c.kind != "manual"]
    has_manual = len(auto) < len(outcomes)
    if not auto:
        return "pending-manual"
    if all(o.status == "passed" for o in auto):
        return "pending-manual" if has_manual else "passed"
    if any(o.score > 0 for o in auto):
        return "partial"
    for status in ("timeout", "error"):
        if any(o.status == status for o in auto):
            return status
    if all(o.status == "not-attempted" for o in auto):
        return "not-attempted"
    return "failed"


def _message(task: Task, outcomes: list[tuple[Any, Outcome]], status: str) -> tuple[str, str]:
    auto = [(c, o) for c, o in outcomes if c.kind != "manual"]
    bad = [o for _, o in auto if o.status != "passed"]
    manual_criteria = [c.criteria for c, _ in outcomes if c.kind == "manual"]
    if bad:
        message = "; ".join(dict.fromkeys(o.message for o in bad))
        hints = [c.hint for c, o in auto if o.status != "passed" and c.hint] + ([task.hint] if task.hint else [])
        if hints and status in ("failed", "partial"):
            message += f". Hint: {hints[0]}"
    elif auto:
        message = "all automatic checks passed"
    else:
        message = ""
    if manual_criteria:
        message += ("; " if message else "") + "part of this task is graded by a tutor"
    detail = " | ".join(f"{c.kind}: {o.status}: {o.detail or o.message}" for c, o in outcomes)
    return message, detail


def judge_task(task: Task, rubric: Rubric, context_for: Callable[[int, Any], Context],
               refused: dict[str, Outcome] | None = None) -> TaskResult:
    """`refused`: files whose checks earn nothing in this task (a stand-in that is not the work), with why."""
    refused = refused or {}
    outcomes = [(check, refused.get(getattr(check, "file", None)) or JUDGES[check.kind](check, context_for(i, check)))
                for i, check in enumerate(task.checks)]
    total = sum(c.weight for c, _ in outcomes)
    earned = sum(c.weight * o.score for c, o in outcomes if c.kind != "manual")
    pending = sum(c.weight for c, _ in outcomes if c.kind == "manual")
    status = task_status(outcomes)
    message, detail = _message(task, outcomes, status)
    diagnoses = list(dict.fromkeys(d for _, o in outcomes for d in o.diagnoses))
    return TaskResult(
        id=task.id, title=task.title, points=round(task.points * earned / total, 4), max_points=task.points,
        status=status, message=message, detail=detail, diagnoses=diagnoses, bonus=task.bonus,
        visibility=rubric.visibility_of(task), pending_points=round(task.points * pending / total, 4),
    )


def unavailable(task: Task, rubric: Rubric, missing: list[str], environment: Environment,
                file: str | None = None) -> TaskResult:
    """A task the grading environment cannot check: no automatic points, and not the student's failure."""
    needs = f"{file} imports" if file else "needs"
    message = (f"{needs} {' and '.join(missing)}, which the grading environment lacks; not graded automatically. "
               "Grade with --python PATH of an interpreter that has them")
    return TaskResult(id=task.id, title=task.title, points=0.0, max_points=task.points, status="unavailable",
                      message=message, detail=f"{message} (environment: {environment.label})", bonus=task.bonus,
                      visibility=rubric.visibility_of(task), pending_points=task.points)


def judge_submission(rubric: Rubric, module: ModuleType, key: dict[str, Any], plan: Plan, run: ChildRun | None,
                     answers: dict[str, Any] | None, answers_problem: str | None,
                     notebooks: dict[str, NotebookRun] | None = None,
                     environment: Environment = Environment(None),
                     mistakes: Mapping[str, list] | None = None,
                     lacking: dict[str, tuple[str, list[str]]] | None = None) -> list[TaskResult]:
    """`module`: the sheet's reference. `lacking`: the submission's files that import a framework the environment
    lacks; their tasks that do not pass are unavailable, never failed on the NameErrors that follow."""
    results = []
    lacking = lacking or {}
    notebooks = notebooks or {}
    functions = {name: prop.functions() for name, prop in getattr(module, "PROPERTIES", {}).items()}
    for task in rubric.tasks:
        missing = environment.missing(task.requires)
        if missing:
            results.append(unavailable(task, rubric, missing, environment))
            continue
        blocked = next((f for c in task.checks if (f := getattr(c, "file", None)) in lacking
                        and f in notebooks and frameworks.missing_in(notebooks[f], lacking[f][1])), None)

        def context_for(index: int, check: Any, task: Task = task) -> Context:
            jid = job_id(task.id, index)
            file = getattr(check, "file", None)
            # a public check's message shows expected values, but never one equal to a hidden task's answer
            reveal = rubric.visibility_of(task) == "public" and not any(name in plan.secret
                                                                         for _, name in needed(check))
            return Context(key=key, defaults=rubric.defaults, reveal=reveal,
                           sheet=rubric.sheet, reference=module, job=run.jobs.get(jid) if run is not None else None,
                           retry=run.jobs.get(retry_id(jid)) if run is not None else None,
                           answers=answers, answers_problem=answers_problem,
                           property_input=plan.property_inputs.get(jid), batch=plan.batches.get(jid, ()),
                           killed=run.killed if run is not None else None,
                           timed_out=run is not None and run.timed_out,
                           notebook=notebooks.get(file) if file else None,
                           mistakes=mistakes if mistakes is not None else {})
        files = {c.file for c in task.checks if getattr(c, "file", None)}
        refused = {f: o for f in files if (o := stand_in.refusal(task, rubric, notebooks.get(f), f, functions))}
        result = judge_task(task, rubric, context_for, refused)
        if blocked and result.status in ("failed", "error", "not-attempted", "timeout"):
            # what the file's own numpy code does is graded; what fails may be the missing framework's doing
            shown, missing = lacking[blocked]  # the submission's file: code2.ipynb for code2.py
            result = unavailable(task, rubric, missing, environment, shown)
        if run is not None:
            jobs = [run.jobs.get(job_id(task.id, i), {}) for i in range(len(task.checks))]
            result.seconds = round(sum(job.get("seconds", 0.0) for job in jobs), 4)
            accepted = list(dict.fromkeys(a for job in jobs for a in job.get("aliases") or []))
            if accepted:  # the freedom the sheet leaves, and which choice was graded
                result.detail += f" | accepted: {', '.join(accepted)}"
            # where the student's code raised, when it did: CI annotations point there
            raised = next((job for job in jobs if job.get("line") and job.get("where")), None)
            if raised is not None and result.status != "passed":
                shown = notebooks.get(raised["where"])  # a file the rubric names: the submission's own name of it
                result.file, result.line = (shown.name if shown else raised["where"]), raised["line"]
                result.cell = raised.get("cell")
        results.append(result)
    return results
