"""What the error model costs: `grade submissions/` with and without the sweep of the reference's steps.

    python bench/bench_error_model_time.py [--rounds 3]

Each round grades the shipped examples three times in this process, in rotating order: with the error
model's sweep and an empty disk cache (grader/mutant_cache.py), as a first `grade` on a machine does; with the
cache a previous run filled, as every later `grade` of the same sheets does; and with the sweep switched off
(only the sheets' listed mistakes). Prints the seconds of every run, the medians, the growth over the listed
mistakes only (issue 14's budget: at most 10 %), and the sweep's own seconds per sheet. A first, uncounted
run warms up imports and the data's first read.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from grader import api, mutants
from grader import sheets

BUILTIN = {sheet.id: sheet for sheet in sheets.builtin()}

ROOT = Path(__file__).resolve().parent.parent


def _graded_seconds(mode: str, warm: Path) -> float:
    """One `grade submissions/` in `mode`: "cold" sweeps (an empty disk cache), "warm" reads the disk cache
    a first run wrote, "listed" has no sweep at all (the sheets' own mistakes only)."""
    mutants._SWEEPS.clear()
    original = mutants._cached
    if mode == "listed":
        mutants._cached = lambda sheet, given, traced=None: {}
    os.environ["NNGRADE_CACHE"] = str(warm) if mode == "warm" else tempfile.mkdtemp(prefix="nngrade-bench-")
    try:
        started = time.perf_counter()
        api.grade([ROOT / "submissions"])
        return time.perf_counter() - started
    finally:
        mutants._cached = original
        if mode != "warm":
            shutil.rmtree(os.environ["NNGRADE_CACHE"], ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    warm = Path(tempfile.mkdtemp(prefix="nngrade-bench-warm-"))
    _graded_seconds("warm", warm)  # not counted: imports, the data's first read, and it fills the warm cache
    seconds: dict[str, list[float]] = {"cold": [], "warm": [], "listed": []}
    for i in range(rounds):
        order = list(seconds)[i % 3:] + list(seconds)[:i % 3]
        for mode in order:
            seconds[mode].append(_graded_seconds(mode, warm))
    shutil.rmtree(warm, ignore_errors=True)
    print(f"grade submissions/, {rounds} rounds")
    said = {"cold": "error model, cache empty", "warm": "error model, cache filled", "listed": "listed mistakes only"}
    for mode, runs in seconds.items():
        print(f"  {said[mode]:27} {', '.join(f'{s:.2f}' for s in runs)} s, median {statistics.median(runs):.2f} s")
    base = statistics.median(seconds["listed"])
    for mode in ("cold", "warm"):
        growth = 100.0 * (statistics.median(seconds[mode]) - base) / base
        print(f"  growth, {said[mode]}: {growth:+.1f} % (budget +10 %)")
    print("sweep per sheet (once per run):")
    for sheet in BUILTIN:
        mutants._SWEEPS.clear()
        started = time.perf_counter()
        found = mutants._cached(sheet, api.load_rubric(sheet).given)
        print(f"  {sheet:24} {time.perf_counter() - started:6.2f} s, "
              f"{sum(len(v) for v in found.values())} slipped values on {len(found)} entries")


if __name__ == "__main__":
    main()
