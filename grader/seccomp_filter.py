"""A seccomp filter for the child: the syscalls a grading child never needs fail with EPERM, so a kernel bug
reachable through them is not reachable from a submission.

Built with libseccomp (through `pyseccomp`, ctypes bindings over the system's libseccomp.so) into a BPF program
that bubblewrap installs right before it starts the child (`--seccomp FD`), after its own setup and with
NO_NEW_PRIVS set. This way the filter holds for any interpreter, a course's `--python` environment included, and
nothing has to run inside the child first. Syscalls of another architecture (x86's 32-bit entry) kill the child:
libseccomp's default for an architecture the filter does not name. Without libseccomp, or without bubblewrap,
the layer is OFF and says why; the other layers hold.
"""
from __future__ import annotations

import errno
import os
from functools import lru_cache
from pathlib import Path

from grader import scratch

DENIED = {
    "debugging other processes": ("ptrace", "process_vm_readv", "process_vm_writev"),
    "kernel keyrings": ("keyctl", "add_key", "request_key"),
    "eBPF and performance counters": ("bpf", "perf_event_open"),
    "userfaultfd and io_uring": ("userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register"),
    "mounts": ("mount", "umount2", "pivot_root", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
               "open_tree", "mount_setattr"),
    "namespaces": ("unshare", "setns"),
    "kernels and modules": ("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module"),
    "the machine": ("swapon", "swapoff", "reboot", "syslog", "acct"),
    "the clock": ("settimeofday", "clock_settime", "clock_adjtime", "adjtimex"),
    "file handles": ("open_by_handle_at", "name_to_handle_at"),
}
PERSONALITY_DEFAULT = 0  # PER_LINUX: the only personality a child may set


def described() -> str:
    return ("libseccomp filter, EPERM for " + ", ".join(DENIED) + ", personality changes; "
            "other architectures' syscalls kill the child")


@lru_cache(maxsize=1)
def program() -> tuple[Path | None, str]:
    """The BPF program's file (written once per run), or None and why there is none."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for names in DENIED.values():
            for name in names:
                try:
                    rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
                except OSError:  # a syscall this architecture does not have
                    continue
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "personality", seccomp.Arg(0, seccomp.GE, PERSONALITY_DEFAULT + 1))
        path = scratch.for_run("seccomp") / "filter.bpf"
        with open(path, "wb") as out:
            rules.export_bpf(out)
        path.chmod(0o644)
        path.parent.chmod(0o755)  # bubblewrap may run as an unprivileged user (isolation.SANDBOX_UID)
        return path, ""
    except ImportError:
        return None, "pyseccomp is not installed (pip install pyseccomp)"
    except (OSError, RuntimeError, ValueError, AttributeError) as exc:  # no libseccomp.so, an old one
        return None, f"libseccomp is not usable here ({type(exc).__name__}: {str(exc)[:80]}); apt install libseccomp2"


def open_program(path: Path | None) -> int | None:
    """A file descriptor of the program for one bubblewrap start (it reads and closes its copy)."""
    return os.open(path, os.O_RDONLY) if path is not None else None
