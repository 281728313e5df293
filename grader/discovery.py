"""Find the submissions under the paths a tutor gives: each with its sheet, its members, and when it was handed
in; and every other entry of the input with the reason it is not graded.

Layouts: `<sheet-id>/<Name1_id1_Name2_id2>` (a folder, an archive, or a single .py or .ipynb), folders of those
nested inside the sheet folder (one per tutorial group), and a course platform's export (a Moodle "download all",
grader/moodle_download.py). The sheet is the nearest parent folder named after one, or `--sheet`. The same group
handed in twice (a folder and a zip, two uploads) is graded once, from the newest hand-in.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from grader import archives, intake, lateness, moodle_download
from grader.found import FILE_TIMES, SYSTEM, Found, Intake, newest_file_time, ordering_time
from grader.intake import IntakeError
from grader.text import printable

__all__ = ["FILE_TIMES", "Found", "Intake", "IntakeError", "discover", "single"]

def discover(paths: list[Path], sheet: str | None, known: list[str], times: Path | None = None) -> Intake:
    """Every submission under `paths`, in the order given; raises IntakeError for unusable arguments. `times`: a
    --submitted-at CSV, whose times replace those found before the newest of a group's hand-ins is chosen."""
    out = Intake()
    for path in paths:
        if not path.exists():
            raise IntakeError(f"{path}: no such file or folder")
        _discover_one(path.resolve(), sheet, known, out, top=True)
    first: dict[str, Found] = {}
    for found in out.found:  # a path given twice is one submission
        first.setdefault(found.shown, found)
    out.found = list(first.values())
    if times is not None:
        out.found = lateness.with_times(out.found, times)
    out.found = _one_per_group(out)
    return out


def single(path: Path, sheet: str) -> Found:
    """A path graded as one submission of `sheet`, whatever it is named (`grade check`)."""
    path = path.resolve()
    return _plain(path, sheet)


def _plain(path: Path, sheet: str) -> Found:
    when = newest_file_time(path)
    name, members = intake.submission_name(path), None
    moodle = moodle_download.ENTRY.match(path.name)
    if moodle and path.is_dir():  # one participant's folder of a Moodle download, graded on its own
        name = printable(moodle["prefix"])
        members = (moodle_download.member(name, moodle["id"], new_format=moodle["old"] is None),)
    return Found(path=path, sheet=sheet, shown=printable(str(path)), name=name, members=members,
                 submitted_at=when, time_source=FILE_TIMES if when else "")


def _sheet_of(path: Path, sheet: str | None, known: list[str]) -> str:
    if sheet:
        return sheet
    for parent in [path.parent, *path.parents]:
        if parent.name in known:
            return parent.name
    raise IntakeError(f"{path}: cannot tell which sheet this is; put it in a folder named after the sheet "
                      f"(one of {', '.join(known)}) or pass --sheet")


def _discover_one(path: Path, sheet: str | None, known: list[str], out: Intake, top: bool = False) -> None:
    if moodle_download.is_download(path):
        moodle_download.expand(path, _sheet_of(path, sheet, known), out)
        return
    if path.is_file():
        if not path.name.lower().endswith(intake.SUBMISSION_SUFFIXES):
            if top:
                raise IntakeError(f"{path}: not a submission (expected a folder, an archive, .py or .ipynb)")
            out.skip(path, _why_not(path))
            return
        out.found.append(_plain(path, _sheet_of(path, sheet, known)))
        return
    children = [p for p in sorted(path.iterdir()) if p.name not in SYSTEM and not p.name.startswith(".")]
    if path.name in known or (not top and _is_container(path)):
        inner = sheet or (path.name if path.name in known else None)
        for child in children:  # a folder or an archive (a Moodle download among them) is found at the next level
            if not child.is_symlink() and intake.is_submission(child):
                _discover_one(child, inner, known, out)
            else:
                out.skip(child, _why_not(child))
        return
    if any(p.is_dir() and p.name in known for p in children):
        for child in children:  # the sheet folders; beside them, listed, so nothing goes unmentioned
            if child.is_dir() and child.name in known:
                _discover_one(child, sheet, known, out)
            else:
                out.skip(child, "not a folder named after a sheet" if child.is_dir() else "not in a sheet's folder")
        return
    out.found.append(_plain(path, _sheet_of(path, sheet, known)))


def _why_not(path: Path) -> str:
    if path.is_symlink():
        return "a symbolic link: not followed"
    if path.suffix.lower() in intake.FOR_TUTORS:
        return "for manual grading: not inside a submission, so not tied to a group"
    return "not a submission (a folder, an archive, .py or .ipynb, named after its group)"


def _is_container(folder: Path) -> bool:
    """A folder that only holds submissions (a tutorial group's folder of group zips), not a submission: no code
    of its own and every entry named like a group."""
    try:
        entries = [p for _, p in zip(range(500), folder.iterdir()) if p.name not in SYSTEM and not p.name.startswith(".")]
    except OSError:
        return False
    if not entries or any(p.is_file() and p.suffix in (".py", ".ipynb", ".toml") for p in entries):
        return False
    named = [p for p in entries if (p.is_dir() or archives.is_archive(p) or p.suffix in (".py", ".ipynb"))
             and intake.parse_members(intake.submission_name(p))[1]]
    return len(named) >= max(1, len(entries) // 2 + 1)


def _newest_first(found: Found) -> tuple:
    return (-ordering_time(found.submitted_at), found.shown)


def _one_per_group(out: Intake) -> list[Found]:
    """The same group twice: the newest is graded, the others listed. A student in two different groups: both are
    graded and both flagged, for the tutor to decide."""
    by_group: dict[tuple[str, frozenset[str]], list[Found]] = defaultdict(list)
    loose: list[Found] = []
    for found in out.found:
        ids = found.member_ids()
        (by_group[(found.sheet, ids)] if ids else loose).append(found)
    kept: list[Found] = list(loose)
    for (sheet, ids), hand_ins in by_group.items():
        newest, *older = sorted(hand_ins, key=_newest_first)
        for other in older:
            out.skip(other.shown, f"an older hand-in of the same group as {newest.name} ({newest.shown}), "
                                  "which was graded")
        if older:
            newest = replace(newest, flags=(*newest.flags, "handed in more than once: graded the newest; older: "
                                            + ", ".join(o.shown for o in older)))
        kept.append(newest)
    by_member: dict[tuple[str, str], list[Found]] = defaultdict(list)
    for found in kept:
        for member_id in found.member_ids():
            by_member[(found.sheet, member_id)].append(found)
    extra: dict[str, list[str]] = defaultdict(list)
    for (_, member_id), groups in by_member.items():
        if len(groups) > 1:
            for found in groups:
                others = ", ".join(g.name for g in groups if g is not found)
                extra[found.shown].append(f"member {member_id} is also in {others}")
    kept = [replace(f, flags=(*f.flags, *extra[f.shown])) if f.shown in extra else f for f in kept]
    order = {f.shown: i for i, f in enumerate(out.found)}  # the order the paths were given and found in
    return sorted(kept, key=lambda f: order[f.shown])
