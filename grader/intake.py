"""Open one submission: its files (archives unpacked safely by grader/archives.py, also archives inside a
folder), its group's members, the rubric files it stands for, its answers file.

Finding the submissions under a tutor's paths is grader/discovery.py's job.
"""
from __future__ import annotations

import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from grader import archives, scratch, student_settings
from grader.report.models import Member
from grader.text import printable

NAME_PART = r"[^\W\d_]+(?:-[^\W\d_]+)*"
MEMBER_RE = re.compile(rf"({NAME_PART})_(\d+)")
GROUP_RE = re.compile(rf"^{NAME_PART}_\d+(?:_{NAME_PART}_\d+){{0,2}}$")
MAX_ZIP_MEMBERS = archives.SUBMISSION.members
MAX_ANSWERS_BYTES = 1 * 2**20
MAX_FOLDER_ENTRIES = 2_000
SUBMISSION_SUFFIXES = (".zip", *archives.TAR_SUFFIXES, ".py", ".ipynb")
FOR_TUTORS = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".heic", ".tif", ".tiff", ".docx", ".odt")  # handwriting


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
    return printable(archives.stem(path) if path.is_file() else path.name)


def parse_members(name: str) -> tuple[list[Member], bool]:
    """Members of a group name, and whether the name follows Name1_id1_Name2_id2[_Name3_id3]."""
    members = [Member(name=m.group(1), id=m.group(2)) for m in MEMBER_RE.finditer(name)]
    return members, bool(GROUP_RE.match(name))


def is_submission(path: Path) -> bool:
    return (path.is_dir() and not path.name.startswith((".", "__"))) or \
        (path.is_file() and path.name.lower().endswith(SUBMISSION_SUFFIXES))


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


def open_submission(path: Path, sheet: str, files: list[str], name: str | None = None,
                    members: list[Member] | None = None) -> Submission:
    """A submission ready for grading, or one whose `problem` says why it cannot be. `name` and `members` come
    from a platform's export when it knows them (a Moodle download's full names and participant numbers)."""
    sub = Submission(name=name or submission_name(path), sheet=sheet, source=path)
    if members is not None:
        sub.members = list(members)
    else:
        sub.members, conventional = parse_members(sub.name)
        if not conventional:
            sub.flags.append("name does not follow Name1_id1_Name2_id2")
    if path.is_dir():
        sub.files = _files_in(path)
        _unpack_inner(sub)
    elif archives.is_archive(path):
        sub.scratch = scratch.folder("zip")
        try:
            sub.flags.extend(archives.unpack(path, sub.scratch)[0])
        except archives.ArchiveError as exc:
            sub.problem = str(exc)
            return sub
        sub.files = _files_in(sub.scratch)
        _unpack_inner(sub)
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


MAX_INNER_ARCHIVES = 5


def _unpack_inner(sub: Submission) -> None:
    """Archives among a submission's files (a Moodle folder holding the group's zip, a zip inside the zip): each
    is unpacked into the private folder, one level deep, within what is left of the submission's byte budget, and
    its files join those beside it, which win."""
    inner = [(n, p) for n, p in sub.files.items() if archives.is_archive(n)]
    if not inner:
        return
    if sub.scratch is None:
        sub.scratch = scratch.folder("zip")
    failed: list[str] = []
    for index, (name, path) in enumerate(inner):
        if index >= MAX_INNER_ARCHIVES:
            failed.append(f"{printable(name)} not unpacked: a submission holds at most {MAX_INNER_ARCHIVES} archives")
            continue
        target = sub.scratch / f".inner-{index}"  # dot folders are not walked by _files_in of the outer copy
        used = sum(p.stat().st_size for p in sub.scratch.rglob("*") if p.is_file() and not p.is_symlink())
        room = replace(archives.SUBMISSION, total_bytes=max(0, archives.SUBMISSION.total_bytes - used))
        try:
            sub.flags.extend(archives.unpack(path, target, room)[0])
        except archives.ArchiveError as exc:
            failed.append(str(exc))
            continue
        del sub.files[name]
        for inner_name, inner_path in _files_in(target).items():
            if inner_name in sub.files and not archives.is_archive(inner_name):
                sub.flags.append(f"{inner_name} is both beside {printable(name)} and in it: the one beside it was graded")
            sub.files.setdefault(inner_name, inner_path)
    if failed and not any(n.endswith((".py", ".ipynb", ".toml")) for n in sub.files):
        sub.problem = failed[0]  # nothing else to grade: the archive's reason is the submission's
    else:
        sub.flags.extend(failed)


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


def student_values(found: dict[str, Path], wanted: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Settings the sheet leaves to the student (rubric `student_values`: main.py's learning rate), as answer-key
    name -> (value, where), read by grader.student_settings and never run."""
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
        setting = student_settings.read(text, spec.name, spec.file)
        if setting is not None:
            out[key] = setting
    return out
