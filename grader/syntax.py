"""Python's parser for the grading process, whose threads grade submissions side by side.

CPython 3.11 keeps the AST builder's recursion counter in interpreter-wide state. When a thread switch lands
inside `ast.parse` (a garbage collection that runs a finalizer is enough) and another thread parses meanwhile,
the first parse fails with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905):
a correct notebook was graded as an error that way. The parent's parses take turns behind one lock; they read
short files, so nothing waits long. The child runs student code in one thread and parses freely.
"""
from __future__ import annotations

import ast
import threading

_PARSING = threading.Lock()


def parse(source: str, mode: str = "exec") -> ast.AST:
    """`ast.parse`, one thread at a time."""
    with _PARSING:
        return ast.parse(source, mode=mode)
