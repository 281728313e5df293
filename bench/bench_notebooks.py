"""Grade a batch of generated five-cell numpy notebooks and print the seconds per notebook.

    python bench/bench_notebooks.py [N] [--jobs J] [--nbclient K]

The notebooks (imports, two function cells, data, a printed result) are graded
against a trimmed copy of the nnti-ws2324-sheet7 rubric: "runs top to bottom", a
leaky_relu value check and a softmax value check, so every notebook costs a child
start, its cells and two jobs. Printed figures:
- seconds per notebook in the batch (wall clock / N, everything included: reading
  and transforming with IPython, the child's start with numpy, cells, checks),
- the cores' busy time per notebook (wall x workers / N),
- for comparison, `python -c "import numpy"` on this machine, and (when ipykernel
  is installed, K runs) nbclient executing one notebook with a fresh kernel, which is
  the path the grader did not take.
The target of issue 4: 40 notebooks at 0.13 s or less each.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from grader import api, grading

ROOT = Path(__file__).resolve().parent.parent
SHEET = "nnti-ws2324-sheet7"
CELLS = [
    "import numpy as np\n%matplotlib inline",
    "def leaky_relu(z, alpha=0.01):\n    return np.where(z > 0, z, alpha * z)",
    "def softmax(Z):\n    E = np.exp(Z - Z.max(axis=-1, keepdims=True))\n    return E / E.sum(axis=-1, keepdims=True)",
    "z = np.linspace(-3, 3, 7)\nZ = np.array([[1.0, 2.0], [1000.0, 999.0]])",
    "print(leaky_relu(z), softmax(Z))",
]


TASKS = """
[[tasks]]
id = "7.3.a"
title = "leaky_relu"
points = 1
[[tasks.checks]]
kind = "value"
file = "backprop.ipynb"
steps = [{op = "call", target = "leaky_relu", name = "leaky_relu_z", args = ["$7.3.z"], kwargs = {alpha = "$7.3.alpha"}}]
observe = {leaky_relu_z = "7.3.leaky_relu"}

[[tasks]]
id = "7.3.b"
title = "softmax"
points = 1
[[tasks.checks]]
kind = "value"
file = "backprop.ipynb"
steps = [{op = "call", target = "softmax", name = "softmax_logits", args = ["$7.3.logits"]}]
observe = {softmax_logits = "7.3.softmax"}

[[tasks]]
id = "7.3.g"
title = "runs top to bottom"
points = 1
[[tasks.checks]]
kind = "runs"
file = "backprop.ipynb"
"""


def rubrics(folder: Path) -> Path:
    """A rubrics folder whose sheet 7 has three checks on a five-cell notebook (given data as shipped)."""
    out = folder / "rubrics"
    out.mkdir()
    text = (ROOT / "rubrics" / f"{SHEET}.toml").read_text()
    head = text[: text.index("[[tasks]]")].replace('templates = ["backprop.ipynb"]', "templates = []")
    (out / f"{SHEET}.toml").write_text(re.sub(r"^total_points.*$", "", head, flags=re.M) + TASKS)
    return out


def generate(folder: Path, n: int) -> None:
    for i in range(n):
        sub = folder / SHEET / f"Student_{100000 + i}"
        sub.mkdir(parents=True)
        cells = [new_code_cell(c) for c in CELLS[:-1]] + [new_code_cell(f"{CELLS[-1]}\nvariant = {i}")]
        nbformat.write(new_notebook(cells=cells), sub / "backprop.ipynb")


def median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def nbclient_seconds(path: Path, repeats: int) -> float | None:
    """nbclient executing the notebook with a fresh kernel each time, start-up included."""
    try:
        import ipykernel  # noqa: F401
        from nbclient import NotebookClient
    except ImportError:
        return None
    return median_seconds(lambda: NotebookClient(nbformat.read(path, as_version=4), timeout=60,
                                                 kernel_name="python3").execute(), repeats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--nbclient", type=int, default=3, help="runs of the nbclient comparison (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rubric_dir = rubrics(folder)
        generate(folder / "subs", args.n)
        pairs = api._grading_plan([folder / "subs"], None, [rubric_dir.parent], None)
        grading.grade(pairs[:2], workers=args.jobs)  # warm-up: font cache, IPython's transformer
        started = time.perf_counter()
        run = grading.grade(pairs, workers=args.jobs)
        wall = time.perf_counter() - started
        bad = [r.name for r in run.submissions if r.points != r.max_points - sum(t.pending_points for t in r.tasks)]
        per = wall / len(pairs)
        print(f"{len(pairs)} five-cell notebooks, {args.jobs} workers: {wall:.2f} s wall, "
              f"{per:.3f} s per notebook (target 0.13 s), {per * args.jobs:.3f} s of a core per notebook"
              + (f"; NOT FULL MARKS: {bad[:3]}" if bad else ""))
        numpy_start = median_seconds(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True), 5)
        print(f"python -c 'import numpy': {numpy_start:.3f} s")
        if args.nbclient:
            seconds = nbclient_seconds(next((folder / "subs" / SHEET).iterdir()) / "backprop.ipynb", args.nbclient)
            print("nbclient with a fresh kernel: " + (f"{seconds:.3f} s per notebook" if seconds is not None
                                                     else "skipped (ipykernel is not installed)"))


if __name__ == "__main__":
    main()
