"""Unpack a submission's archive (.zip, .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz) into a private folder.

Archives are hostile input: only regular files are written, never outside the target, under limits on entry
count, total size, per-file size and compression ratio that hold even when an archive lies about its sizes. A
tar member goes through `tarfile`'s own `data` filter (no links, devices, absolute or escaping paths) before its
bytes are copied, chunk by chunk, by the same bounded copy as a zip's.
"""
from __future__ import annotations

import bz2
import gzip
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import IO

from grader.text import printable

TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
ODD_NAME_CHARS = ':*?"<>|$`;&'


class ArchiveError(Exception):
    """An archive that cannot be used at all; the message says what to do."""


class _EntryTooLarge(ArchiveError):
    """One entry over the file size or compression ratio limit."""


@dataclass(frozen=True)
class Limits:
    members: int = 500
    total_bytes: int = 50 * 2**20
    file_bytes: int = 20 * 2**20
    ratio: int = 200  # uncompressed / compressed size of one zip entry; source code compresses about 5 times
    per_entry: bool = False  # an entry over the file or ratio limit is left out and listed, the rest unpacked


SUBMISSION = Limits(total_bytes=100 * 2**20, file_bytes=64 * 2**20)  # a notebook with plots fits
# a course's "download all": an entry over the limits is listed and the rest unpacked; a participant's own archive
# inside it is then unpacked under SUBMISSION's limits, and notebooks are read up to their own limit
DOWNLOAD = Limits(members=20_000, total_bytes=4 * 2**30, file_bytes=200 * 2**20, per_entry=True)


def is_archive(path: Path | str) -> bool:
    name = str(path).lower()
    return name.endswith(".zip") or name.endswith(TAR_SUFFIXES)


def stem(path: Path) -> str:
    """The name without its archive suffix (`A_1.tar.gz` -> `A_1`)."""
    name = path.name
    for suffix in (".zip", *TAR_SUFFIXES):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


@dataclass(frozen=True)
class Entry:
    parts: tuple[str, ...]  # the path inside the archive
    size: int  # as declared
    packed: int  # compressed size where the format says (zip), else 0
    when: datetime | None  # the time the archive stores for it: a zip's is naive (the packer's local time)
    open: Callable[[], IO[bytes]]


def _odd(part: str) -> bool:
    return any(c in ODD_NAME_CHARS or ord(c) < 32 for c in part)


def _zip_entries(zf: zipfile.ZipFile, name: str) -> Iterator[Entry]:
    for info in zf.infolist():
        if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16):
            continue
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if not parts or info.filename.startswith("/") or ".." in parts:
            raise ArchiveError(f"{name}: the entry {printable(info.filename)!r} points outside the archive; "
                               "re-create the archive from the submission folder")
        try:
            when = datetime(*info.date_time)
        except ValueError:
            when = None
        yield Entry(parts, info.file_size, info.compress_size, when, lambda info=info: zf.open(info))


def _tar_entries(tf: tarfile.TarFile, name: str, target: Path, limits: Limits) -> Iterator[Entry]:
    count = declared = 0
    for member in tf:
        count += 1
        if count > limits.members:
            raise ArchiveError(f"{name}: the archive has more than {limits.members} entries")
        if not member.isfile():
            continue  # folders are made as needed; links, devices and fifos are never written
        if member.name.startswith(("/", "\\")) or ".." in PurePosixPath(member.name).parts:
            raise ArchiveError(f"{name}: the entry {printable(member.name)!r} points outside the archive; "
                               "re-create the archive from the submission folder")
        declared += member.size
        if declared > limits.total_bytes:
            raise ArchiveError(f"{name}: the archive unpacks to more than {limits.total_bytes // 2**20} MB")
        try:
            member = tarfile.data_filter(member, str(target))
        except tarfile.FilterError as exc:
            raise ArchiveError(f"{name}: the entry {printable(member.name)!r} is not allowed ({exc}); "
                               "re-create the archive from the submission folder") from None
        parts = PurePosixPath(member.name).parts
        when = datetime.fromtimestamp(member.mtime, timezone.utc) if member.mtime else None
        yield Entry(parts, member.size, 0, when, lambda member=member: tf.extractfile(member))


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """The tar inside a compressed file, decompressed as it is read (by the magic bytes, not the name)."""
    magic = raw.read(6)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    if magic[:3] == b"BZh":
        return bz2.BZ2File(raw)
    if magic == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(raw)
    return raw


