"""`grade kit SHEET DIR`: a folder a course can publish, with a self-check that needs neither the reference
implementation nor any hidden expected value.

The kit is the starting folder of `grade template` plus `.nngrade/`, a course folder for the sheet whose
reference is frozen: the public tasks' expected values and known mistakes, computed once here and stored as
arrays (`.npz`, read without pickling), no solution code. A task stays checkable in the kit when it is public,
every value it reads or compares with is public, and its checks need no reference code (no formulas, properties
or recomputations); every other task becomes a placeholder a tutor sees after the deadline. `grade check` in
the kit's folder finds `.nngrade/` by itself.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from grader.errors import UsageError
from grader.rubric import Rubric
from grader.rubric.cross_checks import needed
from grader.sheets import Sheet, module_name
from reference.mistakes import Alternative, Mistake

FOLDER = ".nngrade"
KEPT_KINDS = {"value", "answer", "choice", "gradient", "training", "statistics", "parameters", "cell", "runs",
              "figure", "manual"}
WITHHELD = "checked after the deadline: this kit holds no expected value for it"

FROZEN = '''"""{sheet}: the public expected values and known mistakes, precomputed by `grade kit`.

No solution code and no hidden task's value: the numbers are in {module}.npz beside this file.
"""
from pathlib import Path

from grader.kit import frozen_key, frozen_mistakes

SHEET_ID = "{sheet}"
GIVEN_MODELS = {{}}
VALUES = Path(__file__).with_name("{module}.npz")
MISTAKES = frozen_mistakes(VALUES)


def answer_key(given):
    return frozen_key(VALUES)
'''


def checkable(rubric: Rubric, hidden: frozenset[str]) -> set[str]:
    """The tasks a kit can check: public, reading only public entries, needing no reference code."""
    return {t.id for t in rubric.tasks if rubric.visibility_of(t) == "public"
            and all(c.kind in KEPT_KINDS and getattr(c, "recompute", None) is None
                    and not any(name in hidden for _, name in needed(c)) for c in t.checks)}


def kit_rubric(rubric: Rubric, kept: set[str], frozen: set[str]) -> dict[str, Any]:
    data = rubric.model_dump(mode="json", exclude_none=True)
    data.pop("python", None)
    data["given"], data["assumptions"] = {}, []  # the kit has no given data: its values are frozen
    data["data"] = {file: name for file, name in rubric.data.items() if name in frozen}
    data["student_values"] = {name: spec for name, spec in data.get("student_values", {}).items() if name in frozen}
    for task in data["tasks"]:  # the tutors' criteria and notes stay with the tutors
        task.pop("note", None)
        for check in task["checks"]:
            if check["kind"] == "manual":
                check["criteria"] = "graded by a tutor"
    data["tasks"] = [task if task["id"] in kept else
                     {"id": task["id"], "title": task.get("title", ""), "points": task["points"],
                      "bonus": task.get("bonus", False), "visibility": "hidden",
                      "checks": [{"kind": "manual", "criteria": WITHHELD}]}
                     for task in data["tasks"]]
    data["source"] = f"{rubric.source} (kit: the public tasks only)"
    return data


def _entries(rubric: Rubric, kept: set[str]) -> set[str]:
    names = {name for t in rubric.tasks if t.id in kept for c in t.checks for _, name in needed(c)}
    return names | set(rubric.data.values()) | set(rubric.student_values)


def write_values(path: Path, key: dict[str, Any], mistakes: dict[str, list], names: set[str]) -> None:
    """The frozen key: strings and booleans in a JSON index, numbers as arrays; each public entry's known
    mistakes with their ids and messages."""
    arrays: dict[str, np.ndarray] = {}
    index: dict[str, Any] = {"key": {}, "mistakes": []}
    for name in sorted(names & set(key)):
        value = key[name]
        if isinstance(value, (str, bool)) or value is None:
            index["key"][name] = {"json": value}
            continue
        arrays[f"v{len(arrays)}"] = np.asarray(value)
        index["key"][name] = {"array": f"v{len(arrays) - 1}", "scalar": np.ndim(value) == 0,
                              "integer": isinstance(value, (int, np.integer)), "list": isinstance(value, list)}
        for alternative in mistakes.get(name, []):
            try:
                arrays[f"v{len(arrays)}"] = np.asarray(alternative.value, dtype=np.float64)
            except (TypeError, ValueError):
                continue
            index["mistakes"].append([name, alternative.id, alternative.message, f"v{len(arrays) - 1}"])
    with open(path, "wb") as out:
        np.savez_compressed(out, index=np.array(json.dumps(index)), **arrays)


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["index"])), {name: data[name] for name in data.files if name != "index"}


def frozen_key(path: Path) -> dict[str, Any]:
    index, arrays = _read(path)
    out: dict[str, Any] = {}
    for name, entry in index["key"].items():
        if "json" in entry:
            out[name] = entry["json"]
        else:
            value = arrays[entry["array"]]
            if entry["scalar"]:
                value = int(value) if entry["integer"] else float(value)
            out[name] = value.tolist() if entry.get("list") else value  # a list of layer sizes stays a list
    return out


def frozen_mistakes(path: Path) -> list[Mistake]:
    index, arrays = _read(path)
    return [Mistake(mistake_id, message, lambda given, name=name, value=arrays[array]: {name: value})
            for name, mistake_id, message, array in index["mistakes"]]


def write(sheet: Sheet, rubric: Rubric, key: dict[str, Any], mistakes: dict[str, list[Alternative]],
          hidden: frozenset[str], folder: Path) -> list[Path]:
    """`.nngrade/` of a kit: the kit's rubric, its course files and the frozen reference."""
    kept = checkable(rubric, hidden)
    if not kept:
        raise UsageError(f"{sheet.id} has no task a kit can check without hidden values or reference code; "
                         "hand out `grade template` instead")
    course = folder / FOLDER
    module = module_name(sheet.id)
    frozen = (_entries(rubric, kept) - hidden) & set(key)
    written = {course / "rubrics" / f"{sheet.id}.toml": tomli_w.dumps(kit_rubric(rubric, kept, frozen)).encode()}
    for name in [*rubric.provided, *rubric.templates]:
        written[course / "rubrics" / "files" / sheet.id / name] = (sheet.files / name).read_bytes()
    written[course / "reference" / f"{module}.py"] = FROZEN.format(sheet=sheet.id, module=module).encode()
    for path, data in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    values = course / "reference" / f"{module}.npz"
    write_values(values, key, mistakes, frozen)
    return [*written, values]
