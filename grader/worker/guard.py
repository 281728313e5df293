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


class Guard:
    def __init__(self, forbidden: list[str]):
        self.forbidden = [os.path.realpath(p) for p in forbidden if p]
        self.active = False

    def _inside(self, path: Any) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return None
        real = os.path.realpath(path)
        for root in self.forbidden:
            if real == root or real.startswith(root + os.sep):
                return root
        return None

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event in BLOCKED_EVENTS:
            raise PermissionError(f"the grader does not allow {BLOCKED_EVENTS[event]} ({event})")
        if event in ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.remove", "os.rename") and args:
            root = self._inside(args[0])
            if root is not None:
                raise PermissionError(f"the grader does not let submissions open {root}")


def install(forbidden: list[str]) -> Guard:
    """Installed before student code; `activate` once the worker's own imports are done."""
    guard = Guard(forbidden)
    sys.addaudithook(guard)
    return guard