class _Capped:
    """A stream that stops after the archive's limit of decompressed bytes (headers included): tarfile reads a
    long-name header whole into memory, whatever size it declares."""

    def __init__(self, stream: IO[bytes], limits: Limits, name: str) -> None:
        self.stream, self.name, self.left = stream, name, limits.total_bytes + limits.members * 4096 + 2**20
        self.total = limits.total_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left + 1 if size < 0 else min(size, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise ArchiveError(f"{self.name}: the archive unpacks to more than {self.total // 2**20} MB")
        return data


def unpack(archive: Path, target: Path, limits: Limits = SUBMISSION,
           ) -> tuple[list[str], dict[str, datetime]]:
    """Unpack into `target`: the entries left out, each with its reason, and per top-level name the newest time
    its entries carry (a course download's time per participant)."""
    name = printable(archive.name)
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                if len(infos) > limits.members:
                    raise ArchiveError(f"{name}: the archive has {len(infos)} entries (limit {limits.members})")
                if sum(i.file_size for i in infos) > limits.total_bytes:
                    raise ArchiveError(f"{name}: the archive unpacks to more than {limits.total_bytes // 2**20} MB")
                return _write(_zip_entries(zf, name), name, target, limits)
        with open(archive, "rb") as raw, _decompressed(raw) as stream, \
                tarfile.open(fileobj=_Capped(stream, limits, name), mode="r|") as tf:
            return _write(_tar_entries(tf, name, target, limits), name, target, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, NotImplementedError, EOFError,
            RuntimeError, ValueError, OSError, zlib.error, lzma.LZMAError) as exc:  # encrypted, corrupt, over-long entries
        raise ArchiveError(f"{name} cannot be unpacked ({type(exc).__name__}: {str(exc)[:200]}); "
                           "re-create it with a zip or tar tool, without a password") from None


def _write(entries: Iterator[Entry], name: str, target: Path, limits: Limits) -> tuple[list[str], dict[str, datetime]]:
    skipped: list[str] = []
    seen: set[tuple[str, ...]] = set()
    times: dict[str, datetime] = {}
    total = 0
    for entry in entries:
        shown = printable("/".join(entry.parts))
        # a course download's top level holds the platform's names (a group called `Team; 3`), not the students'
        if any(_odd(part) for part in entry.parts[1 if limits.per_entry else 0:]):
            skipped.append(f"{name}: {shown} not used: its name holds characters a file name should not "
                           f"({' '.join(ODD_NAME_CHARS)})")
            continue
        if entry.parts in seen:  # the last one would silently win
            raise ArchiveError(f"{name}: two entries are named {shown}; re-create the archive from the submission folder")
        seen.add(entry.parts)
        destination = target.joinpath(*entry.parts)
        try:
            if entry.packed and entry.size / entry.packed > limits.ratio and entry.size > 2**20:
                raise _EntryTooLarge(f"{name}: {shown} expands {entry.size // entry.packed} times (a zip bomb?); "
                                   "re-create the archive from the submission folder")
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = entry.open()
            if source is None:
                continue
            with source, open(destination, "wb") as sink:
                total += bounded_copy(source, sink, name, shown, limits, limits.total_bytes - total)
        except _EntryTooLarge as exc:
            if not limits.per_entry:
                raise ArchiveError(str(exc)) from None
            destination.unlink(missing_ok=True)
            skipped.append(f"{exc} (not unpacked)")
            continue
        top = entry.parts[0]
        if entry.when is not None:
            times[top] = max(times[top], entry.when) if top in times else entry.when
    return skipped, times


def bounded_copy(source: IO[bytes], sink: IO[bytes], archive: str, entry: str, limits: Limits, room: int) -> int:
    """Copy chunk by chunk, stopping at the per-file and the archive's total limit: declared sizes can lie."""
    copied = 0
    while chunk := source.read(1 << 16):
        copied += len(chunk)
        if copied > limits.file_bytes:
            raise _EntryTooLarge(f"{archive}: {entry} is larger than {limits.file_bytes // 2**20} MB")
        if copied > room:
            raise ArchiveError(f"{archive}: the archive unpacks to more than {limits.total_bytes // 2**20} MB")
        sink.write(chunk)
    return copied
