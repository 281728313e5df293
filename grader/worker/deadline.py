"""Time limits inside the child: SIGALRM raises `TimeLimit` in whatever student code runs.

`TimeLimit` derives from BaseException so `except Exception` in student code does
not swallow it. Code that catches everything or blocks signals still cannot
escape: the parent kills the whole process group at its own, later deadline.
Nested limits (a file imported while another loads) restore the outer timer.
"""
from __future__ import annotations

import signal
import time
from contextlib import contextmanager
from collections.abc import Iterator


class TimeLimit(BaseException):
    """The current statement or job ran past its time limit."""


def _raise(signum, frame):
    raise TimeLimit()


def install() -> None:
    signal.signal(signal.SIGALRM, _raise)


@contextmanager
def limit(seconds: float) -> Iterator[None]:
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    if outer_remaining:
        seconds = min(seconds, outer_remaining)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if outer_remaining:
            left = outer_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
