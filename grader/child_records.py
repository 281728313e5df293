"""What the child wrote, read by the parent: the results file's records and the blob file's arrays and pictures.

Everything here treats the child's output as hostile data: records are accepted only for the plan's files, cells
and jobs, each once; arrays are read with `allow_pickle=False`, exact numeric dtypes and byte budgets; pictures
only with a PNG signature and size caps; text is cleaned of lone surrogates and control characters. Nothing the
child wrote is imported, unpickled or evaluated.
"""
from __future__ import annotations

import io
import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import syntax
from grader.text import spelled_out, without_surrogates

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 2 * 2**20
MAX_PNG_TOTAL_BYTES = 20 * 2**20
CELL_STATUSES = {"ok", "error", "timeout", "skipped"}
MAX_RESULTS_BYTES = 64 * 2**20
MAX_LINE_CHARS = 4 * 2**20
MAX_NPY_BYTES = 32 * 2**20
MAX_DECODED_BYTES = 256 * 2**20  # all arrays of one submission together


@dataclass(frozen=True)
class Unsupported:
    """A returned value that is not plain numbers: never compared, always a failed check."""

    what: str


@dataclass(frozen=True)
class Absent:
    """An observed name the student's objects do not have."""

    why: str


@dataclass
class ChildRun:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    loads: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # notebook (rubric name) -> cell records
    layers: dict[str, bool] = field(default_factory=dict)
    finished: bool = False
    killed: str | None = None  # why the child ended before finishing, if it did
    timed_out: bool = False  # the wall-clock or CPU limit ended it (not a crash)
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


def regular_file(path: Path) -> bool:
    """A plain file, not a symlink, FIFO, device or folder the child left to block or crash the parent."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


@dataclass(frozen=True)
class Notebooks:
    """The notebooks of one submission as the child runs them: rubric file name -> cells and watched names."""

    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    cell_seconds: float = 10.0
    budget_seconds: float = 60.0  # per notebook, all its cells together
    figures: bool = False  # save figures as PNG for the feedback page


class Blobs:
    """The child's blob file, read by [offset, size] slices: opened once, without following links, and
    only if it is a regular file."""

    def __init__(self, out: Path):
        self.fd: int | None = None
        self.size = 0
        try:
            fd = os.open(out / "blobs.bin", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            self.fd, self.size = fd, info.st_size
        else:
            os.close(fd)

    def read(self, where: Any, limit: int) -> bytes | None:
        """The slice, or None if it is malformed, outside the file or larger than `limit`."""
        if not (isinstance(where, list) and len(where) == 2 and all(type(v) is int and v >= 0 for v in where)):
            return None
        offset, size = where
        if self.fd is None or size > limit or offset + size > self.size:
            return None
        return os.pread(self.fd, size, offset)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class ArrayReader:
    """Reads each array once, within a total byte budget, so references cannot multiply memory."""

    def __init__(self, blobs: Blobs):
        self.blobs = blobs
        self.loaded: dict[tuple[int, int], Any] = {}
        self.budget = MAX_DECODED_BYTES

    def get(self, where: Any) -> Any:
        key = tuple(where) if isinstance(where, list) and len(where) == 2 else None
        if key is None or not all(type(v) is int for v in key):
            return Unsupported("a malformed value")
        if key not in self.loaded:
            self.loaded[key] = self._load(where)
        return self.loaded[key]

    def _load(self, where: list[int]) -> Any:
        data = self.blobs.read(where, min(MAX_NPY_BYTES, self.budget))
        if data is None:
            return Unsupported("an array too large to read back, or not where it should be")
        try:
            f = io.BytesIO(data)
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                else np.lib.format.read_array_header_2_0
            with syntax.parsing():  # numpy reads the header with ast.literal_eval
                shape, _, dtype = read_header(f)
            if dtype.hasobject or math.prod(shape) * max(dtype.itemsize, 1) > MAX_NPY_BYTES:
                return Unsupported("an array that is not plain numbers or too large")
            with syntax.parsing():
                array = np.load(io.BytesIO(data), allow_pickle=False)
        except (OSError, ValueError, MemoryError, EOFError, SyntaxError):
            return Unsupported("an unreadable array")
        if type(array) is not np.ndarray or array.dtype.kind not in "biuf":
            return Unsupported("an array that is not numbers")
        if array.size * 8 > self.budget:  # what the parent keeps: float64, whatever the child sent
            return Unsupported("more array data than the grader reads back from one submission")
        self.budget -= array.size * 8
        # float16/32 keep their dtype, so the judge can hold float32 work to float32's precision; every
        # comparison converts to float64 itself (checks/compare.as_numbers)
        wide = array.dtype.kind == "f" and array.dtype.itemsize > 8  # long double: float64 is all a check needs
        return np.array(array, dtype=np.float64 if wide else array.dtype.newbyteorder("="), copy=True)


def decode(tagged: Any, arrays: ArrayReader) -> Any:
    """Tagged JSON from the child -> numbers, strings, lists and arrays the parent built itself."""
    if not isinstance(tagged, dict) or len(tagged) not in (1, 2):
        return Unsupported("a malformed value")
    if "num" in tagged and (type(tagged["num"]) is float or (type(tagged["num"]) is int and abs(tagged["num"]) < 2**63)):
        return tagged["num"]
    if "float" in tagged and tagged["float"] in ("nan", "inf", "-inf"):
        return float(tagged["float"])
    if "bool" in tagged and type(tagged["bool"]) is bool:
        return tagged["bool"]
    if "none" in tagged:
        return None
    if "str" in tagged and type(tagged["str"]) is str:
        return clean_text(tagged["str"][:200])
    if "seq" in tagged and type(tagged["seq"]) is list:
        return [decode(item, arrays) for item in tagged["seq"][:10_000]]
    if "map" in tagged and type(tagged["map"]) is dict:
        return {clean_text(str(k)[:200]): decode(v, arrays) for k, v in list(tagged["map"].items())[:10_000]}
    if "npy" in tagged:
        return arrays.get(tagged["npy"])
    if "unsupported" in tagged and type(tagged["unsupported"]) is str:
        return Unsupported(clean_text(tagged["unsupported"][:120]))
    if "absent" in tagged and type(tagged["absent"]) is str:
        return Absent(clean_text(tagged["absent"][:300]))
    return Unsupported("a malformed value")


def _read_results(out: Path, run: ChildRun, notebooks: "Notebooks | None" = None,
                  files: tuple[str, ...] = (), jobs: frozenset[str] | None = None) -> None:
    """`jobs`: the plan's job ids; a record for any other (a forged retry) is dropped. None: every id."""
    path = out / "results.jsonl"
    if not regular_file(path):
        return
    blobs = Blobs(out)
    try:
        _read_records(path, run, ArrayReader(blobs), PictureReader(blobs, (notebooks or Notebooks()).figures),
                      notebooks or Notebooks(), set(files), jobs)
    finally:
        blobs.close()


