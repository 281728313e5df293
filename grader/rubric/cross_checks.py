"""Cross-checks of a rubric against its sheet's reference: given data the reference's models accept, answer-key
names that exist, plans that refer only to earlier steps, points that add up, and no hidden value in a message.
"""
from __future__ import annotations

import math
import re
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from grader.rubric.checks import NOTEBOOK_KINDS
from grader.rubric.loading import Problem, _field_path
from grader.rubric.models import Rubric
from grader.rubric.steps import IDENT_RE, PATH_RE, SetStep, key_refs
from reference.mistakes import alternatives as listed_mistakes

# --- cross-checks against the reference ----------------------------------------------------

def _given_problems(rubric: Rubric, file: str, module) -> list[Problem]:
    problems = []
    models = getattr(module, "GIVEN_MODELS", {})
    optional = getattr(module, "OPTIONAL_GIVEN", set())
    for section in models:
        if section not in rubric.given and section not in optional:
            problems.append(Problem(file, None, f"given.{section}", "missing: the reference needs this section"))
    for section, data in rubric.given.items():
        if section not in models:
            problems.append(Problem(file, None, f"given.{section}",
                                    f"unknown section; the reference reads {', '.join(models) or 'none'}"))
            continue
        try:
            models[section].model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = _field_path(("given", section) + tuple(err["loc"]))
                problems.append(Problem(file, None, where, err["msg"].removeprefix("Value error, ")))
    for i, a in enumerate(rubric.assumptions):
        section, _, name = a.given.rpartition(".")
        if section not in rubric.given or name not in rubric.given[section]:
            problems.append(Problem(file, None, f"assumptions[{i}].given", f"{a.given!r} names no given value"))
    return problems


def _step_values(step) -> list[Any]:
    return [step.value] if isinstance(step, SetStep) else [step.args, step.kwargs]


def _steps_refs(steps: list) -> list[str]:
    return [ref for step in steps for value in _step_values(step) for ref in key_refs(value)]


def _local_refs(value: Any) -> list[str]:
    """The step results a value uses: "@updated[0]" and "@variables.params" use `updated` and `variables`."""
    if isinstance(value, str):
        m = re.match(r"@([A-Za-z_][A-Za-z0-9_]*)", value)
        return [m.group(1)] if m else []
    if isinstance(value, list):
        return [r for item in value for r in _local_refs(item)]
    if isinstance(value, dict):
        return [r for item in value.values() for r in _local_refs(item)]
    return []


def _plan_order_problems(steps: list) -> list[str]:
    """'@name' must name an object or result that an earlier step created."""
    known: set[str] = set()
    out = []
    for i, step in enumerate(steps):
        for value in _step_values(step):
            for name in _local_refs(value):
                if name not in known:
                    out.append(f"step {i + 1} uses @{name}, which no earlier step creates")
        if not isinstance(step, SetStep):
            known.add(step.name)
        elif IDENT_RE.match(step.target):  # `set` of a bare name creates a result the plan can use
            known.add(step.target)
    return out


def needed(check) -> list[tuple[str, str]]:
    """(field, answer-key name) for every entry a check reads: inputs its plan passes and values it compares with
    (a sheet kit keeps a task only where all of them are public)."""
    out: list[tuple[str, str | None]] = []
    if check.kind in ("cell", "parameters"):
        out.append(("expect", check.expect))
    if hasattr(check, "steps"):
        out += [("steps", ref) for ref in _steps_refs(list(check.steps) + list(getattr(check, "loss_steps", [])))]
    if getattr(check, "retry", None) is not None:
        out += [("retry.steps", ref) for ref in _steps_refs(check.retry.steps)]
    if check.kind in ("answer", "choice"):
        out.append(("key", check.key))
    if check.kind == "value" and check.recompute is None:
        out += [(f"observe.{path}", name) for path, name in check.observe.items()]
    if check.kind == "gradient":
        out += [(f"expect.{path}", name) for path, name in check.expect.items()]
    if check.kind == "training":
        out += [("min_accuracy", check.min_accuracy), ("targets", check.targets), ("data", check.data)]
    return [(field, name) for field, name in out if name is not None]


