"""What a submission's result depends on, as one hash: its files, the sheet (rubric, course files, reference
code), the grader's own code and the interpreter that runs student code. `--resume` reuses an earlier result
only under the same fingerprint, so an edited submission, rubric or reference is graded again."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import grader
import reference

MAX_FILES = 10_000


def _files(root: Path) -> list[Path]:
    """Every file under `root` but Python's bytecode caches, which the first import after an edit writes: they
    would change the grader's fingerprint between two runs of the same code."""
    if root.is_file():
        return [root]
    found = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                   and "__pycache__" not in p.relative_to(root).parts and p.suffix != ".pyc")
    return found[:MAX_FILES]


def _digest(digest, roots: list[Path]) -> None:
    for root in roots:
        for path in _files(root):
            digest.update(str(path.relative_to(root) if path != root else path.name).encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"unreadable")


def folder_digest(root: Path) -> str:
    """The content of a folder's files and their paths inside it, as one hash (a group's copies compared)."""
    digest = hashlib.sha256()
    _digest(digest, [root])
    return digest.hexdigest()


@lru_cache(maxsize=32)
def sheet_part(rubric: Path, course_files: Path, reference_folder: Path, python: str) -> str:
    digest = hashlib.sha256(python.encode())
    code = [Path(grader.__file__).parent, Path(reference.__file__).parent, reference_folder]
    _digest(digest, [rubric, *([course_files] if course_files.is_dir() else []),
                     *(p for p in dict.fromkeys(code))])
    return digest.hexdigest()


def of(submission: Path, setup, identity: str = "") -> str:
    """`identity`: what discovery said about the submission (its name, members, flags such as a duplicate), which
    the result shows and which can change while the files do not."""
    digest = hashlib.sha256(sheet_part(setup.sheet.rubric, setup.sheet.files,
                                       Path(setup.sheet.reference.__file__).resolve().parent,
                                       setup.environment.label).encode())
    digest.update(identity.encode("utf-8", "surrogateescape") + b"\0")
    _digest(digest, [submission])
    return digest.hexdigest()[:32]
