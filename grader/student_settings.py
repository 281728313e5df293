"""student_settings: a setting the sheet leaves to the student (main.py's learning rate), read from the file's
syntax tree and never run.

Students set it the way the handout's main.py does (`learning_rate = 0.2`), under another name that they pass
on (`lr = 0.05` ... `train(..., learning_rate=lr)`), or as a literal in the call. The value the call receives is
the one training uses, so it wins over a stray assignment; a file that does not parse is read line by line.
"""
from __future__ import annotations

import ast
import math
import re

from grader import syntax

NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"  # one way to read each digit: no backtracking


def _number(node: ast.AST | None) -> float | None:
    """A literal number, signed or not; nothing that needs evaluating."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign, node = (-1.0 if isinstance(node.op, ast.USub) else 1.0), node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            value = sign * float(node.value)
        except OverflowError:  # a whole number too large for a float: no learning rate
            return None
        return value if math.isfinite(value) else None
    return None


def _assignments(tree: ast.AST) -> dict[str, list[tuple[int, float]]]:
    """name -> [(line, number)] of every `name = <number>` in the file, at any depth (under `__main__` too)."""
    found: dict[str, list[tuple[int, float]]] = {}
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) \
            else []
        value = _number(getattr(node, "value", None))
        for target in targets:
            if isinstance(target, ast.Name) and value is not None:
                found.setdefault(target.id, []).append((node.lineno, value))
    return {name: sorted(values) for name, values in found.items()}


def read(text: str, name: str, file: str) -> tuple[float, str] | None:
    """The number the student sets for `name`, with where it was read; None when the file does not set one."""
    try:
        tree = syntax.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _by_lines(text, name, file)
    assigned = _assignments(tree)
    passed = [(node.lineno, keyword.value) for node in ast.walk(tree) if isinstance(node, ast.Call)
              for keyword in node.keywords if keyword.arg == name]
    for line, value in sorted(passed, key=lambda p: p[0], reverse=True):
        literal = _number(value)
        if literal is not None:
            return literal, f"{name}={literal:g} in {file}"
        if isinstance(value, ast.Name) and value.id in assigned:
            earlier = [v for at, v in assigned[value.id] if at <= line] or [assigned[value.id][-1][1]]
            return earlier[-1], f"{value.id} = {earlier[-1]:g} passed as {name} in {file}"
    if name in assigned:
        value = assigned[name][-1][1]
        return value, f"{name} = {value:g} in {file}"
    return None


def _by_lines(text: str, name: str, file: str) -> tuple[float, str] | None:
    """The last `name = <number>` line of a file that does not parse."""
    numbers = [m.group(1) for line in text.splitlines() if len(line) < 200
               for m in [re.fullmatch(rf"[ \t]*{re.escape(name)}[ \t]*=[ \t]*({NUMBER})[ \t]*(?:#.*)?", line)] if m]
    if numbers and math.isfinite(value := float(numbers[-1])):
        return value, f"{name} = {numbers[-1]} in {file}"
    return None