def _read_records(path: Path, run: ChildRun, arrays: ArrayReader, pictures: PictureReader,
                  notebooks: "Notebooks", files: set[str], jobs: frozenset[str] | None = None) -> None:
    cells = {name: {c["index"] for c in spec["cells"]} for name, spec in notebooks.specs.items()}
    with open(path, "rb") as f:
        data = f.read(MAX_RESULTS_BYTES)
    for line in data.decode("utf-8", "replace").splitlines():
        if len(line) > MAX_LINE_CHARS:  # no record of the worker is this long; parsing it would cost gigabytes
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(record, dict):
            continue
        kind = record.get("record")
        if kind == "hello" and isinstance(record.get("layers"), dict) and not run.layers:
            # the first record, written before any student code ran; a later forged one is ignored
            run.layers = {str(k): v is True for k, v in record["layers"].items()}
        elif kind == "load" and record.get("file") in files:
            files.discard(record["file"])  # one record per file of the plan: forged ones are dropped
            run.loads.append(_clean_load(record))
        elif kind == "cell" and isinstance(record.get("file"), str) and type(record.get("index")) is int \
                and record["index"] in cells.get(record["file"], ()):
            # only code cells of the notebooks in the plan, each once: forged records are dropped
            cells[record["file"]].discard(record["index"])
            run.cells.setdefault(record["file"], []).append(_clean_cell(record, arrays, pictures))
        elif kind == "job" and isinstance(record.get("id"), str) and (jobs is None or record["id"] in jobs):
            if record["id"] not in run.jobs:  # the first result of a job counts, not a forged repeat
                run.jobs[record["id"]] = _clean_job(record, arrays)
        elif kind == "done":
            run.finished = True


def clean_text(text: str) -> str:
    """Text from the child as reports can show it: lone surrogates (a JSON escape like \\ud800) replaced,
    and control and format characters (terminal escape sequences, right-to-left overrides) spelled out."""
    return spelled_out(without_surrogates(text), keep="\n\t")


