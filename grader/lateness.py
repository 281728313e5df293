"""Lateness: when each submission was handed in, and what the rubric's late policy takes for it.

A time comes from the platform's export (a Moodle download's entry times), else a tutor's `--submitted-at` CSV,
else the files' modification times, and the report says which: modification times change when files are copied,
so a tutor reads a deduction based on them with care. Naive times are read in the deadline's time zone. The
deduction is a share of the points earned, so it is recomputed whenever points change (manual points merged).
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from grader.errors import UsageError
from grader.report.models import Lateness, SubmissionReport
from grader.rubric import Deadline

MOODLE_TIME = "%A, %d %B %Y, %I:%M %p"  # the grading worksheet's "Last modified (submission)"
PARTICIPANT = re.compile(r"^\s*Participant\s+(\d+)\s*$", re.I)


def aware(when: datetime, zone) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=zone)


def assess(report: SubmissionReport, deadline: Deadline | None, when: datetime | None, source: str) -> SubmissionReport:
    """The report with its hand-in time and, past the deadline, its lateness and the points after deduction."""
    update: dict = {"late": None}
    if when is not None:
        zone = deadline.zone if deadline else timezone.utc
        update.update(submitted_at=aware(when, zone).isoformat(timespec="seconds"), submitted_from=source)
    if deadline is not None and when is not None:
        # in UTC: datetimes sharing one tzinfo subtract as wall clocks, and summer time would be lost
        after = aware(when, deadline.zone).astimezone(timezone.utc) - deadline.due.astimezone(timezone.utc)
        if after > timedelta(minutes=deadline.grace_minutes):
            days = math.ceil(after / timedelta(days=1))
            percent = {"none": 0.0, "zero": 100.0,
                       "percent-per-day": min(deadline.cap, deadline.percent * days)}[deadline.late]
            update["late"] = Lateness(hours=round(after / timedelta(hours=1), 2), days=days, percent=percent,
                                      deduction=0.0, policy=deadline.describe())
    return settle(report.model_copy(update=update))


def settle(report: SubmissionReport) -> SubmissionReport:
    """Points = what the tasks earned minus the late deduction (a share of them)."""
    earned = round(sum(t.points for t in report.tasks), 4)
    if report.late is None:
        return report.model_copy(update={"points": earned})
    deduction = round(earned * report.late.percent / 100, 4)
    late = report.late.model_copy(update={"deduction": deduction})
    return report.model_copy(update={"points": round(earned - deduction, 4), "late": late})


def read_times(file: Path) -> dict[str, datetime]:
    """A `--submitted-at` CSV: `submission,submitted_at` (ISO 8601), or Moodle's grading worksheet
    (`Identifier` = "Participant N", `Last modified (submission)`). Keys: submission names, and participant
    numbers as `participant:N`. One bad line stops it, naming the line."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{file}: cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file}: not UTF-8 text; save the CSV as UTF-8") from None
    rows = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in rows.fieldnames or []]
    moodle = "Identifier" in header and "Last modified (submission)" in header
    if not moodle and not {"submission", "submitted_at"} <= set(header):
        raise UsageError(f"{file}: expected the columns `submission,submitted_at` or Moodle's grading worksheet "
                         "(Identifier, Last modified (submission))")
    times: dict[str, datetime] = {}
    for line, row in enumerate(rows, start=2):
        if row.get(None):  # csv puts the fields beyond the header under None
            raise UsageError(f"{file}, line {line}: more fields than the header has; quote a field with a comma")
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if moodle:
            found = PARTICIPANT.match(row["Identifier"])
            stamp = row["Last modified (submission)"]
            if found is None or stamp in ("", "-"):
                continue  # no submission yet
            key, when = f"participant:{found.group(1)}", _parse(stamp, file, line, MOODLE_TIME)
        else:
            if not row["submission"]:
                raise UsageError(f"{file}, line {line}: the submission is empty")
            key, when = row["submission"], _parse(row["submitted_at"], file, line)
        times[key] = when
    return times


def _parse(text: str, file: Path, line: int, form: str | None = None) -> datetime:
    try:
        return datetime.strptime(text, form) if form else datetime.fromisoformat(text)
    except ValueError:
        shape = "like `Monday, 4 December 2023, 11:59 PM`" if form else "as ISO 8601 (2026-11-20T23:59:00+01:00)"
        raise UsageError(f"{file}, line {line}: {text!r} is not a time {shape}") from None


def with_times(found: list, file: Path) -> list:
    """Discovered submissions (grader/found.py's Found) with the hand-in times of a --submitted-at CSV, matched by
    submission name, folder or file name, or a Moodle participant number. A name in the file that matches nothing
    is an error: a typo would go unnoticed."""
    times = read_times(file)
    used: set[str] = set()
    out = []
    for item in found:
        keys = [item.name, Path(item.shown).name, *(f"participant:{m.id}" for m in item.member_list()
                                                      if m.kind == "participant")]
        hit = next((k for k in keys if k in times), None)
        if hit is not None:
            used.add(hit)
            item = replace(item, submitted_at=times[hit], time_source=f"--submitted-at {file.name}")
        out.append(item)
    unknown = [k for k in times if k not in used and not k.startswith("participant:")]
    if unknown:
        raise UsageError(f"{file}: no submission named {', '.join(unknown[:3])}; the names are those `grade` prints")
    return out
