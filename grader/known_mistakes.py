"""A sheet's known mistakes while grading runs: its own list and the error model's sweep, computed in a
background thread of the grading process while the children run student code.

The judge asks for them only when a comparison fails (grader.checks.Context.alternatives), so right work
never waits for the sweep, and the sweep's thread yields the processor to the children (Linux).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType
from typing import Any

from grader import mutant_cache, mutants
from grader.rubric import Rubric
from reference.steps import Sweep


def _low_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


_SWEEPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nngrade-sweep", initializer=_low_priority)


def start(module: ModuleType, given: dict[str, Any], key: dict[str, Any], trace: Sweep) -> Future:
    """The known mistakes of the sheet whose reference is `module`, from the disk cache or swept anew; one sheet
    at a time."""
    return _SWEEPER.submit(mutant_cache.alternatives, module, given, key, trace)


_FALLBACKS: dict[int, dict[str, list]] = {}  # by the failed sweep's Future: computed once
_FALLING_BACK = threading.Lock()


def result(known: Future | dict[str, list], module: ModuleType, rubric: Rubric, key: dict[str, Any]
           ) -> dict[str, list]:
    """The sweep's result. If the sweep failed, the sheet's own list, computed once; if that fails too, no
    known mistakes: they only name mistakes, and a student's wrong value must never fail the grading."""
    if not isinstance(known, Future):
        return known
    try:
        return known.result()
    except Exception:
        with _FALLING_BACK:
            if id(known) not in _FALLBACKS:
                try:
                    _FALLBACKS[id(known)] = mutants.known(module, rubric.given, key)
                except Exception:
                    _FALLBACKS[id(known)] = {}
            return _FALLBACKS[id(known)]


class Pending(Mapping):
    """Known mistakes looked up only when a check asks: a right value is judged without waiting for them."""

    def __init__(self, fetch: Callable[[], dict[str, list]]):
        self._fetch = fetch

    def __getitem__(self, name: str) -> list:
        return self._fetch()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fetch())

    def __len__(self) -> int:
        return len(self._fetch())
