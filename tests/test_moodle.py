"""The gradebook for Moodle's grade import: one row per student id, the group's grade for each member, one file
per sheet; a student in two submissions gets one row and a note; names without an id are left out."""
import csv
import io

from grader.report import moodle_report
from grader.report.models import Member, RunReport, SubmissionReport


def submission(name, sheet, points, *members):
    return SubmissionReport(name=name, sheet=sheet, points=points, max_points=10,
                            members=[Member(name=n, id=i) for n, i in members])


RUN = RunReport(submissions=[
    submission("Krueger_2581234_Hartmann_2579911", "s6", 4.5, ("Krueger", "2581234"), ("Hartmann", "2579911")),
    submission("Krueger_2581234", "s6", 6.0, ("Krueger", "2581234")),  # handed in twice: once alone
    submission("late_submission_Meier", "s6", 3.0),  # no id number: Moodle cannot match it
    submission("Wagner_412345", "s1", 9.0, ("Wagner", "412345")),
])


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_student_with_the_groups_grade_and_duplicates_noted():
    found = {r["ID number"]: r for r in rows(moodle_report.render(RUN, "s6"))}
    assert set(found) == {"2581234", "2579911"}
    assert found["2579911"]["s6"] == "4.5"  # the group's grade
    assert found["2581234"]["s6"] == "6" and found["2581234"]["nngrade note"] == "also in Krueger_2581234_Hartmann_2579911"


def test_one_file_per_sheet_when_a_run_covers_several(tmp_path):
    written = moodle_report.write(RUN, tmp_path / "grades.csv")
    assert [p.name for p in written] == ["grades-s6.csv", "grades-s1.csv"]
    assert rows((tmp_path / "grades-s1.csv").read_text()) == [
        {"ID number": "412345", "Full name": "Wagner", "s1": "9", "nngrade submission": "Wagner_412345",
         "nngrade note": ""}]
    single = RunReport(submissions=RUN.submissions[3:])
    assert [p.name for p in moodle_report.write(single, tmp_path / "one.csv")] == ["one.csv"]


def test_a_moodle_download_gives_the_worksheet_without_feedback_column_and_a_mixed_run_both_files(tmp_path):
    download = SubmissionReport(name="Anna Maria Meier", sheet="s6", points=7.5, max_points=10,
                                members=[Member(name="Anna Maria Meier", id="1234567", kind="participant")])
    team = SubmissionReport(name="Team 3", sheet="s6", points=5.0, max_points=10,
                            members=[Member(name="Team 3", id="42", kind="group")])
    mailed = submission("Roth_2581234", "s6", 6.0, ("Roth", "2581234"))
    run = RunReport(submissions=[download, team, mailed])
    written = moodle_report.write(run, tmp_path / "grades.csv")
    assert [p.name for p in written] == ["grades.csv", "grades-worksheet.csv"]
    assert rows((tmp_path / "grades-worksheet.csv").read_text()) == [
        {"Identifier": "Participant 1234567", "Full name": "Anna Maria Meier", "Grade": "7.5", "Maximum Grade": "10"}]
    assert [r["ID number"] for r in rows((tmp_path / "grades.csv").read_text())] == ["2581234"]  # no group number
