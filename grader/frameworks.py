"""Deep-learning frameworks in student code: which ones a file imports (read as text, never run), so that work
written with torch or jax is reported as `unavailable` where the grading environment lacks them.

Without this, a notebook that starts with `import torch` fails at that line and every later name is missing:
each task would blame a NameError on the student. The fix is the tutor's (`--python` with an environment that
has the framework), and one line says so.
"""
from __future__ import annotations

import re
from pathlib import Path

FRAMEWORKS = ("torch", "tensorflow", "keras", "jax", "flax", "optax")
IMPORT_RE = re.compile(rf"^\s*(?:import|from)\s+({'|'.join(FRAMEWORKS)})\b", re.MULTILINE)
MAX_SCAN_BYTES = 2 * 2**20


def imported(sources: list[str]) -> list[str]:
    """The frameworks the code imports at the start of a line, in the order of FRAMEWORKS."""
    found = {m.group(1) for text in sources for m in IMPORT_RE.finditer(text)}
    return [name for name in FRAMEWORKS if name in found]


def script_text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_SCAN_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""
