"""Start the isolated child for one submission and read back what it observed.

Isolation layers: a private temporary copy of the submission as working directory,
`python -I -S` (no environment, no site processing, so no editable install of the
grader), rlimits on memory, CPU and file size, an empty network namespace, a new
session whose whole process group is killed at the end, and a wall-clock timeout.
The child's results are decoded by child_records with `allow_pickle=False` and
strict tags; nothing the child wrote is imported, unpickled or evaluated.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# what the child wrote is read in child_records; its names are this module's too, where callers expect them
from grader.child_records import (Absent, ArrayReader, Blobs, ChildRun, Notebooks, Unsupported,  # noqa: F401
                                  _read_results, clean_text, decode, regular_file)
from grader import scratch
from grader.isolation import Isolation, open_up

WORKER = Path(__file__).resolve().parent / "worker" / "child.py"
GRADER_FOLDERS = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent / "reference")]
BLOCKED_PACKAGES = ["grader", "reference", "worker", "tests"]
TAIL_BYTES = 4000


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 1 * 2**30
    file_bytes: int = 64 * 2**20
    statement_seconds: float = 10.0
    load_seconds: float = 30.0  # wall-clock allowance for loading the files, beyond the jobs' own limits
    no_network: bool = True
    open_files: int = 256


def _tail(path: Path) -> str:
    if not regular_file(path):
        return ""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - TAIL_BYTES))
        return f.read().decode("utf-8", "replace")


def library_paths() -> list[str]:
    """Where numpy and matplotlib live, for a child that runs without site processing."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(p for p in (paths["purelib"], paths["platlib"]) if p))


def prepare_workspace(files: dict[str, Path], workspace: Path) -> None:
    """Copy regular files only (no symlinks, no folders): the child never sees the originals."""
    workspace.mkdir(parents=True)
    for name, source in files.items():
        if source.is_file() and not source.is_symlink():
            shutil.copyfile(source, workspace / name)