def _check_problems(check, key: dict[str, Any], module, rubric: Rubric) -> list[tuple[str, str]]:
    """(field, message) pairs for one check."""
    out: list[tuple[str, str]] = []
    formulas = getattr(module, "FORMULAS", {})
    properties = getattr(module, "PROPERTIES", {})
    out += [(field, f"{name!r} is not in the sheet's answer key (see `grade key {rubric.sheet}`)")
            for field, name in needed(check) if name not in key]
    if hasattr(check, "file") and check.file not in rubric.files:
        out.append(("file", f"{check.file!r} is not among the rubric's files {rubric.files}"))
    if check.kind in NOTEBOOK_KINDS and not check.file.endswith(".ipynb"):
        out.append(("file", f"{check.kind} checks read a notebook's cells; {check.file!r} is not an .ipynb file"))
    if hasattr(check, "steps"):
        steps = list(check.steps) + list(getattr(check, "loss_steps", []))
        out.extend(("steps", message) for message in _plan_order_problems(steps))
    if getattr(check, "retry", None) is not None:
        out.extend(("retry.steps", message) for message in _plan_order_problems(check.retry.steps))
    if check.kind == "expression" and check.key not in formulas:
        out.append(("key", f"{check.key!r} is not a reference formula; known: {', '.join(formulas) or 'none'}"))
    if check.kind == "value" and check.recompute is not None:
        out.extend(_recompute_problems(check, getattr(module, "RECOMPUTE", {})))
    if check.kind == "gradient":
        for path in list(check.gradients) + list(check.gradients.values()) + [check.loss]:
            if not PATH_RE.match(path):
                out.append(("gradients", f"{path!r} is not a name path"))
    if check.kind == "property" and check.property not in properties:
        out.append(("property", f"{check.property!r} is not a reference property; known: {', '.join(properties) or 'none'}"))
    return out


def _recompute_problems(check, known: dict[str, Any]) -> list[tuple[str, str]]:
    if check.recompute not in known:
        return [("recompute", f"{check.recompute!r} is not a reference recomputation; known: {', '.join(known) or 'none'}")]
    spec = known[check.recompute]
    names = set(check.observe.values())
    out = [(f"observe.{path}", f"{name!r} is neither an input nor an output of {check.recompute}")
           for path, name in check.observe.items() if name not in spec.inputs and name not in spec.outputs]
    out += [("observe", f"{check.recompute} needs the student's {name!r}: observe it")
            for name in spec.inputs if name not in names]
    return out


def cross_check(rubric: Rubric, file: str, module: ModuleType) -> list[Problem]:
    """Problems only the sheet's reference `module` can find."""
    problems = _given_problems(rubric, file, module)
    if problems:
        return problems  # the answer key cannot be computed from broken given data
    try:
        key = module.answer_key(rubric.given)
    except Exception as exc:  # the reference failing on valid given data is a rubric problem to report
        return [Problem(file, None, "given", f"the reference cannot compute the answer key: {exc}")]
    for task in rubric.tasks:
        for i, check in enumerate(task.checks):
            for field, message in _check_problems(check, key, module, rubric):
                problems.append(Problem(file, task.id, f"checks[{i}].{field}", message))
    problems.extend(_leak_problems(rubric, file))
    for name, spec in {**rubric.student_values, **{f: None for f in rubric.data.values()}}.items():
        what = "student_values" if spec is not None else "data"
        if name not in key:
            problems.append(Problem(file, None, what, f"{name!r} is not an answer-key entry of {rubric.sheet}"))
    if rubric.total_points is not None and not math.isclose(rubric.max_points, rubric.total_points, abs_tol=1e-9):
        problems.append(Problem(file, None, "total_points",
                                f"the sheet's total is {rubric.total_points:g} but the non-bonus tasks add up to {rubric.max_points:g}"))
    return problems


def mistake_problems(rubric: Rubric, file: str, module: ModuleType) -> list[Problem]:
    """The reference's listed mistakes that raise on this rubric's given data: grading skips them (a student must
    never lose a point to them), so only `grade rubric check` can tell the course."""
    failures: list[tuple[str, Exception]] = []
    listed_mistakes(module, rubric.given, module.answer_key(rubric.given), failures)
    return [Problem(file, None, "MISTAKES", f"the reference's mistake {mistake_id!r} raises {type(exc).__name__}: "
                                            f"{exc}; grading skips it") for mistake_id, exc in failures]


def _leak_problems(rubric: Rubric, file: str) -> list[Problem]:
    """A public task shows its expected values in self-check: it must not grade a hidden task's key."""
    problems = []
    for name, task_ids in key_usage(rubric).items():
        tasks = [rubric.task(t) for t in task_ids]
        hidden = [t.id for t in tasks if rubric.visibility_of(t) == "hidden"]
        for t in tasks:
            if hidden and rubric.visibility_of(t) == "public":
                problems.append(Problem(file, t.id, "visibility",
                                        f"public, but grades {name!r} which hidden task {hidden[0]} keeps secret"))
    return problems


def key_usage(rubric: Rubric) -> dict[str, list[str]]:
    """Answer key name -> ids of the tasks that grade against it (for the tutor's key table)."""
    usage: dict[str, list[str]] = {}

    def use(name: str | None, task_id: str) -> None:
        if name is not None and task_id not in usage.setdefault(name, []):
            usage[name].append(task_id)

    for task in rubric.tasks:
        for check in task.checks:
            if check.kind in ("answer", "choice", "expression"):
                use(check.key, task.id)
            if check.kind == "value" and check.recompute is None:
                for name in check.observe.values():
                    use(name, task.id)
            if check.kind == "gradient":
                for name in check.expect.values():
                    use(name, task.id)
            if check.kind == "training":
                use(check.min_accuracy, task.id)
                use(check.data, task.id)
            if check.kind == "property":
                use(f"property.{check.property}", task.id)
            if check.kind in ("cell", "parameters"):
                use(check.expect, task.id)
    return usage
