"""What the error model costs: `grade submissions/` with and without the sweep of the reference's steps.

    python bench/bench_error_model_time.py [--rounds 3]

Each round grades the shipped examples twice in this process, once with grader/mutants.py's sweep and once
with it switched off (only the sheets' listed mistakes), in alternating order, with the sweep cache emptied
before each run, so every run pays for its sweeps as a fresh `grade` does. Prints the seconds of every run,
the medians, the growth (issue 14's budget: at most 10 %), and the sweep's own seconds per sheet. A first,
uncounted run warms up imports and the data's first read.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import reference
from grader import api, mutants

ROOT = Path(__file__).resolve().parent.parent


def _graded_seconds(model: bool) -> float:
    mutants._SWEEPS.clear()
    original = mutants._cached
    if not model:
        mutants._cached = lambda sheet, given, traced=None: {}
    try:
        started = time.perf_counter()
        api.grade([ROOT / "submissions"])
        return time.perf_counter() - started
    finally:
        mutants._cached = original


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    _graded_seconds(True)  # warm-up, not counted: imports, the dataset's first read, the disk cache
    with_model, without = [], []
    for i in range(rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        for model in order:
            (with_model if model else without).append(_graded_seconds(model))
    print(f"grade submissions/, {rounds} rounds")
    print(f"  with the error model:    {', '.join(f'{s:.2f}' for s in with_model)} s")
    print(f"  listed mistakes only:    {', '.join(f'{s:.2f}' for s in without)} s")
    a, b = statistics.median(with_model), statistics.median(without)
    print(f"  medians: {a:.2f} s vs {b:.2f} s, growth {100.0 * (a - b) / b:+.1f} % (budget +10 %)")
    print("sweep per sheet (once per run):")
    for sheet in reference.SHEETS:
        mutants._SWEEPS.clear()
        started = time.perf_counter()
        found = mutants._cached(sheet, api.load_rubric(sheet).given)
        print(f"  {sheet:24} {time.perf_counter() - started:6.2f} s, "
              f"{sum(len(v) for v in found.values())} slipped values on {len(found)} entries")


if __name__ == "__main__":
    main()
