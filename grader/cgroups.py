"""Cgroups for one child: its processes, the memory of all of them together, one CPU core. Each run names its
cgroups after itself, so that the next run removes what a killed one left."""
from __future__ import annotations

import atexit
import os
import threading
import time
import uuid
from pathlib import Path

MAX_PROCESSES = 64


CPU_PERIOD = 100_000  # microseconds; the quota is one core per child
SHARED_MEMORY_BYTES = 64 * 2**20


def _settings(controller: str, memory_bytes: int) -> dict[str, str]:
    """What each controller caps; memory covers the child's tmpfs folders and /dev/shm too."""
    memory = str(memory_bytes + 2 * 128 * 2**20 + SHARED_MEMORY_BYTES)
    return {"pids": {"pids.max": str(MAX_PROCESSES)},
            "memory": {"memory.limit_in_bytes": memory},
            "cpu": {"cpu.cfs_period_us": str(CPU_PERIOD), "cpu.cfs_quota_us": str(CPU_PERIOD)},
            "v2": {"pids.max": str(MAX_PROCESSES), "memory.max": memory, "cpu.max": f"{CPU_PERIOD} {CPU_PERIOD}"},
            }[controller]


class ProcessCap:
    """Cgroups for one child (processes, memory of all its processes together, one CPU core), joined
    before the child starts and removed when it is gone."""

    def __init__(self, parents: dict[str, Path], memory_bytes: int):
        # named after this process, so that a later run removes what a killed one left (sweep_cgroups)
        self.folders = {name: parent / f"nngrade-{os.getpid()}-{uuid.uuid4().hex[:12]}" for name, parent in parents.items()}
        self.memory_bytes = memory_bytes

    def __enter__(self) -> "ProcessCap":
        made = {}
        for name, folder in self.folders.items():
            try:
                folder.mkdir()
                made[name] = folder
                for key, value in _settings(name, self.memory_bytes).items():
                    (folder / key).write_text(value)
            except OSError:
                continue  # a controller that refuses a setting still caps what it accepted
        self.folders = made
        return self

    def wrap(self, command: list[str]) -> list[str]:
        """The command joins the cgroups before it execs, so everything it starts is capped from the start
        (a preexec_fn would be unsafe with the grader's threads)."""
        if not self.folders:
            return command
        join = " && ".join(f'echo $$ > "{folder / "cgroup.procs"}"' for folder in self.folders.values())
        return ["/bin/sh", "-c", f'{join} && exec "$@"', "sh", *command]

    def __exit__(self, *exc) -> None:
        """Kill what is left and remove the cgroups; the kernel needs a moment after the kill, so a busy
        cgroup is removed in the background instead of delaying the next submission."""
        for folder in self.folders.values():
            if not _remove(folder):
                reaper = threading.Thread(target=_reap, args=(folder,), daemon=True)
                reaper.start()
                _REAPERS.append(reaper)


_REAPERS: list[threading.Thread] = []


@atexit.register
def _finish_reaping() -> None:
    """A daemon thread dies with the process: wait (briefly) for the cgroups still being removed."""
    deadline = time.monotonic() + 5.0
    for reaper in _REAPERS:
        reaper.join(max(0.0, deadline - time.monotonic()))


def sweep_cgroups() -> int:
    """Remove the cgroups of grading processes that are gone (killed before they could); how many."""
    from grader.scratch import alive

    removed = 0
    for parent in cgroup_parents().values():
        for folder in parent.glob("nngrade-*"):
            parts = folder.name.split("-")
            if len(parts) == 3 and parts[1].isdigit() and not alive(int(parts[1])) and _remove(folder):
                removed += 1
    return removed


def _remove(folder: Path) -> bool:
    try:
        for pid in (folder / "cgroup.procs").read_text().split():
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        folder.rmdir()
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _reap(folder: Path) -> None:
    for _ in range(500):
        if _remove(folder):
            return
        time.sleep(0.01)


def cgroup_parents() -> dict[str, Path]:
    """Controllers this process may make cgroups in: cgroup v1's pids, memory and cpu hierarchies, or
    v2's root with those controllers enabled."""
    found = {}
    for name in ("pids", "memory", "cpu"):
        v1 = Path("/sys/fs/cgroup") / name
        if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
            found[name] = v1
    if found:
        return found
    v2 = Path("/sys/fs/cgroup")
    enabled = _read(v2 / "cgroup.subtree_control").split()
    if {"pids", "memory"} <= set(enabled) and os.access(v2, os.W_OK):
        return {"v2": v2}
    return {}


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
