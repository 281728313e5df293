"""Python's parser for the grading process, whose threads grade submissions side by side.

CPython 3.11 keeps the AST builder's recursion counter in interpreter-wide state. When a thread switch lands
inside `ast.parse` (a garbage collection that runs a finalizer is enough) and another thread parses meanwhile,
the first parse fails with "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905):
a correct notebook was graded as an error that way. The parent's parses take turns behind one lock: its own
(`parse`) and numpy's, which reads an .npy header with `ast.literal_eval` (`parsing()` around `np.load`).
They read short texts, so nothing waits long. The child runs student code in one thread and parses freely.
"""
from __future__ import annotations

import ast
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_PARSING = threading.Lock()
_HELD = threading.local()


@contextmanager
def parsing() -> Iterator[None]:
    """Hold the parser: around library calls that parse (numpy's .npy header)."""
    with _PARSING:
        _HELD.yes = True
        try:
            yield
        finally:
            _HELD.yes = False


def held() -> bool:
    """Whether this thread holds the parser (for the tests)."""
    return getattr(_HELD, "yes", False)


def parse(source: str, mode: str = "exec") -> ast.AST:
    """`ast.parse`, one thread at a time."""
    with parsing():
        return ast.parse(source, mode=mode)