def _child_env(root: Path, sandboxed: bool = False) -> dict[str, str]:
    """In the sandbox, matplotlib's config folder lives in the child's own tmpfs (filled from the
    read-only font cache by the worker), so nothing the child writes lands on the host."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(root / "home" / "mpl") if sandboxed else str(root / "mpl"),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # one thread: predictable CPU accounting and a small address space
    for name in ("home", "tmp", "mpl"):
        (root / name).mkdir(exist_ok=True)
    font_cache = matplotlib_cache()
    if font_cache is not None:
        for cached in font_cache.glob("fontlist-*.json"):
            shutil.copyfile(cached, root / "mpl" / cached.name)
    return env


_FONT_CACHE: Path | None = None


def matplotlib_cache() -> Path | None:
    """matplotlib's font list, built once per interpreter and matplotlib version and kept in the user's cache
    folder (half a second a run otherwise), so children never rebuild it. Children get copies: nothing reads the
    cached file back into the grading process. Without a writable cache folder it is built per run."""
    global _FONT_CACHE
    if _FONT_CACHE is None:
        try:
            from importlib.metadata import version

            label = f"{sys.executable}|{version('matplotlib')}|{sys.version}"
        except Exception:  # no matplotlib: children that import it fail on their own
            label = ""
        folder = scratch.cache_folder() / f"mpl-{hashlib.sha256(label.encode()).hexdigest()[:16]}"
        if label and any(folder.glob("fontlist-*.json")):
            _FONT_CACHE = folder
            return folder
        building = scratch.folder("mpl")
        atexit.register(shutil.rmtree, building, True)
        env = {"MPLCONFIGDIR": str(building), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
               "OPENBLAS_NUM_THREADS": "1"}
        try:
            subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _FONT_CACHE = building
        if label and any(building.glob("fontlist-*.json")):
            try:  # another run may publish the same list at once: the rename is atomic, the last one wins
                folder.parent.mkdir(parents=True, exist_ok=True)
                staged = Path(tempfile.mkdtemp(prefix=".mpl-", dir=folder.parent))
                for built in building.glob("fontlist-*.json"):
                    shutil.copyfile(built, staged / built.name)
                os.replace(staged, folder) if not folder.exists() else shutil.rmtree(staged, True)
                _FONT_CACHE = folder
            except OSError:
                pass
    return _FONT_CACHE


def run_child(files: dict[str, Path], jobs: list[dict[str, Any]], arrays: dict[str, np.ndarray], *,
              file_order: list[str], aliases: dict[str, list[str]], seed: int = 0,
              limits: Limits = Limits(), notebooks: Notebooks = Notebooks(), python: str | None = None,
              isolation: Isolation = Isolation(), forbidden: tuple[str, ...] = ()) -> ChildRun:
    """Run one submission's jobs in a fresh child; the temporary folder is removed afterwards.
    `forbidden` folders (the grader's, the rubrics', other submissions') are what the audit hook
    guards where there is no sandbox; inside bubblewrap they do not exist at all."""
    root = scratch.folder("child")
    try:
        return _run(root, files, jobs, arrays, file_order, aliases, seed, limits, notebooks, python, isolation,
                    forbidden)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def child_command(python: str | None, plan_path: Path) -> list[str]:
    """The grader's own interpreter runs without site processing (library folders come in the plan);
    a course interpreter (--python) keeps its own site-packages, where its numpy, torch or jax live."""
    if python is None:
        return [sys.executable, "-I", "-S", str(WORKER), str(plan_path)]
    return [python, "-I", str(WORKER), str(plan_path)]


def _run(root: Path, files, jobs, arrays, file_order, aliases, seed, limits: Limits, notebooks: Notebooks,
         python: str | None, isolation: Isolation, forbidden: tuple[str, ...]) -> ChildRun:
    workspace, inputs, out = root / "ws", root / "in", root / "out"
    sandboxed = isolation.bwrap is not None
    # in the sandbox the working directory is a size-limited tmpfs the child fills from a read-only copy
    source = root / "src" if sandboxed else workspace
    prepare_workspace(files, source)
    inputs.mkdir()
    out.mkdir()
    for name in ("results.jsonl", "blobs.bin"):  # the only files the child writes, besides its own tmpfs
        (out / name).touch()
    for name, array in arrays.items():
        np.save(inputs / name, array, allow_pickle=False)
    loading = max(limits.load_seconds, notebooks.budget_seconds * len(notebooks.specs) + 5.0)
    wall = loading + sum(job["timeout"] for job in jobs) + 5.0
    plan = {
        "workspace": str(workspace), "inputs": str(inputs), "out": str(out),
        "workspace_source": str(source) if sandboxed else None,
        "config_source": str(root / "mpl") if sandboxed else None,
        "guard": not sandboxed and bool(forbidden),
        # what the audit hook lets the child open: its own folders, the interpreter, system files it needs
        "allowed": [str(root), "/usr", "/dev/null", "/dev/urandom", "/proc/self", "/etc/localtime",
                    "/etc/matplotlibrc", "/etc/ld.so.cache"],
        "forbidden": [f for f in [*GRADER_FOLDERS, *forbidden] if not _holds(f, [root, *library_paths(), sys.prefix])],
        "sys_path": library_paths() if python is None else [], "blocked": BLOCKED_PACKAGES,
        "limits": {"memory_bytes": limits.memory_bytes, "cpu_seconds": math.ceil(wall),
                   "file_bytes": limits.file_bytes, "no_network": limits.no_network and not sandboxed,
                   "open_files": limits.open_files},
        "statement_seconds": limits.statement_seconds, "files": file_order, "aliases": aliases,
        "seed": seed, "jobs": jobs, "notebooks": notebooks.specs, "cell_seconds": notebooks.cell_seconds,
        "notebook_seconds": notebooks.budget_seconds, "figures": notebooks.figures,
    }
    plan_path = root / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    env = _child_env(root, sandboxed)
    open_up(root, isolation.host_uid)
    run = ChildRun()
    started = time.monotonic()
    fd = isolation.seccomp_fd()
    command = isolation.wrap(child_command(python, plan_path), root, env, workspace, source, fd)
    with open(out / "stdout.txt", "wb") as stdout, open(out / "stderr.txt", "wb") as stderr, \
            isolation.process_group(limits.memory_bytes) as cap:
        try:
            proc = subprocess.Popen(cap.wrap(command), cwd=source, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                                    stderr=stderr, start_new_session=True, pass_fds=() if fd is None else (fd,))
        finally:
            if fd is not None:
                os.close(fd)
        try:
            proc.wait(timeout=wall)
        except subprocess.TimeoutExpired:
            run.killed = f"the submission's code ran past the grader's overall limit of {wall:.0f} s"
            run.timed_out = True
        finally:
            _kill_group(proc)
    # bubblewrap passes a child killed by signal N on as exit status 128 + N
    run.returncode = -(proc.returncode - 128) if sandboxed and proc.returncode > 128 else proc.returncode
    run.seconds = time.monotonic() - started
    _read_results(out, run, notebooks, tuple(file_order), frozenset(job["id"] for job in jobs))
    if not run.finished and run.killed is None:
        run.killed = _exit_reason(proc.returncode)
        run.timed_out = proc.returncode == -signal.SIGXCPU
    run.stdout, run.stderr = _tail(out / "stdout.txt"), _tail(out / "stderr.txt")
    return run


def merge(runs: list[ChildRun]) -> ChildRun:
    """One submission's children (its scripts, each notebook) as one run for the judge."""
    if len(runs) == 1:
        return runs[0]
    merged = ChildRun(finished=all(r.finished for r in runs), timed_out=any(r.timed_out for r in runs))
    for run in runs:
        merged.jobs.update(run.jobs)
        seen = {load["file"] for load in merged.loads}
        merged.loads.extend(load for load in run.loads if load["file"] not in seen)
        merged.cells.update(run.cells)
        merged.layers = merged.layers or run.layers
        merged.seconds += run.seconds
        merged.stdout = (merged.stdout + run.stdout)[-TAIL_BYTES:]
        merged.stderr = (merged.stderr + run.stderr)[-TAIL_BYTES:]
    killed = [r.killed for r in runs if r.killed]
    merged.killed = "; ".join(dict.fromkeys(killed)) or None
    return merged


def _holds(folder: str, paths: list) -> bool:
    """Whether `folder` contains one of `paths`: a guarded folder must not hide the child's own files."""
    top = os.path.realpath(folder)
    return any(os.path.realpath(p) == top or os.path.realpath(p).startswith(top + os.sep) for p in paths)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        sig = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "the submission's code used up its CPU time limit"
        return f"the submission's process was killed by {sig} (a crash, or the memory limit)"
    return f"the submission's process exited early with code {code} (os._exit or a crash)"
