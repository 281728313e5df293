"""What an interpreter offers student code: its version, numpy, the modules a rubric requires, and the
folders it reads from. Standard library only, so any course interpreter can run it as a script; the
grader's own interpreter calls `report` directly."""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from typing import Any


def _has(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


def _folders(name: str) -> list[str]:
    """Where a top-level package or module is installed, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        return []
    if spec is None:
        return []
    if spec.submodule_search_locations:
        return [str(p) for p in spec.submodule_search_locations]
    return [spec.origin] if spec.origin and os.path.isfile(spec.origin) else []


def report(names: list[str], packages: list[str] = ()) -> dict[str, Any]:
    """`packages`: top-level names (the grader's, a sheet pack's) whose installed folders the sandbox must hide."""
    try:
        import numpy  # noqa: F401
        numpy_error = None
    except BaseException as exc:
        numpy_error = f"{type(exc).__name__}: {exc}"[:200]
    # the prefixes and site-packages only: folders .pth files add (editable installs) are not exposed
    roots = [sys.base_prefix, sys.prefix] + [p for p in sys.path if p and os.path.isdir(p)
                                             and os.path.basename(p) in ("site-packages", "dist-packages")]
    return {"version": list(sys.version_info[:3]), "modules": {n: _has(n) for n in names},
            "numpy_error": numpy_error, "roots": roots,
            "installed": [folder for name in packages for folder in _folders(name)]}


if __name__ == "__main__":
    print(json.dumps(report(json.loads(sys.argv[1]), json.loads(sys.argv[2]) if len(sys.argv) > 2 else [])))
