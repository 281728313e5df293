"""Deep-learning frameworks in student code: which ones a file imports (read as text, never run), so that work
written with torch or jax is reported as `unavailable` where the grading environment lacks them.

Without this, a notebook that starts with `import torch` fails at that line and every later name is missing:
each task would blame a NameError on the student. The fix is the tutor's (`--python` with an environment that
has the framework), and one line says so. Only imports at the top level of a file or cell count (the ones
that fail when the file runs), and the judge also wants the child's ModuleNotFoundError as evidence, so a
guarded or dead `import torch` cannot turn a student's failure into "unavailable".
"""
from __future__ import annotations

import ast
from pathlib import Path

from grader import syntax

FRAMEWORKS = ("torch", "tensorflow", "keras", "jax", "flax", "optax")
MAX_SCAN_BYTES = 256 * 2**10  # the parent parses student text: as much as a real file has


def _top_level(source: str) -> set[str]:
    if len(source) > MAX_SCAN_BYTES:
        return set()
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def imported(sources: list[str]) -> list[str]:
    """The frameworks the code imports at its top level, in the order of FRAMEWORKS."""
    found = set().union(*(_top_level(text) for text in sources)) if sources else set()
    return [name for name in FRAMEWORKS if name in found]


def script_text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_SCAN_BYTES + 1).decode("utf-8", errors="replace")
    except OSError:
        return ""


def missing_in(run, framework_names: list[str]) -> bool:
    """The child itself reported that a framework could not be imported (a cell's or a statement's
    ModuleNotFoundError): the evidence that the framework's absence, not the student, failed the file."""
    texts = [entry.get("error") or "" for entry in ((run.load or {}).get("log") or [])]
    texts += [record.get("error") or "" for record in run.cells.values()]
    return any(text.startswith("ModuleNotFoundError") and any(f"'{name}" in text for name in framework_names)
               for text in texts)
