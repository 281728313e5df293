"""A Moodle assignment's "Download all submissions", as a zip or unpacked into a folder.

Moodle names each entry `<prefix>_<number>_assign<area>_<plugin>`: a folder per participant with "download in
folders" (the default since Moodle 3.1), or the files themselves with `_<file name>` appended. Before Moodle 4.1
the folder name ends in `_` and the prefix of a group assignment is `<Group>-<Full Name>` with one entry per
member; since 4.1 a group assignment has one entry per group, `<Group>_<group number>` (`Default group` without a
number). The number is the participant's `Identifier` in Moodle's grading worksheet, or the group's.

Each participant is one submission named by the full name. A group is recognised only where its name says so (a
digit, "group", "team", "Gruppe", "default" before the hyphen): a hyphenated first name (Anna-Lena) is never a
group, and two students are never merged on a guess. A group's identical copies are one submission; when its
members uploaded different files, the newest is graded and the others listed. Feedback entries are listed, online
text is flagged for manual grading. Times come from the zip's entries (Moodle writes each upload's time there) or,
unpacked, from the files' modification times.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import archives, fingerprint, scratch
from grader.found import FILE_TIMES, SYSTEM, Found, Intake, newest_file_time, ordering_time
from grader.report.models import Member
from grader.text import printable

ENTRY = re.compile(r"^(?P<prefix>.+?)(?:_(?P<id>\d+))?_assign(?P<area>submission|feedback)_(?P<plugin>[a-z]+)"
                   r"(?:(?P<old>_)(?P<rest>.*))?$", re.S)
GROUP_WORD = re.compile(r"\d|group|gruppe|team|default", re.I)
ZIP_TIMES = "Moodle's download (the zip's times)"
MAX_NAMES = 50_000


def _names(path: Path) -> list[str]:
    """The top-level names of a download (folder entries or archive members), or [] when unreadable: a broken zip
    is some submission's problem, not a download."""
    try:
        if path.is_dir():
            return [p.name for _, p in zip(range(MAX_NAMES), path.iterdir())]
        if path.is_file() and path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                return list(dict.fromkeys(n.replace("\\", "/").split("/")[0] for n in zf.namelist()[:MAX_NAMES]))
    except (OSError, ValueError, RuntimeError, EOFError, zipfile.BadZipFile):
        return []
    return []


def is_download(path: Path) -> bool:
    """Every entry (operating-system litter aside) is named the way Moodle names them."""
    names = [n for n in _names(path) if n and n not in SYSTEM and not n.startswith(".")]
    return bool(names) and all(ENTRY.match(n) for n in names)


def member(name: str, number: str | None, new_format: bool) -> Member:
    """A participant, or, in Moodle 4.1's group entries, the group itself: its number is no participant's, and
    a worksheet row under it would grade a stranger."""
    group = new_format and (number is None or GROUP_WORD.search(name) is not None)
    return Member(name=name, id=number or "", kind="group" if group else "participant")


@dataclass
class Participant:
    prefix: str
    number: str | None
    parts: list[Path] = field(default_factory=list)  # the entries of the file plugin
    other: list[str] = field(default_factory=list)  # other plugins' entries (online text)


def _group_split(prefix: str, new_format: bool) -> tuple[str, str]:
    """(group, full name) of a pre-4.1 prefix `Group-Full Name`; ("", prefix) when no group is certain."""
    if new_format:
        return "", prefix
    for i, c in enumerate(prefix):
        if c == "-" and 0 < i < len(prefix) - 1 and GROUP_WORD.search(prefix[:i]):
            return prefix[:i], prefix[i + 1:]
    return "", prefix


def expand(path: Path, sheet: str, out: Intake) -> None:
    """Each participant (or group) of the download as one submission in `out`, the rest listed."""
    times: dict[str, datetime] = {}
    if path.is_dir():
        root, source = path, FILE_TIMES
    else:
        root, source = scratch.for_run("download"), ZIP_TIMES
        try:
            left_out, times = archives.unpack(path, root, archives.DOWNLOAD)
        except archives.ArchiveError as exc:
            out.skip(path, str(exc))
            return
        for reason in left_out:
            out.skip(path, reason)
    here = printable(str(path))
    people, new_format = _participants(root, here, out)
    units: dict[str, list[tuple[Participant, Path]]] = defaultdict(list)
    for person in people:
        folder = _folder_of(person, here, out)
        if folder is None:
            why = f"no uploaded files (only {printable(', '.join(person.other))})" if person.other else "no uploaded files"
            out.skip(f"{here}/{printable(person.prefix)}_{person.number or ''}", why)
            continue
        group = _group_split(person.prefix, new_format)[0]
        units[group or f"\0{person.prefix}\0{person.number}"].append((person, folder))
    for group, members in units.items():
        _add_unit(group if not group.startswith("\0") else "", members, times, source, here, sheet, new_format, out)


