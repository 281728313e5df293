"""Intake on what tutors download: a Moodle "download all" with odd and hostile hand-ins, counted.

    python bench/bench_intake.py [PARTICIPANTS]

Builds a download of PARTICIPANTS participants (default 200) where every tenth hand-in is one of the odd cases a
course sees (a zip and a tar inside, a nested folder, a PDF only, a zip bomb, an entry with a colon, two
identical group copies, a group's differing uploads, a feedback file, online text only, prefixed files), then
finds and opens every submission as grading does (no student code runs). It prints how many input entries were
graded, listed with a reason, and left unaccounted (the goal: none), the problems and flags named, and the
seconds per participant for finding and for opening.
"""
from __future__ import annotations

import io
import re
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from grader import discovery, intake

SHEET = "nnti-ws2425-sheet6"
CODE = b"import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def packed(entries: dict[str, bytes], tar: bool = False) -> bytes:
    buffer = io.BytesIO()
    if tar:
        with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
            for name, data in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    else:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
    return buffer.getvalue()


ODD = [
    ("zip inside", lambda: {"handin.zip": packed({"sheet6/activations.py": CODE})}),
    ("tar inside", lambda: {"handin.tar.gz": packed({"activations.py": CODE}, tar=True)}),
    ("nested folders", lambda: {"a/b/c/activations.py": CODE}),
    ("pdf only", lambda: {"scan.pdf": b"%PDF-1.4"}),
    ("zip bomb", lambda: {"handin.zip": packed({"activations.py": b"\0" * (30 * 2**20)})}),
    ("odd entry name", lambda: {"activations.py": CODE, "x:y.py": CODE}),
    ("notebook", lambda: {"activations.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}),
]


def participant(name: str) -> str | None:
    found = re.search(r"_(\d+)(?:_assign|$)", name)
    return found.group(1) if found else None


def build(path: Path, n: int) -> set[str]:
    """The download; the participant numbers in it (what must be accounted for)."""
    tops: set[str] = set()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        def put(name: str, data: bytes) -> None:
            tops.add(name.split("/")[0])
            zf.writestr(name, data)

        for k in range(n):
            prefix = f"Student {k}_{100000 + k}"
            case = k % 10
            if case < len(ODD):
                for name, data in ODD[case][1]().items():
                    put(f"{prefix}_assignsubmission_file_/{name}", data)
            elif case == 7:  # a group of two with identical copies
                for member in ("A", "B"):
                    put(f"Team {k}-Member {member}_{200000 + 2 * k + (member == 'B')}_assignsubmission_file_/"
                        "activations.py", CODE)
            elif case == 8:  # a group whose members uploaded different files, and a feedback file
                put(f"Team {k}-Member A_{300000 + k}_assignsubmission_file_/activations.py", CODE)
                put(f"Team {k}-Member B_{400000 + k}_assignsubmission_file_/activations.py", CODE + b"# v2\n")
                put(f"{prefix}_assignfeedback_file_/marked.pdf", b"%PDF")
            else:  # download in folders off: prefixed files; and online text only
                put(f"{prefix}_assignsubmission_file_activations.py", CODE)
                put(f"Other {k}_{500000 + k}_assignsubmission_onlinetext_onlinetext.html", b"<p>x</p>")
    return {participant(top) for top in tops}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        download = Path(tmp) / SHEET / "download.zip"
        download.parent.mkdir()
        participants = build(download, n)
        started = time.perf_counter()
        found = discovery.discover([download], None, [SHEET])
        finding = time.perf_counter() - started
        # every participant is a member of a graded submission or named by an entry listed as not graded
        covered = {m.id for f in found.found for m in f.members or ()} | \
            {participant(Path(e.path).name) for e in found.not_graded}
        problems, flags = 0, 0
        started = time.perf_counter()
        for item in found.found:
            sub = intake.open_submission(item.path, SHEET, ["activations.py"], item.name,
                                         list(item.members) if item.members is not None else None)
            problems += sub.problem is not None
            flags += len(sub.flags) + len(item.flags)
            sub.cleanup()
        opening = time.perf_counter() - started
    print(f"{n} hand-ins, {len(participants)} participants in the download")
    print(f"  submissions to grade: {len(found.found)}; entries listed as not graded: {len(found.not_graded)}")
    print(f"  participants neither graded nor listed: {len(participants - covered)} (goal: 0)")
    print(f"  submissions with a problem (graded as 0 with the reason): {problems}; flags named: {flags}")
    print(f"  finding: {finding / n * 1000:.2f} ms per participant; opening: {opening / n * 1000:.2f} ms per participant")


if __name__ == "__main__":
    main()
