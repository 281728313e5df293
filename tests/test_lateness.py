"""The rubric's deadline and late policy: hours and started days late in the deadline's time zone (summer time
included), the deduction as a share of the earned points, recomputed when manual points change the total; hand-in
times from a CSV or Moodle's grading worksheet."""
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from grader import lateness, manual
from grader.errors import UsageError
from grader.report.models import SubmissionReport, TaskResult
from grader.rubric import Deadline


def report(earned=8.0, pending=2.0):
    return SubmissionReport(name="Meier_1", sheet="s", points=earned, max_points=10.0, tasks=[
        TaskResult(id="1.a", points=earned, max_points=8.0, status="passed", message=""),
        TaskResult(id="1.b", points=0.0, max_points=2.0, status="pending-manual", message="", pending_points=pending)])


DUE = Deadline(at=datetime(2026, 3, 28, 23, 59), timezone="Europe/Berlin", late="percent-per-day", percent=10, cap=25)


@pytest.mark.parametrize("when, hours, days, percent, points", [
    (datetime(2026, 3, 28, 23, 59), None, None, None, 8.0),  # on the minute: on time
    (datetime(2026, 3, 29, 0, 30), 0.52, 1, 10.0, 7.2),  # naive: read in Berlin, 31 minutes late
    # the clocks go forward on 29 March 2026 at 02:00 in Berlin: 23:59 CET to 23:59 CEST is 23 hours
    (datetime(2026, 3, 29, 21, 59, tzinfo=timezone.utc), 23.0, 1, 10.0, 7.2),
    (datetime(2026, 3, 30, 0, 0), 23.02, 1, 10.0, 7.2),
    (datetime(2026, 4, 2, 12, 0), 107.02, 5, 25.0, 6.0),  # capped at 25 %
])
def test_hours_days_and_deduction(when, hours, days, percent, points):
    out = lateness.assess(report(), DUE, when, "file modification times")
    assert out.points == pytest.approx(points)
    assert out.submitted_from == "file modification times" and out.submitted_at.startswith("2026-")
    if hours is None:
        assert out.late is None
    else:
        assert (out.late.hours, out.late.days, out.late.percent) == (hours, days, percent)
        assert out.late.deduction == pytest.approx(8.0 - points)


@pytest.mark.parametrize("policy, points", [("none", 8.0), ("zero", 0.0)])
def test_none_shows_lateness_and_takes_nothing_zero_takes_all(policy, points):
    due = Deadline(at=datetime(2026, 11, 20, 23, 59), timezone="Europe/Berlin", late=policy)
    out = lateness.assess(report(), due, datetime(2026, 11, 21, 0, 10), "x")
    assert out.late is not None and out.late.hours == 0.18 and out.points == points


def test_grace_minutes_and_no_deadline():
    due = Deadline(at=datetime(2026, 11, 20, 23, 59), timezone="UTC", late="zero", grace_minutes=15)
    assert lateness.assess(report(), due, datetime(2026, 11, 21, 0, 10), "x").late is None
    plain = lateness.assess(report(), None, datetime(2026, 11, 21, 0, 10), "x")
    assert plain.late is None and plain.points == 8.0 and plain.submitted_at == "2026-11-21T00:10:00+00:00"


def test_manual_points_merge_keeps_the_late_deduction_a_share_of_the_new_total():
    late = lateness.assess(report(), DUE, datetime(2026, 3, 30, 12, 0), "x")  # 2 started days: 20 %
    merged = manual.merge(late, manual.Entry(line=2, manual={"1.b": 2.0}))
    assert merged.points == pytest.approx(8.0) and merged.late.deduction == pytest.approx(2.0)


def test_deadline_validation():
    with pytest.raises(ValidationError, match="not a time zone"):
        Deadline(at=datetime(2026, 1, 1), timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="needs percent > 0"):
        Deadline(at=datetime(2026, 1, 1), late="percent-per-day")
    assert "10 % of the points per started day late, at most 25 %" in DUE.describe()


def test_times_from_a_csv_and_from_moodles_grading_worksheet(tmp_path):
    plain = tmp_path / "times.csv"
    plain.write_text("submission,submitted_at\nMeier_1,2026-11-21T00:10:00+01:00\nRoth_2,2026-11-20T22:00:00\n")
    assert lateness.read_times(plain) == {"Meier_1": datetime.fromisoformat("2026-11-21T00:10:00+01:00"),
                                          "Roth_2": datetime(2026, 11, 20, 22, 0)}
    sheet = tmp_path / "Grades-NNTI-Sheet 6-4711.csv"
    sheet.write_text('\ufeffIdentifier,"Full name","Email address",Status,Grade,"Maximum Grade",'
                     '"Grade can be changed","Last modified (submission)","Last modified (grade)","Feedback comments"\n'
                     '"Participant 1234567","Anna Maria Meier",a@uni.de,"Submitted for grading",,10.00,Yes,'
                     '"Saturday, 21 November 2026, 12:05 AM",-,\n'
                     '"Participant 1234568","Ben Roth",b@uni.de,"No submission",,10.00,Yes,-,-,\n')
    assert lateness.read_times(sheet) == {"participant:1234567": datetime(2026, 11, 21, 0, 5)}
    broken = tmp_path / "broken.csv"
    broken.write_text("submission,submitted_at\nMeier_1,yesterday\n")
    with pytest.raises(UsageError, match=r"broken.csv, line 2: 'yesterday' is not a time as ISO 8601"):
        lateness.read_times(broken)
    extra = tmp_path / "extra.csv"
    extra.write_text("submission,submitted_at\nMeier, Anna_1,2026-11-21T00:10:00\n")
    with pytest.raises(UsageError, match=r"extra.csv, line 2: more fields than the header has"):
        lateness.read_times(extra)
    other = tmp_path / "other.csv"
    other.write_text("name,time\n")
    with pytest.raises(UsageError, match="expected the columns `submission,submitted_at`"):
        lateness.read_times(other)
