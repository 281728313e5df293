"""The error model's alternatives on disk, by content: a second `grade` of the same sheet and given data reads
them instead of sweeping again.

The content is everything the values depend on: the sheet id, the given data, the source of the reference
and of the error model, and numpy's version. The file holds numbers and text only (an .npz read with
allow_pickle=False, its index as JSON), written by the grader from reference data: nothing a submission
produced. A cache that cannot be read or written is simply not used.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import reference
from grader import mutants, scratch, syntax
from reference.mistakes import Alternative
from reference.steps import Sweep

GRADER = Path(__file__).resolve().parent
SOURCES = (GRADER / "mutants.py", GRADER / "mutation_operators.py", GRADER / "checks" / "formula_mutants.py",
           GRADER / "checks" / "formula_language.py")


def content(module: ModuleType, given: dict[str, Any]) -> str:
    """The sheet, its given data, numpy's version and the source of the references (the built-in ones, which a
    course's may use, and the module's own folder) and of the error model."""
    digest = hashlib.sha256()
    digest.update(json.dumps([module.SHEET_ID, module.__name__, given, np.__version__], sort_keys=True,
                             default=repr).encode())
    own = Path(module.__file__).resolve()
    folders = dict.fromkeys([Path(reference.__file__).resolve().parent, own.parent])
    for source in [p for folder in folders for p in sorted(folder.glob("*.py"))] + list(SOURCES):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()[:32]


def _read(path: Path) -> dict[str, list[Alternative]] | None:
    try:
        with syntax.parsing(), np.load(path, allow_pickle=False) as data:  # numpy parses each array's header
            index = json.loads(str(data["index"]))
            return {name: [Alternative(id, message, data[array], tuple(also), hidden)
                           for id, message, array, also, hidden in rows] for name, rows in index.items()}
    except (OSError, ValueError, KeyError, TypeError, SyntaxError, zipfile.BadZipFile):  # swept again, rewritten
        return None


def _write(path: Path, found: dict[str, list[Alternative]]) -> None:
    arrays: dict[str, np.ndarray] = {}
    index: dict[str, list] = {}
    for name, alternatives in found.items():
        for alternative in alternatives:
            try:  # nan and inf stay (an overflow is a known mistake); anything but numbers is not cached
                value = np.asarray(alternative.value, dtype=np.float64)
            except (TypeError, ValueError):
                return
            array = f"v{len(arrays)}"
            arrays[array] = value
            index.setdefault(name, []).append([alternative.id, alternative.message, array, list(alternative.also),
                                               alternative.hidden])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, index=np.array(json.dumps(index)), **arrays)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def alternatives(module: ModuleType, given: dict[str, Any], key: dict[str, Any], trace: Sweep | None = None
                 ) -> dict[str, list[Alternative]]:
    """mutants.alternatives, read from the cache when this content was swept before."""
    try:
        path = scratch.cache_folder() / f"mutants-{content(module, given)}.npz"
    except (OSError, TypeError, ValueError):
        return mutants.alternatives(module, given, key, trace)
    found = _read(path) if path.exists() else None
    if found is None:
        found = mutants.alternatives(module, given, key, trace)
        _write(path, found)
    return found
