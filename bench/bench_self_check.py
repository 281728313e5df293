"""How long a student waits for `grade check`: one submission per sheet, the first call in a fresh process (the
sandbox probe, the sheet's key and plan, the child) and a second one, as the command line runs it.

    python bench/bench_self_check.py

Each figure is the wall clock of a `grade check` process (interpreter start and imports included), then of
`api.self_check` called again in one process. The issue's goal: a second or two on a laptop.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from grader import api, sheets

ROOT = Path(__file__).resolve().parent.parent
CORRECT = {"nnti-ws2324-sheet7": "Mueller_2571234_Schmidt_2569876", "tub-ml-sheet1": "Wagner_412345_Schulz_409876",
           "nnti-ws2425-sheet6": "Krueger_2581234_Hartmann_2579911",
           "leuphana-dl-ss24-ex2": "Braun_3045821_Wolf_3046190", "tuda-sml-ss23-hw4": "Keller_2734561_Frank_2729873"}


def main() -> None:
    grade = str(Path(sys.executable).with_name("grade"))
    print(f"{'sheet':<22} {'grade check (s)':>16} {'again, in-process (s)':>22}")
    for sheet in (s.id for s in sheets.builtin()):
        folder = ROOT / "submissions" / sheet / CORRECT[sheet]
        started = time.perf_counter()
        subprocess.run([grade, "check"], cwd=folder, check=True, capture_output=True)
        command = time.perf_counter() - started
        api.self_check(folder)
        again = []
        for _ in range(3):
            started = time.perf_counter()
            api.self_check(folder)
            again.append(time.perf_counter() - started)
        print(f"{sheet:<22} {command:>16.2f} {statistics.median(again):>22.2f}")


if __name__ == "__main__":
    main()
