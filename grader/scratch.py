"""The temporary folders of a grading run, named after the process that made them (`nngrade-<pid>-<kind>-...`).

A run that is killed cannot remove its own: the next run does (copies of student work are among them), leaving
those of any grading process still alive.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

NAME = re.compile(r"^nngrade-(\d+)-")


def folder(kind: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"nngrade-{os.getpid()}-{kind}-"))


def cache_folder() -> Path:
    """Where what outlives a run is kept (the error model's sweeps, matplotlib's font list): NNGRADE_CACHE, else
    the user's cache folder (XDG_CACHE_HOME or ~/.cache) / nngrade."""
    if os.environ.get("NNGRADE_CACHE"):
        return Path(os.environ["NNGRADE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nngrade"


def for_run(kind: str) -> Path:
    """A folder that lives as long as this run (a course download unpacked once for all its submissions)."""
    made = folder(kind)
    atexit.register(shutil.rmtree, made, True)
    return made


def path(kind: str) -> Path:
    """A fixed folder of this process (created by the caller)."""
    return Path(tempfile.gettempdir()) / f"nngrade-{os.getpid()}-{kind}"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep_orphans() -> int:
    """Remove the folders of grading processes that are gone; how many were removed."""
    removed = 0
    for entry in Path(tempfile.gettempdir()).glob("nngrade-*"):
        found = NAME.match(entry.name)
        if found is None or int(found.group(1)) == os.getpid() or alive(int(found.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += not entry.exists()
    return removed
