"""A file that stands in for a rubric file (code2.ipynb for code2.py, the one notebook left over) earns only
where it defines what a task needs.

Intake takes a lone file for a missing rubric file so that work handed in under another name is graded. That is
fair only when the file is the work: a stand-in that defines none of the names a task's checks use (the functions
it calls, the classes it builds, the names it reads) earns nothing there, not even "runs top to bottom", whether
or not an answers file lies beside it.
"""
from __future__ import annotations

from typing import Any

from grader.checks import NotebookRun, Outcome
from grader.rubric import NewStep, Rubric, SetStep, Task


def _root(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def _references(value: Any) -> set[str]:
    """"%Name" references to the student's own names, anywhere in a step's arguments."""
    if isinstance(value, str) and value.startswith("%"):
        return {_root(value[1:])}
    if isinstance(value, (list, tuple)):
        return set().union(*map(_references, value)) if value else set()
    if isinstance(value, dict):
        return set().union(*map(_references, value.values())) if value else set()
    return set()


def check_names(check: Any, functions: dict[str, set[str]]) -> set[str]:
    """The student's top-level names a check uses; step results (`@name`, a step's own `name`) are not."""
    names: set[str] = set()
    local: set[str] = set()
    for step in [*getattr(check, "steps", []), *getattr(check, "loss_steps", []),
                 *(check.retry.steps if getattr(check, "retry", None) else [])]:
        if isinstance(step, NewStep):
            names.add(_root(step.cls))
            names |= _references(step.args) | _references(step.kwargs)
        elif isinstance(step, SetStep):
            if _root(step.target) not in local:
                names.add(_root(step.target))
            names |= _references(step.value)
        else:
            if _root(step.target) not in local:
                names.add(_root(step.target))
            names |= _references(step.args) | _references(step.kwargs)
        local.add(step.name if not isinstance(step, SetStep) else _root(step.target))
    if check.kind == "property":
        names |= functions.get(check.property, set())
    if check.kind == "cell" and check.variable:
        names.add(_root(check.variable))
    return names - local


def refusal(task: Task, rubric: Rubric, run: NotebookRun | None, file: str,
            functions: dict[str, set[str]]) -> Outcome | None:
    """Why the checks of `task` on `file` earn nothing, when `file` is a stand-in that defines none of the names
    the task needs (tasks that use no names, like "runs", need one of the names of the file's other tasks)."""
    if run is None or not run.stand_in or run.defined is None:
        return None
    needed = set().union(*(check_names(c, functions) for c in task.checks if getattr(c, "file", None) == file))
    if not needed:
        needed = set().union(*(check_names(c, functions) for t in rubric.tasks for c in t.checks
                               if getattr(c, "file", None) == file))
    if not needed:
        return None
    accepted = needed | {alias for name in needed for alias in rubric.aliases.get(name, [])}
    if accepted & run.defined:
        return None
    return Outcome(0.0, "error", f"{run.name} was taken for {file}, but it defines none of what this task needs "
                                 f"({', '.join(sorted(needed))}); hand in {file}")
