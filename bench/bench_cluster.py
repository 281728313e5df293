"""Grading on a Dask LocalCluster beside the local pool: the same submissions, seconds per submission for each.

    python bench/bench_cluster.py [N] [--workers W]

The submissions are N copies of `nnti-ws2425-sheet6`'s correct example (a script and an answers file) plus the
sheet's shipped examples. Each figure is the wall clock of `api.grade` in this process, start-up of the cluster
included (a LocalCluster of W worker processes, each probing its sandbox and building the sheet's key once),
and both runs must give the same points. On one machine the cluster only adds the cost of shipping each
submission as a tar and of its workers' start; its use is more machines.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from grader import api

ROOT = Path(__file__).resolve().parent.parent
SHEET = "nnti-ws2425-sheet6"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / SHEET
        shutil.copytree(ROOT / "submissions" / SHEET, folder)
        for i in range(args.n):
            shutil.copytree(ROOT / "submissions" / SHEET / "Krueger_2581234_Hartmann_2579911",
                            folder / f"Copy_{100000 + i}")
        total = len([p for p in folder.iterdir() if p.is_dir()])
        started = time.perf_counter()
        local = api.grade([folder], workers=args.workers)
        local_seconds = time.perf_counter() - started
        started = time.perf_counter()
        remote = api.grade([folder], scheduler=f"local:{args.workers}")
        cluster_seconds = time.perf_counter() - started
    same = [r.points for r in local.submissions] == [r.points for r in remote.submissions]
    print(f"{total} submissions of {SHEET}, {args.workers} workers")
    print(f"local pool:   {local_seconds / total:.3f} s per submission ({local_seconds:.1f} s)")
    print(f"LocalCluster: {cluster_seconds / total:.3f} s per submission ({cluster_seconds:.1f} s, cluster start "
          f"included); same points as the local pool: {same}")


if __name__ == "__main__":
    main()
