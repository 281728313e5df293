"""Grade many generated script submissions and print throughput, overhead and parent memory.

    python bench/bench_grading.py [N] [--jobs J]

Submissions are variations of a correct nnti-ws2425-sheet6 `activations.py` (some
with typical mistakes), written to a temporary folder. Printed figures:
- seconds per submission (wall clock of the whole run / N),
- the student code's own run time per submission (top-level statements + checks, as
  the child measured it),
- the grader's overhead per submission: the cores' busy time beyond the student
  code's own time (wall x workers / N - student time), which includes starting
  Python and numpy in each child,
- the parent's peak memory after N and after 2N submissions (flat = no growth).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from grader import api, grading

ROOT = Path(__file__).resolve().parent.parent
SHEET = "nnti-ws2425-sheet6"
SOURCE = ROOT / "submissions" / SHEET / "Krueger_2581234_Hartmann_2579911"
MISTAKES = [
    ("np.exp(x - np.max(x, axis=-1, keepdims=True))", "np.exp(x)"),
    ("1.0 - np.tanh(x) ** 2", "1.0 - np.tanh(x)"),
]


def generate(folder: Path, n: int) -> None:
    code = (SOURCE / "activations.py").read_text()
    for i in range(n):
        sub = folder / SHEET / f"Student_{100000 + i}"
        sub.mkdir(parents=True)
        text = code
        old, new = MISTAKES[i % len(MISTAKES)]
        if i % 3 == 0 and old in text:
            text = text.replace(old, new)
        (sub / "activations.py").write_text(text + f"\n_variant = {i}\n")
        shutil.copyfile(SOURCE / "answers.toml", sub / "answers.toml")


def run(folder: Path, workers: int) -> tuple[float, float, int]:
    pairs = api._grading_plan([folder], None, (), None)
    started = time.perf_counter()
    result = grading.grade(pairs, workers=workers)
    wall = time.perf_counter() - started
    return wall, sum(r.student_seconds for r in result.submissions), len(result.submissions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        generate(small, args.n)
        generate(large, 2 * args.n)
        run(small, args.jobs)  # warm-up: font cache, imports
        for label, folder in (("N", small), ("2N", large)):
            wall, student, count = run(folder, args.jobs)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            per = wall / count
            overhead = per * args.jobs - student / count
            print(f"{label:>2}: {count} submissions, {args.jobs} workers: {wall:.2f} s wall, "
                  f"{per * 1000:.0f} ms per submission, student code {student / count * 1000:.0f} ms, "
                  f"grader overhead {overhead * 1000:.0f} ms per submission (per core), parent peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
