"""A Python audit hook: the weaker layer where the machine offers no sandbox (no bubblewrap).

Audit hooks can be bypassed (os.open with dir_fd, an extension module, ctypes),
so this is never the boundary: under bubblewrap the forbidden paths do not exist
at all. Without it, the hook stops the ordinary ways student code reaches the
grader's files, other submissions, the network and other programs, with a message
that says why, and the run's header says that only this weaker layer is active.
"""
from __future__ import annotations

import os
import sys
from typing import Any

BLOCKED_EVENTS = {
    "socket.connect": "network access", "socket.bind": "network access", "socket.sendto": "network access",
    "subprocess.Popen": "starting programs", "os.system": "starting programs", "os.exec": "starting programs",
    "os.posix_spawn": "starting programs", "os.spawn": "starting programs", "os.fork": "starting processes",
    "os.forkpty": "starting processes", "ctypes.dlopen": "loading native libraries",
}


def _within(real: str, roots: list[str]) -> str | None:
    for root in roots:
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return root
    return None


class Guard:
    """Files may be opened under the allowed roots only (the child's own folders, the interpreter and its
    libraries), and never under the forbidden ones (the grader, rubrics, other submissions)."""

    def __init__(self, forbidden: list[str], allowed: list[str]):
        self.forbidden = [os.path.realpath(p) for p in forbidden if p]
        self.allowed = [os.path.realpath(p) for p in allowed if p]
        self.active = False

    def _refused(self, path: Any) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return None  # a file descriptor: opened earlier, under these rules
        real = os.path.realpath(path)
        forbidden = _within(real, self.forbidden)
        if forbidden is not None:
            return forbidden
        if self.allowed and _within(real, self.allowed) is None:
            return os.path.dirname(real) or real
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event in BLOCKED_EVENTS:
            raise PermissionError(f"the grader does not allow {BLOCKED_EVENTS[event]} ({event})")
        if event in ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.remove", "os.rename") and args:
            root = self._refused(args[0])
            if root is not None:
                raise PermissionError(f"the grader does not let submissions open {root}")


def install(forbidden: list[str], allowed: list[str]) -> Guard:
    """Installed before student code; `activate` once the worker's own imports are done."""
    guard = Guard(forbidden, allowed)
    sys.addaudithook(guard)
    return guard