def _participants(root: Path, here: str, out: Intake) -> tuple[list[Participant], bool]:
    people: dict[tuple[str, str | None], Participant] = {}
    new_format = False
    for entry in sorted(root.iterdir()):
        if entry.name in SYSTEM or entry.name.startswith("."):
            continue
        match = ENTRY.match(entry.name)
        shown = f"{here}/{printable(entry.name)}"
        if entry.is_symlink():
            out.skip(shown, "a symbolic link: not followed")
        elif match is None:
            out.skip(shown, "not named the way Moodle names a submission")
        elif match["area"] == "feedback":
            out.skip(shown, "feedback files from Moodle, not a submission")
        else:
            new_format |= entry.is_dir() and match["old"] is None
            person = people.setdefault((match["prefix"], match["id"]), Participant(match["prefix"], match["id"]))
            (person.parts if match["plugin"] == "file" else person.other).append(entry if match["plugin"] == "file"
                                                                                 else entry.name)
    return list(people.values()), new_format


def _add_unit(group: str, copies_of: list[tuple[Participant, Path]], times: dict[str, datetime], source: str,
              here: str, sheet: str, new_format: bool, out: Intake) -> None:
    """One submission from the copies of one participant or group: identical copies are one, the newest wins."""
    by_content: dict[str, list[tuple[Participant, Path]]] = defaultdict(list)
    for person, folder in copies_of:
        by_content[fingerprint.folder_digest(folder)].append((person, folder))
    variants = []
    for copies in by_content.values():
        when = max((times[e.name] for p, _ in copies for e in p.parts if e.name in times), default=None) \
            if times else newest_file_time(copies[0][1])
        variants.append((when, copies))
    variants.sort(key=lambda v: ordering_time(v[0]), reverse=True)
    (when, copies), older = variants[0], variants[1:]
    person, folder = copies[0]
    everyone = [pair for _, c in variants for pair in c]  # a group's grade is every member's
    name_of = {id(p): printable(_group_split(p.prefix, new_format)[1]) for p, _ in everyone}
    flags = [f"online text ({printable(', '.join(p.other))}): for manual grading in Moodle"
             for p, _ in everyone if p.other]
    shown = f"{here}/{printable(person.parts[0].name)}"
    for _, other in older:
        for p, _ in other:
            out.skip(f"{here}/{printable(p.parts[0].name)}",
                     f"an older upload of group {printable(group)} than {shown}, which was graded")
    if older:
        flags.append(f"the members of {printable(group)} uploaded different files: graded the newest "
                     f"({name_of[id(person)]}'s)")
    members = tuple(member(name_of[id(p)], p.number, new_format) for p, _ in everyone)
    if any(m.kind == "group" for m in members):
        flags.append("a Moodle group submission: the download does not name its members, so no worksheet row "
                     "is written for it; enter the group's grade in Moodle")
    out.found.append(Found(path=folder, sheet=sheet, name=printable(group) if group else name_of[id(person)],
                           shown=shown, members=members, submitted_at=when, time_source=source if when else "",
                           flags=tuple(flags)))


def _folder_of(person: Participant, here: str, out: Intake) -> Path | None:
    """The participant's files as one folder: Moodle's own folder when it made one, else a private folder holding
    the prefixed files under their own names, under the same limits as an archive's entries."""
    folders = [p for p in person.parts if p.is_dir()]
    files = [p for p in person.parts if p.is_file()]
    if len(folders) == 1 and not files:
        return folders[0]
    if not folders and not files:
        return None
    target = scratch.for_run("moodle")
    for folder in folders:
        shutil.copytree(folder, target, dirs_exist_ok=True, symlinks=True)  # links stay links: never read
    for file in files:
        match = ENTRY.match(file.name)
        own = match["rest"] if match and match["rest"] else file.name
        if file.stat().st_size > archives.SUBMISSION.file_bytes:
            out.skip(f"{here}/{printable(file.name)}",
                     f"larger than {archives.SUBMISSION.file_bytes // 2**20} MB: not copied")
        else:
            shutil.copy2(file, target / own)
    return target
