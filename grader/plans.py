"""Rubric checks -> worker jobs: what the child runs, with the given data it needs.

The child receives inputs only: "$KEY" values are resolved here from the answer
key and shipped as .npy files or JSON literals. Expected values never leave the
parent, so student code cannot read them. Property checks become calls of the
student's functions on inputs drawn here from the rubric's seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from grader.hidden import secret_entries
from grader.rubric import REF_RE, PropertyCheck, Rubric, SetStep
from reference.common import to_plain

FILE_KINDS = ("value", "property", "gradient", "statistics", "training", "parameters")


@dataclass
class Plan:
    """All jobs of one sheet; identical for every submission of that sheet, so built once."""

    jobs: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    property_inputs: dict[str, np.ndarray] = field(default_factory=dict)  # job id -> x
    names: dict[str, str] = field(default_factory=dict)  # "$KEY|shape" -> file name, so each is written once
    student: frozenset[str] = frozenset()  # answer-key names a submission may set itself (rubric student_values)
    secret: frozenset[str] = frozenset()  # entries no student-facing message may show (grader/hidden.py)
    batches: dict[str, tuple[int, ...]] = field(default_factory=dict)  # job id -> sample counts of its inputs

    def array(self, value: np.ndarray, reference: str | None = None) -> dict[str, str]:
        if reference is not None and reference in self.names:
            return {"$npy": self.names[reference]}
        name = f"k{len(self.arrays)}.npy"
        self.arrays[name] = np.ascontiguousarray(value)
        if reference is not None:
            self.names[reference] = name
        return {"$npy": name}


def retry_id(jid: str) -> str:
    return f"{jid}/retry"


def job_id(task_id: str, index: int) -> str:
    return f"{task_id}#{index}"


def _reshape(value: Any, shape: str | None) -> Any:
    if shape is None:
        return value
    array = np.asarray(value, dtype=np.float64)
    if shape == "column":
        return array.reshape(-1, 1)
    if shape == "row":
        return array.reshape(1, -1)
    if shape == "flat":
        return array.reshape(-1)
    return array.tolist()


def _value(value: Any, key: dict[str, Any], plan: Plan) -> Any:
    if isinstance(value, str):
        m = REF_RE.match(value)
        if m and m.group("key") in plan.student and not m.group("shape"):
            return {"$student": m.group("key"), "value": to_plain(key[m.group("key")])}  # personalise() fills it
        if m:
            resolved = _reshape(key[m.group("key")], m.group("shape"))
            return plan.array(resolved, value) if isinstance(resolved, np.ndarray) else to_plain(resolved)
        return value
    if isinstance(value, list):
        return [_value(v, key, plan) for v in value]
    if isinstance(value, dict):
        return {k: _value(v, key, plan) for k, v in value.items()}
    return value


def _steps(steps: list, key: dict[str, Any], plan: Plan) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        data = step.model_dump()
        if isinstance(step, SetStep):
            data["value"] = _value(step.value, key, plan)
        else:
            data["args"] = _value(step.args, key, plan)
            data["kwargs"] = _value(step.kwargs, key, plan)
        out.append(data)
    return out


def _property_job(check: PropertyCheck, module: ModuleType, plan: Plan, jid: str) -> dict[str, Any]:
    prop = module.PROPERTIES[check.property]
    x = prop.inputs(np.random.default_rng(check.seed), check.samples)
    plan.property_inputs[jid] = x
    # an elementwise function written for one number (math.exp) is called per entry where an array fails,
    # and a function the sheet defines on one vector gets a batch row by row
    steps = [{"op": "call", "target": name, "name": f"out{i}", "args": [plan.array(arg)], "kwargs": {},
              "pointwise": np.ndim(arg) == 1, "by_rows": prop.by_rows}
             for i, (name, arg) in enumerate(prop.calls(x))]
    return {"steps": steps, "observe": [f"out{i}" for i in range(len(steps))]}


def build(rubric: Rubric, key: dict[str, Any], module: ModuleType, skip: set[str] = frozenset()) -> Plan:
    """Jobs of every task but those in `skip` (tasks the grading environment cannot check); `module` is the
    sheet's reference (its properties' inputs)."""
    plan = Plan(student=frozenset(rubric.student_values), secret=secret_entries(rubric, key))
    seconds = rubric.defaults.job_seconds
    for task in rubric.tasks:
        if task.id in skip:
            continue
        for index, check in enumerate(task.checks):
            if check.kind not in FILE_KINDS:
                continue
            jid = job_id(task.id, index)
            job: dict[str, Any] = {"id": jid, "file": check.file, "timeout": seconds, "seed": getattr(check, "seed", 0)}
            if check.kind == "property":
                job.update(_property_job(check, module, plan, jid))
            else:
                job["steps"] = _steps(check.steps, key, plan)
            if check.kind == "value":
                job["observe"] = list(check.observe)
            elif check.kind in ("statistics", "parameters"):
                job["observe"] = [check.observe]
            elif check.kind == "training":
                job["observe"] = [p for p in (check.losses, check.predictions, *check.losses_else) if p]
                job["timeout"] = check.time_budget
                if check.retry is not None:  # its own job, after the first: a crash in it cannot cost the first run
                    retry = {**job, "id": retry_id(jid), "steps": _steps(check.retry.steps, key, plan),
                             "observe": [p for p in (check.retry.losses, check.retry.predictions, *check.losses_else)
                                         if p],
                             "for_student_values": check.retry.for_student_values}
            elif check.kind == "gradient":
                job["observe"] = list(check.gradients)
                job["fd"] = {"params": list(dict.fromkeys(check.gradients.values())),
                             "loss_steps": _steps(check.loss_steps, key, plan), "loss": check.loss, "eps": check.eps}
                job["timeout"] = max(seconds, 30.0)
            plan.jobs.append(job)
            if check.kind == "training" and check.retry is not None:
                plan.jobs.append(retry)
            plan.batches[jid] = _sample_counts(job["steps"], plan)
    return plan


def _sample_counts(value: Any, plan: Plan) -> tuple[int, ...]:
    """The lengths of the 2-D input arrays' axes (rows or columns, one sample each) a job passes."""
    if isinstance(value, dict) and set(value) == {"$npy"}:
        shape = plan.arrays[value["$npy"]].shape
        return tuple(n for n in shape if n > 1) if len(shape) == 2 else ()
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return tuple(sorted({n for item in items for n in _sample_counts(item, plan)}))


def personalise(jobs: list[dict[str, Any]], values: dict[str, float]) -> list[dict[str, Any]]:
    """The sheet's jobs for one submission: each value a student may set is the student's where the submission
    sets it, else the key's; a retry that exists for such values runs only where the first run used one."""
    used: set[str] = set()

    def fill(value: Any, job: str) -> Any:
        if isinstance(value, dict) and set(value) == {"$student", "value"}:
            own = values.get(value["$student"], value["value"])
            if own != value["value"]:  # the student's own setting, where it differs from the rubric's
                used.add(job)
            return own
        if isinstance(value, list):
            return [fill(v, job) for v in value]
        if isinstance(value, dict):
            return {k: fill(v, job) for k, v in value.items()}
        return value

    filled = [{**job, "steps": fill(job["steps"], job["id"]), **({"fd": fill(job["fd"], job["id"])} if job.get("fd")
                                                                  else {})} for job in jobs]
    return [{k: v for k, v in job.items() if k != "for_student_values"} for job in filled
            if not job.get("for_student_values") or job["id"].removesuffix("/retry") in used]
