"""What discovery hands to grading: one submission found (`Found`), and the input's entries that are not graded
(`Intake`). Its own module so that the finders (grader/discovery.py, grader/moodle_download.py) share it without
importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from grader.intake import parse_members
from grader.report.models import Member, NotGraded
from grader.text import printable

SYSTEM = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints", "__pycache__")
MAX_TIMED_FILES = 2_000
FILE_TIMES = "file modification times"


@dataclass(frozen=True)
class Found:
    """One submission to grade: where its files are, how reports name it, and when it was handed in."""

    path: Path  # on disk: a folder, an archive or a single file
    sheet: str
    shown: str  # its path as reports and `--resume` name it (inside a download: `download.zip/Anna Meier_12_...`)
    name: str
    members: tuple[Member, ...] | None = None  # None: read from the name (Name1_id1_Name2_id2)
    submitted_at: datetime | None = None  # naive: the local time of the platform (read in the deadline's zone)
    time_source: str = ""
    flags: tuple[str, ...] = ()

    def member_list(self) -> list[Member]:
        return list(self.members) if self.members is not None else parse_members(self.name)[0]

    def member_ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.member_list() if m.id and m.kind != "group")

    def identity(self) -> str:
        """What a result depends on besides the files: a changed name, group or flag is graded again."""
        members = ";".join(f"{m.name}|{m.id}|{m.kind}" for m in self.member_list())
        return "\0".join([self.name, members, *self.flags])


@dataclass
class Intake:
    """Every submission found under a tutor's paths, and every entry that is not graded with the reason."""

    found: list[Found] = field(default_factory=list)
    not_graded: list[NotGraded] = field(default_factory=list)

    def skip(self, path: Path | str, reason: str) -> None:
        self.not_graded.append(NotGraded(path=printable(str(path)), reason=reason))


def newest_file_time(path: Path) -> datetime | None:
    """The newest modification time among a submission's files (UTC); links are not followed."""
    try:
        files = [path] if path.is_file() else \
            [p for _, p in zip(range(MAX_TIMED_FILES), path.rglob("*")) if p.is_file() and not p.is_symlink()]
        stamps = [p.lstat().st_mtime for p in files]
    except OSError:
        return None
    return datetime.fromtimestamp(max(stamps), timezone.utc) if stamps else None


def ordering_time(when: datetime | None) -> float:
    """A time to compare hand-ins by: a naive platform time is read in this machine's zone (the platform's, as a
    rule), an aware one as it is."""
    if when is None:
        return 0.0
    return when.timestamp() if when.tzinfo else when.astimezone().timestamp()
