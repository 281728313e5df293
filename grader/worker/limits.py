"""Isolation the child applies to itself before any student code runs.

Applied in the child rather than in a preexec_fn so the parent can start children
from several threads safely. Every layer reports whether it took effect; the
parent's sandbox self-test decides which layers a run requires.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _unshare_network() -> bool:
    """A new, empty network namespace: no interface but a downed loopback, so no network."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return False
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0  # unprivileged users, where allowed


def apply(limits: dict[str, Any]) -> dict[str, bool]:
    layers: dict[str, bool] = {}
    for name, which, value in [("memory", resource.RLIMIT_AS, limits.get("memory_bytes")),
                               ("cpu", resource.RLIMIT_CPU, limits.get("cpu_seconds")),
                               ("file_size", resource.RLIMIT_FSIZE, limits.get("file_bytes")),
                               ("open_files", resource.RLIMIT_NOFILE, limits.get("open_files")),
                               ("core", resource.RLIMIT_CORE, 0)]:
        if value is None:
            continue
        try:
            resource.setrlimit(which, (int(value), int(value)))
            layers[name] = True
        except (ValueError, OSError):
            layers[name] = False
    # Writing past the file-size limit fails the write (OSError) instead of killing the child.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if limits.get("no_network", True):  # not asked for when bubblewrap already gave the child no network
        layers["network"] = _unshare_network()
    os.umask(0o077)
    return layers
