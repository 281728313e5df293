"""Starter files for a sheet, generated from its rubric where the course hands out none.

What the checks call is what a starter must define: the classes a plan constructs, the functions and methods it
calls (with as many parameters as the calls pass), the attributes it sets or reads, the functions a property
check calls. Each body raises NotImplementedError, so a starter imports cleanly and grades as "not attempted";
each docstring names the tasks that use it and their hints. An answers file skeleton lists every entry the
rubric grades by hand, commented out.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from grader.rubric import REF_RE, CallStep, NewStep, Rubric, SetStep

ROOT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Function:
    params: list[str] = field(default_factory=list)
    tasks: dict[str, str] = field(default_factory=dict)  # task id -> hint


@dataclass
class Class:
    init: Function = field(default_factory=Function)
    methods: dict[str, Function] = field(default_factory=dict)
    attributes: set[str] = field(default_factory=set)


@dataclass
class Outline:
    functions: dict[str, Function] = field(default_factory=dict)
    classes: dict[str, Class] = field(default_factory=dict)
    variables: dict[str, set[str]] = field(default_factory=dict)  # module-level name -> task ids


def _param(value: Any, index: int) -> str:
    if isinstance(value, str):
        ref = REF_RE.match(value)
        name = ref.group("key").rpartition(".")[2] if ref else value[1:] if value[:1] in "@%" else ""
        if name.isidentifier() and not keyword.iskeyword(name) and name != "self":
            return name
    return f"arg{index}"


def _params(args: list[Any], kwargs: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for i, arg in enumerate(args):
        name = _param(arg, i)
        names.append(name if name not in names and name not in kwargs else f"{name}_{i}")
    return names + [f"{k}=None" for k in kwargs]


def _merge(function: Function, params: list[str], task: str, hint: str) -> None:
    if len(params) > len(function.params):
        function.params = params
    function.tasks.setdefault(task, hint)


def outline(rubric: Rubric, module: ModuleType, file: str) -> Outline:
    """What the rubric's checks of `file` need it to define."""
    out = Outline()
    for task in rubric.tasks:
        hint = task.hint or ""
        for check in task.checks:
            if getattr(check, "file", None) != file:
                continue
            if check.kind == "property":
                prop = module.PROPERTIES[check.property]
                for name, _ in prop.calls(np.zeros(2)):
                    _merge(out.functions.setdefault(name, Function()), ["x"], task.id, hint)
                continue
            steps = [*getattr(check, "steps", []), *getattr(check, "loss_steps", [])]
            if getattr(check, "retry", None) is not None:
                steps += check.retry.steps
            objects: dict[str, str] = {}  # plan name -> class
            results = {s.name for s in steps if isinstance(s, (NewStep, CallStep))}
            for step in steps:
                if isinstance(step, NewStep):
                    objects[step.name] = step.cls
                    _merge(out.classes.setdefault(step.cls, Class()).init, _params(step.args, step.kwargs),
                           task.id, hint)
                elif isinstance(step, CallStep):
                    owner, _, method = step.target.partition(".")
                    if owner in objects and method and "." not in method:
                        cls = out.classes[objects[owner]]
                        _merge(cls.methods.setdefault(method, Function()), _params(step.args, step.kwargs),
                               task.id, hint)
                    elif not method:
                        _merge(out.functions.setdefault(owner, Function()), _params(step.args, step.kwargs),
                               task.id, hint)
                elif isinstance(step, SetStep):
                    owner, _, attribute = step.target.partition(".")
                    if owner in objects and attribute:
                        out.classes[objects[owner]].attributes.add(ROOT_RE.match(attribute).group(0))
            observed = getattr(check, "observe", None) or {}
            paths = [observed] if isinstance(observed, str) else list(observed)  # statistics observe one path
            paths += [p for p in (getattr(check, "losses", None), getattr(check, "predictions", None)) if p]
            paths += list(getattr(check, "gradients", {}) or {})
            for path in paths:
                root = ROOT_RE.match(path).group(0)
                rest = path[len(root):].lstrip(".")
                if root in objects and rest:
                    out.classes[objects[root]].attributes.add(ROOT_RE.match(rest).group(0))
                elif root not in results and root not in objects:
                    out.variables.setdefault(root, set()).add(task.id)
    return out


def _doc(function: Function, indent: str) -> str:
    lines = [f"Task {task}" + (f": {hint}" if hint else "") for task, hint in function.tasks.items()]
    body = f"\n{indent}".join(lines) or "Used by the checks."
    return f'{indent}"""{body}"""\n'


def render(rubric: Rubric, file: str, plan: Outline) -> str:
    """A starter .py file for `plan`."""
    parts = [f'"""{rubric.title} ({rubric.course}): {file}, generated by `grade template` from the rubric.\n\n'
             "Replace every `raise NotImplementedError`; `grade check` says what is right and what to mend.\n"
             '"""\nimport numpy as np\n']
    for name, function in plan.functions.items():
        parts.append(f"\n\ndef {name}({', '.join(function.params)}):\n{_doc(function, '    ')}"
                     "    raise NotImplementedError\n")
    for name, cls in plan.classes.items():
        attributes = f"    # attributes the checks read or set: {', '.join(sorted(cls.attributes))}\n" \
            if cls.attributes else ""
        init = ", ".join(["self", *cls.init.params])
        methods = "".join(f"\n    def {m}({', '.join(['self', *f.params])}):\n{_doc(f, '        ')}"
                          "        raise NotImplementedError\n" for m, f in cls.methods.items())
        parts.append(f"\n\nclass {name}:\n{attributes}\n    def __init__({init}):\n{_doc(cls.init, '        ')}"
                     f"        raise NotImplementedError\n{methods}")
    if plan.variables:
        names = ", ".join(sorted(plan.variables))
        tasks = ", ".join(sorted({t for ids in plan.variables.values() for t in ids}))
        parts.append(f"\n\n# Task {tasks}: define {names} at the top level of this file.\n"
                     f"raise NotImplementedError(\"define {names}\")\n")
    return "".join(parts)


def answers_skeleton(rubric: Rubric) -> str:
    """Every entry the rubric grades from the answers file, commented out, with its task."""
    lines = [f"# {rubric.title}: your pen-and-paper answers. Uncomment an entry and write your result:",
             "# numbers, vectors as [..], matrices as [[..], [..]], formulas and choices as \"...\".", ""]
    for task in rubric.tasks:
        keys = [c.key for c in task.checks if c.kind in ("answer", "expression", "choice")]
        if keys:
            lines.append(f"# {task.id}: {task.title}")
            lines += [f'# "{key}" = ' for key in keys]
            lines.append("")
    return "\n".join(lines)


def by_hand(rubric: Rubric) -> bool:
    """Whether the sheet grades anything from the answers file."""
    return any(c.kind in ("answer", "expression", "choice") for t in rubric.tasks for c in t.checks)


def readme(rubric: Rubric, files: list[str]) -> str:
    yours = files + ([rubric.answers_file] if by_hand(rubric) else [])
    return (f"# {rubric.title}\n\n{rubric.course}. Your files: {', '.join(yours) or 'none'}.\n\n"
            f"Check your work before the deadline, in this folder:\n\n    grade check --sheet {rubric.sheet}\n\n"
            "Each task says whether it passed, what to mend, or that it is checked after the deadline.\n")


def notebook(source: str) -> str:
    """A generated starter as a notebook: one code cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)