def _text(value: Any, limit: int = 400) -> str | None:
    return clean_text(value[:limit]) if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if type(value) is int and abs(value) < 2**53 or type(value) is float and math.isfinite(value):
        return float(value)
    return None


def _clean_load(record: dict[str, Any]) -> dict[str, Any]:
    log = record.get("log") if isinstance(record.get("log"), list) else []
    entries = [{"line": e.get("line") if type(e.get("line")) is int else None,
                "kind": _text(e.get("kind"), 20) or "exception", "error": _text(e.get("error")) or ""}
               for e in log[:100] if isinstance(e, dict)]
    return {"file": _text(record.get("file"), 100) or "?", "missing": record.get("missing") is True,
            "log": entries, "seconds": _number(record.get("seconds")) or 0.0,
            "names": _texts(record.get("names"), 5000, 100) if isinstance(record.get("names"), list) else None}


JOB_STATUSES = {"ok", "error", "missing", "not-attempted", "timeout"}


def _clean_job(record: dict[str, Any], out: ArrayReader) -> dict[str, Any]:
    status = record.get("status") if record.get("status") in JOB_STATUSES else "error"
    observed = record.get("observed") if isinstance(record.get("observed"), dict) else {}
    fd = record.get("fd") if isinstance(record.get("fd"), dict) else None
    return {
        "status": status,
        "error": _text(record.get("error")),
        "line": record.get("line") if type(record.get("line")) is int else None,
        "cell": record.get("cell") if type(record.get("cell")) is int else None,
        "where": _text(record.get("where"), 200),
        "step": _text(record.get("step"), 200),
        "seconds": _number(record.get("seconds")) or 0.0,
        "observed": {str(k)[:200]: decode(v, out) for k, v in list(observed.items())[:200]},
        "fd": {str(k)[:200]: decode(v, out) for k, v in list(fd.items())[:50]} if fd is not None else None,
        "fd_precision": _number(record.get("fd_precision")),
        "aliases": _texts(record.get("aliases"), 10, 120),
    }


def _texts(value: Any, count: int, limit: int) -> list[str]:
    return [clean_text(v[:limit]) for v in value[:count] if isinstance(v, str)] if isinstance(value, list) else []


class PictureReader:
    """Figures for the feedback page, read from the blob file only when asked for: each slice once,
    with a PNG signature, within per-picture and per-submission byte caps."""

    def __init__(self, blobs: Blobs, wanted: bool):
        self.blobs = blobs
        self.wanted = wanted
        self.budget = MAX_PNG_TOTAL_BYTES
        self.seen: set[tuple] = set()

    def get(self, where: Any) -> bytes | None:
        if not self.wanted or not isinstance(where, list) or tuple(map(str, where)) in self.seen:
            return None
        self.seen.add(tuple(map(str, where)))
        data = self.blobs.read(where, min(MAX_PNG_BYTES, self.budget))
        if data is None or not data.startswith(PNG_SIGNATURE):
            return None
        self.budget -= len(data)
        return data


def _clean_cell(record: dict[str, Any], arrays: ArrayReader, pictures: PictureReader) -> dict[str, Any]:
    figures = []
    for entry in record.get("figures", [])[:20] if isinstance(record.get("figures"), list) else []:
        if isinstance(entry, dict):
            figures.append({"axes": entry.get("axes") if type(entry.get("axes")) is int else 0,
                            "artists": entry.get("artists") if type(entry.get("artists")) is int else 0,
                            "png": pictures.get(entry.get("png"))})
    watch = record.get("watch") if isinstance(record.get("watch"), dict) else {}
    return {
        "index": record["index"],
        "status": record.get("status") if record.get("status") in CELL_STATUSES else "error",
        "error": _text(record.get("error")),
        "line": record.get("line") if type(record.get("line")) is int else None,
        "seconds": _number(record.get("seconds")) or 0.0,
        "stdout": _text(record.get("stdout"), 20_000) or "",
        "displayed": _texts(record.get("displayed"), 20, 2000),
        "result_text": _text(record.get("result_text"), 2000),
        "result": decode(record["result"], arrays) if "result" in record else None,
        "skipped": _texts(record.get("skipped"), 20, 300),
        "overridden": _texts(record.get("overridden"), 20, 100),
        "late": _text(record.get("late")),
        "names": _texts(record.get("names"), 200, 100),
        "figures": figures,
        "watch": {str(k)[:200]: decode(v, arrays) for k, v in list(watch.items())[:50]},
    }
