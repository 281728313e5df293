"""Find submissions, unpack archives safely, read group names and answers files.

Layout: `<sheet-id>/<Name1_id1_Name2_id2>/` (a folder, a .zip, or a single .py
for one-file sheets). The sheet is the parent folder's name or `--sheet`. Zip
members are extracted only as regular files under limits on count and size,
never outside the private folder.
"""
from __future__ import annotations

import math
import re
import shutil
import stat
import sys
import tomllib
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from grader import scratch
from grader.report.models import Member
from grader.text import spelled_out

NAME_PART = r"[^\W\d_]+(?:-[^\W\d_]+)*"
MEMBER_RE = re.compile(rf"({NAME_PART})_(\d+)")
GROUP_RE = re.compile(rf"^{NAME_PART}_\d+(?:_{NAME_PART}_\d+){{0,2}}$")
MAX_ZIP_MEMBERS = 500
MAX_ZIP_BYTES = 50 * 2**20
MAX_FILE_BYTES = 20 * 2**20
MAX_ANSWERS_BYTES = 1 * 2**20
MAX_RATIO = 200  # uncompressed / compressed size of one entry; source code compresses about 5 times
MAX_FOLDER_ENTRIES = 2_000
SUBMISSION_SUFFIXES = (".zip", ".py", ".ipynb")
FOR_TUTORS = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".heic", ".tif", ".tiff", ".docx", ".odt")  # handwriting
ODD_NAME = re.compile(r"[:*?\"<>|$`;&\x00-\x1f]")  # a shell or another system would misread these


class IntakeError(Exception):
    """A submission that cannot be graded at all; the message says what to fix."""


