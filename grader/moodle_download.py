"""A Moodle assignment's "Download all submissions", as a zip or unpacked into a folder.

Moodle names each entry `<prefix>_<participant>_assign<area>_<plugin>_`: the prefix is the student's full name
(with the group's name and a hyphen before it in group assignments, underscores turned into spaces), the
participant number is the assignment's `Identifier` in Moodle's grading worksheet. With "download in folders" (the
default since Moodle 3.1) each entry is a folder holding the uploaded files; without it, each file name carries
the prefix. Each participant is one submission, named by the full name; the members of a group assignment whose
copies are identical are one submission. Feedback files are not submissions. Times come from the zip's entries
(Moodle writes each file's upload time) or, for an unpacked folder, the files' modification times.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from grader import archives, scratch
from grader.report.models import Member
from grader.text import printable

if TYPE_CHECKING:
    from grader.discovery import Intake

ENTRY = re.compile(r"^(?P<prefix>.+?)_(?P<id>\d+)_assign(?P<area>submission|feedback)_(?P<plugin>[a-z]+)_(?P<rest>.*)$",
                   re.S)
GROUP_WORD = re.compile(r"\d|group|gruppe|team|default", re.I)
IGNORED = ("__MACOSX", ".DS_Store", "Thumbs.db")
MAX_COPIED_BYTES = archives.SUBMISSION.file_bytes


def _names(path: Path) -> list[str]:
    """The top-level names of a download (folder entries or archive members), or [] when unreadable."""
    try:
        if path.is_dir():
            return [p.name for _, p in zip(range(50_000), path.iterdir())]
        if path.is_file() and path.name.lower().endswith(".zip"):
            import zipfile

            with zipfile.ZipFile(path) as zf:
                return list(dict.fromkeys(n.replace("\\", "/").split("/")[0] for n in zf.namelist()[:50_000]))
    except (OSError, ValueError, RuntimeError, EOFError):  # a broken zip is some submission's problem, not a download
        return []
    except Exception:
        return []
    return []


def is_download(path: Path) -> bool:
    """Every entry (operating-system litter aside) is named the way Moodle names them."""
    names = [n for n in _names(path) if n and n not in IGNORED and not n.startswith(".")]
    return bool(names) and all(ENTRY.match(n) for n in names)


@dataclass
class Participant:
    prefix: str
    id: str
    parts: list[Path] = field(default_factory=list)  # the entries of the file plugin
    other: list[str] = field(default_factory=list)  # other plugins' entries (online text)


def _group_split(prefixes: list[str]) -> dict[str, tuple[str, str]]:
    """prefix -> (group, full name). Moodle writes `Group-Full Name`; names have hyphens too (Anna-Lena), so a
    split counts only where the part before the hyphen is shared with another prefix or reads like a group."""
    candidates = {p: [p[:i] for i, c in enumerate(p) if c == "-" and 0 < i < len(p) - 1] for p in prefixes}
    counts: dict[str, int] = defaultdict(int)
    for cands in candidates.values():
        for c in set(cands):
            counts[c] += 1
    out = {}
    for prefix, cands in candidates.items():
        shared = [c for c in cands if counts[c] > 1]
        group = max(shared, key=len) if shared else next((c for c in cands if GROUP_WORD.search(c)), "")
        out[prefix] = (group, prefix[len(group) + 1:] if group else prefix)
    return out


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            digest.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()


def expand(path: Path, sheet: str, out: "Intake") -> None:
    """Each participant of the download as one submission in `out` (groups merged), the rest listed."""
    from grader.discovery import FILE_TIMES, Found, newest_file_time

    times: dict[str, datetime] = {}
    if path.is_dir():
        root, source = path, FILE_TIMES
    else:
        root = scratch.for_run("download")
        try:
            left_out, times = archives.unpack(path, root, archives.DOWNLOAD)
        except archives.ArchiveError as exc:
            out.skip(path, str(exc))
            return
        source = "Moodle's download (the zip's times)"
        for reason in left_out:
            out.skip(path, reason)
    people: dict[tuple[str, str], Participant] = {}
    for entry in sorted(root.iterdir()):
        match = ENTRY.match(entry.name)
        if entry.name in IGNORED or entry.name.startswith("."):
            continue
        shown = f"{printable(str(path))}/{printable(entry.name)}"
        if match is None:
            out.skip(shown, "not named the way Moodle names a submission")
            continue
        if match["area"] == "feedback":
            out.skip(shown, "feedback files from Moodle, not a submission")
            continue
        person = people.setdefault((match["prefix"], match["id"]), Participant(match["prefix"], match["id"]))
        if match["plugin"] == "file":
            person.parts.append(entry)
        else:
            person.other.append(entry.name)
    split = _group_split([p.prefix for p in people.values()])
    units: dict[str, list[tuple[Participant, Path]]] = defaultdict(list)
    for person in people.values():
        group, full_name = split[person.prefix]
        folder = _folder_of(person, root)
        if folder is None:
            out.skip(f"{printable(str(path))}/{printable(person.prefix)}_{person.id}",
                     "no uploaded files (only " + ", ".join(person.other) + ")" if person.other else "no uploaded files")
            continue
        units[group or f"\0{person.id}"].append((person, folder))
    for group, members in units.items():
        by_content: dict[str, list[tuple[Participant, Path]]] = defaultdict(list)
        for person, folder in members:
            by_content[_digest(folder)].append((person, folder))
        variants = []
        for copies in by_content.values():
            when = max((times[e.name] for p, _ in copies for e in p.parts if e.name in times), default=None) \
                if times else newest_file_time(copies[0][1])
            variants.append((when, copies))
        variants.sort(key=lambda v: (v[0] is not None, v[0] or datetime.min), reverse=True)
        (when, copies), older = variants[0], variants[1:]
        person, folder = copies[0]
        everyone = [pair for _, c in variants for pair in c]  # a group's grade is every member's
        flags = [f"online text ({', '.join(p.other)}): for manual grading in Moodle" for p, _ in everyone if p.other]
        in_group = group and not group.startswith("\0")
        shown = f"{printable(str(path))}/{printable(person.parts[0].name)}"
        for _, other in older:
            for p, _ in other:
                out.skip(f"{printable(str(path))}/{printable(p.parts[0].name)}",
                         f"an older upload of group {group} than {shown}, which was graded")
        if older:
            flags.append(f"the members of {group} uploaded different files: graded the newest ({split[person.prefix][1]}'s)")
        out.found.append(Found(
            path=folder, sheet=sheet, name=printable(group if in_group else split[person.prefix][1]), shown=shown,
            members=tuple(Member(name=printable(split[p.prefix][1]), id=p.id, kind="participant") for p, _ in everyone),
            submitted_at=when, time_source=source if when else "", flags=tuple(flags)))


def _folder_of(person: Participant, root: Path) -> Path | None:
    """The participant's files as one folder: Moodle's own folder when it made one, else a private folder holding
    the prefixed files under their own names."""
    folders = [p for p in person.parts if p.is_dir()]
    files = [p for p in person.parts if p.is_file() and not p.is_symlink()]
    if len(folders) == 1 and not files:
        return folders[0]
    if not folders and not files:
        return None
    target = scratch.for_run("moodle")
    for folder in folders:
        shutil.copytree(folder, target, dirs_exist_ok=True, symlinks=True)
    for file in files:
        match = ENTRY.match(file.name)
        own = match["rest"] if match and match["rest"] else file.name
        if file.stat().st_size <= MAX_COPIED_BYTES:
            shutil.copy2(file, target / own)
    return target
