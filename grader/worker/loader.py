"""Load a student's files like notebook cells: one top-level statement at a time.

Real submissions run demo code at import time (plots, prints, an example network,
sometimes a line that raises). A failing or overlong statement is logged with its
line and the next statement runs, so the definitions after a broken demo line are
still graded. Student files import each other (`import nn_modules`) through the
same loader, so every file of the submission gets this treatment.
"""
from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .deadline import TimeLimit, limit

MAX_SOURCE_BYTES = 2_000_000


def describe(exc: BaseException) -> str:
    """`Type: message`, robust against exceptions whose __str__ misbehaves."""
    try:
        text = str(exc)
    except BaseException:  # a hostile __str__
        text = ""
    name = type(exc).__name__
    return f"{name}: {text[:300]}" if text else name


def student_frame(exc: BaseException, files: set[str]) -> tuple[str, int] | None:
    """(file name, line) of the innermost traceback frame inside a student file or notebook cell."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in files:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def student_line(exc: BaseException, files: set[str]) -> int | None:
    frame = student_frame(exc, files)
    return frame[1] if frame else None


class StatementLoader(importlib.abc.Loader):
    def __init__(self, path: Path, log: list[dict[str, Any]], statement_seconds: float, files: set[str]):
        self.path = path
        self.log = log
        self.statement_seconds = statement_seconds
        self.files = files

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        name = self.path.name
        data = self.path.read_bytes()[:MAX_SOURCE_BYTES]
        try:
            tree = ast.parse(data, filename=str(self.path))
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            why = f"cannot be parsed (line {line}): {getattr(exc, 'msg', exc)}; nothing in it can be graded until it is fixed"
            self.log.append({"file": name, "line": line, "kind": "unreadable", "error": why})
            raise ImportError(f"{name} {why}") from None
        module.__file__ = str(self.path)
        for node in tree.body:
            code = compile(ast.Module(body=[node], type_ignores=[]), str(self.path), "exec")
            try:
                with limit(self.statement_seconds):
                    exec(code, module.__dict__)
            except TimeLimit:
                self.log.append({"file": name, "line": node.lineno, "kind": "timeout",
                                 "error": f"the statement ran longer than {self.statement_seconds:g} s and was stopped"})
            except BaseException as exc:  # SystemExit and KeyboardInterrupt from student code too
                self.log.append({"file": name, "line": student_line(exc, self.files) or node.lineno,
                                 "kind": "exception", "error": describe(exc)})


class NotebookLoader(importlib.abc.Loader):
    """A notebook imported as a module: its code cells run in order into the module's namespace."""

    def __init__(self, run: Callable[[Any], None]):
        self.run = run

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        self.run(module)


class WorkspaceFinder(importlib.abc.MetaPathFinder):
    """Finds the submission's own .py files and notebooks, and blocks the grader's packages."""

    def __init__(self, workspace: Path, log: list[dict[str, Any]], statement_seconds: float,
                 blocked: set[str], notebooks: dict[str, Callable[[Any], None]] | None = None):
        self.workspace = workspace
        self.log = log
        self.statement_seconds = statement_seconds
        self.blocked = blocked
        self.files = {str(p) for p in workspace.glob("*.py")}
        self.notebooks = notebooks or {}  # module name -> runs its cells into a module

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.blocked:
            raise ModuleNotFoundError(f"No module named {fullname!r}")
        if "." in fullname:
            return None
        if fullname in self.notebooks:
            return importlib.machinery.ModuleSpec(fullname, NotebookLoader(self.notebooks[fullname]))
        candidate = self.workspace / f"{fullname}.py"
        if str(candidate) not in self.files:
            return None
        loader = StatementLoader(candidate, self.log, self.statement_seconds, self.files)
        return importlib.machinery.ModuleSpec(fullname, loader, origin=str(candidate))


def load(stem: str):
    """Import a student file by its stem through the finder; ImportError if it cannot be read."""
    if stem in sys.modules:
        return sys.modules[stem]
    __import__(stem)
    return sys.modules[stem]