@dataclass
class Submission:
    name: str
    sheet: str
    source: Path
    files: dict[str, Path] = field(default_factory=dict)  # file name in the submission -> readable path
    members: list[Member] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    problem: str | None = None  # set when nothing can be graded (a broken archive, a notebook)
    scratch: Path | None = None  # a private folder to remove when done

    def cleanup(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def printable(name: str) -> str:
    """File names as reports can show them: invalid UTF-8 replaced, and control and invisible or
    direction-changing characters (a right-to-left override that makes `exe.py` read `yp.exe`) spelled out."""
    return spelled_out(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


SHADOWED = {"numpy", "matplotlib", "scipy", "IPython", "jax", "jaxlib", "flax", "optax", "torch", "sklearn",
            "pandas", "sitecustomize", "usercustomize", "grader", "reference", "worker", "tests"}


def helper_scripts(found: dict[str, Path], chosen: dict[str, Path]) -> tuple[dict[str, Path], list[str]]:
    """The submission's other scripts, which its files may import, and the names left out because they
    would shadow a library or the grader."""
    helpers = {n: p for n, p in found.items() if n.endswith(".py") and not shadows(n)}
    left_out = [printable(n) for n in found if n.endswith((".py", ".pth")) and shadows(n) and n not in chosen]
    return helpers, left_out


def shadows(name: str) -> bool:
    """A student file that would be imported instead of a library or the standard library (numpy.py,
    random.py, sitecustomize.py): never copied next to the student's code."""
    stem = PurePosixPath(name).stem
    return name.endswith(".pth") or stem in SHADOWED or stem in sys.stdlib_module_names


def submission_name(path: Path) -> str:
    return printable(path.stem if path.is_file() else path.name)


def parse_members(name: str) -> tuple[list[Member], bool]:
    """Members of a group name, and whether the name follows Name1_id1_Name2_id2[_Name3_id3]."""
    members = [Member(name=m.group(1), id=m.group(2)) for m in MEMBER_RE.finditer(name)]
    return members, bool(GROUP_RE.match(name))


def is_submission(path: Path) -> bool:
    return (path.is_dir() and not path.name.startswith(".")) or path.suffix in SUBMISSION_SUFFIXES


def _files_in(folder: Path, depth: int = 0) -> dict[str, Path]:
    """Regular files by name, the shallowest one winning: students zip folders inside folders."""
    found: dict[str, Path] = {}
    try:
        entries = sorted(p for _, p in zip(range(MAX_FOLDER_ENTRIES), folder.iterdir())
                         if not p.name.startswith((".", "__")))
    except OSError:
        return found
    for p in entries:
        if p.is_file() and not p.is_symlink():
            found.setdefault(p.name, p)
    if depth < 4:
        for p in entries:
            if p.is_dir() and not p.is_symlink():
                for name, inner in _files_in(p, depth + 1).items():
                    found.setdefault(name, inner)
    return found


def _extract(archive: Path, target: Path) -> list[str]:
    """Unpack into `target`; the entries left out, each with its reason."""
    skipped: list[str] = []
    seen: set[tuple[str, ...]] = set()
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise IntakeError(f"{archive.name}: the archive has {len(infos)} entries (limit {MAX_ZIP_MEMBERS})")
            if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
                raise IntakeError(f"{archive.name}: the archive unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
            total = 0
            for info in infos:
                mode = info.external_attr >> 16
                if info.is_dir() or stat.S_ISLNK(mode):
                    continue
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if not parts or info.filename.startswith("/") or ".." in parts:
                    raise IntakeError(f"{archive.name}: the entry {info.filename!r} points outside the archive; "
                                      "re-create the zip from the submission folder")
                if any(ODD_NAME.search(part) for part in parts):
                    skipped.append(f"{archive.name}: {printable(info.filename)} not used: its name holds characters "
                                   "a file name should not (: * ? \" < > | $ ` ; &)")
                    continue
                if parts in seen:  # the last one would silently win
                    raise IntakeError(f"{archive.name}: two entries are named {printable(info.filename)}; "
                                      "re-create the zip from the submission folder")
                seen.add(parts)
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 2**20:
                    raise IntakeError(f"{archive.name}: {printable(info.filename)} expands {info.file_size // info.compress_size}"
                                      f" times (a zip bomb?); re-create the zip from the submission folder")
                destination = target.joinpath(*parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(destination, "wb") as sink:
                    total += _bounded_copy(source, sink, archive.name, printable(info.filename), MAX_ZIP_BYTES - total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError, ValueError,
            OSError, zlib.error) as exc:  # encrypted, corrupt, clashing or over-long entries
        raise IntakeError(f"{archive.name} cannot be unpacked ({type(exc).__name__}: {exc}); "
                          "re-create it with a zip tool, without a password") from None
    return skipped


def _bounded_copy(source, sink, archive: str, entry: str, room: int) -> int:
    """Copy an archive member chunk by chunk, stopping at the per-file and the archive's total limit:
    the sizes a zip declares can lie."""
    copied = 0
    while chunk := source.read(1 << 16):
        copied += len(chunk)
        if copied > MAX_FILE_BYTES:
            raise IntakeError(f"{archive}: {entry} is larger than {MAX_FILE_BYTES // 2**20} MB")
        if copied > room:
            raise IntakeError(f"{archive}: the archive unpacks to more than {MAX_ZIP_BYTES // 2**20} MB")
        sink.write(chunk)
    return copied


def open_submission(path: Path, sheet: str, files: list[str]) -> Submission:
    """A submission ready for grading, or one whose `problem` says why it cannot be."""
    name = submission_name(path)
    sub = Submission(name=name, sheet=sheet, source=path)
    sub.members, conventional = parse_members(name)
    if not conventional:
        sub.flags.append("name does not follow Name1_id1_Name2_id2")
    if path.is_dir():
        sub.files = _files_in(path)
    elif path.suffix == ".zip":
        sub.scratch = scratch.folder("zip")
        try:
            sub.flags.extend(_extract(path, sub.scratch))
        except IntakeError as exc:
            sub.problem = str(exc)
            return sub
        sub.files = _files_in(sub.scratch)
    elif path.suffix in (".py", ".ipynb"):
        if len(files) != 1:
            sub.problem = (f"a single {path.suffix} file cannot be graded for {sheet}: it needs "
                           f"{', '.join(files) or 'no code'}; submit a folder or a .zip")
        else:
            sub.files = {path.name: path}
    manual = sorted(name for name in sub.files if Path(name).suffix.lower() in FOR_TUTORS)
    if manual:
        sub.flags.append(f"for manual grading: {', '.join(manual)}")
    return sub


def match_files(found: dict[str, Path], wanted: list[str]) -> tuple[dict[str, Path], list[str]]:
    """The submission's file for each rubric file, and flags for every stand-in taken.

    Students hand in `code2.py` work as `code2.ipynb` and the other way round, or
    one notebook under a name of their own: a rubric file is matched by its name,
    then by its stem with the other suffix, then, when exactly one rubric file is
    left and exactly one notebook nobody claimed (or a single file was submitted),
    by that one.
    """
    chosen = {name: found[name] for name in wanted if name in found}
    flags: list[str] = []
    for name in wanted:
        stem, suffix = Path(name).stem, Path(name).suffix
        other = f"{stem}{'.ipynb' if suffix == '.py' else '.py'}"
        if name not in chosen and suffix in (".py", ".ipynb") and other in found and other not in wanted:
            chosen[name] = found[other]
            flags.append(f"{name} graded from {other}")
    left = [name for name in wanted if name not in chosen]
    claimed = set(chosen.values())
    code = [n for n in found if n.endswith((".py", ".ipynb"))]  # an answers file beside it changes nothing
    spare = [(n, p) for n, p in found.items() if p not in claimed and n not in wanted
             and (n.endswith(".ipynb") or (len(code) == 1 and n.endswith(".py")))]
    if len(left) == 1 and len(spare) == 1:
        chosen[left[0]] = spare[0][1]
        flags.append(f"{left[0]} graded from {spare[0][0]}")
    return chosen, flags


def read_answers(path: Path | None) -> tuple[dict[str, Any] | None, str | None]:
    """The answers file flattened to dotted names ({"7": {"2": {"L1": 1}}} -> "7.2.L1"), or why it is unusable."""
    if path is None:
        return None, None
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            return None, f"{path.name} is larger than 1 MB"
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Windows editors add a BOM
    except RecursionError:
        return None, f"{path.name} is nested too deeply to read"
    except OSError as exc:
        return None, f"{path.name} cannot be read ({exc.strerror})"
    except UnicodeDecodeError:
        return None, f"{path.name} is not UTF-8 text; save it as UTF-8"
    except tomllib.TOMLDecodeError as exc:
        return None, f"{path.name} is not valid TOML ({exc}); quote dotted names like \"7.2.L1\" = 0.79"
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = value

    walk("", data)
    return flat, None


def discover(paths: list[Path], sheet: str | None, known_sheets: list[str]) -> list[tuple[Path, str]]:
    """(submission path, sheet id) pairs, sorted; raises IntakeError for unusable arguments."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if not path.exists():
            raise IntakeError(f"{path}: no such file or folder")
        found.extend(_discover_one(path, sheet, known_sheets))
    return found


def _sheet_of(path: Path, sheet: str | None, known: list[str]) -> str:
    if sheet:
        return sheet
    for parent in [path.parent, *path.parents]:
        if parent.name in known:
            return parent.name
    raise IntakeError(f"{path}: cannot tell which sheet this is; put it in a folder named after the sheet "
                      f"(one of {', '.join(known)}) or pass --sheet")


def _discover_one(path: Path, sheet: str | None, known: list[str]) -> list[tuple[Path, str]]:
    path = path.resolve()
    if path.is_file():
        if path.suffix not in SUBMISSION_SUFFIXES:
            raise IntakeError(f"{path}: not a submission (expected a folder, .zip, .py or .ipynb)")
        return [(path, _sheet_of(path, sheet, known))]
    if path.name in known:
        return [(p, sheet or path.name) for p in sorted(path.iterdir()) if is_submission(p)]
    sheet_dirs = [p for p in sorted(path.iterdir()) if p.is_dir() and p.name in known]
    if sheet_dirs:
        return [pair for d in sheet_dirs for pair in _discover_one(d, sheet, known)]
    return [(path, _sheet_of(path, sheet, known))]


NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"  # one way to read each digit: no backtracking


def student_values(found: dict[str, Path], wanted: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Settings the sheet leaves to the student (rubric `student_values`: main.py's `learning_rate = 0.2`), as
    answer-key name -> (value, where): the last number assigned to the name in the file's text, never run."""
    out: dict[str, tuple[float, str]] = {}
    for key, spec in wanted.items():
        path = found.get(spec.file)
        if path is None:
            continue
        try:
            with open(path, "rb") as fh:
                text = fh.read(MAX_ANSWERS_BYTES).decode("utf-8", errors="replace")
        except OSError:
            continue
        numbers = [m.group(1) for line in text.splitlines() if len(line) < 200
                   for m in [re.fullmatch(rf"[ \t]*{re.escape(spec.name)}[ \t]*=[ \t]*({NUMBER})[ \t]*(?:#.*)?", line)]
                   if m]
        if numbers and math.isfinite(value := float(numbers[-1])):
            out[key] = (value, f"{spec.name} = {numbers[-1]} in {spec.file}")
    return out
