"""What course platforms hand tutors: a Moodle "download all" (zip or folder, folders or prefixed files, group
copies), tar archives, folders of group zips, archives inside folders, the same group twice; and every entry of
the input either graded or listed with the reason."""
import gzip
import io
import os
import tarfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from grader import archives, discovery, intake

SHEET = "nnti-ws2425-sheet6"
KNOWN = [SHEET, "nnti-ws2324-sheet7"]
ROOT = Path(__file__).resolve().parents[1]
CORRECT = (ROOT / "submissions" / SHEET / "Krueger_2581234_Hartmann_2579911" / "activations.py").read_text()


def moodle_zip(path: Path, entries: dict[str, bytes | str], when=(2026, 11, 20, 23, 30, 0)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=when if not isinstance(data, tuple) else data[1])
            zf.writestr(info, data[0] if isinstance(data, tuple) else data)
    return path


def group_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def test_a_moodle_download_zip_is_one_submission_per_participant_with_full_names(tmp_path):
    download = moodle_zip(tmp_path / SHEET / "NNTI-Sheet 6-4711.zip", {
        "Anna Maria Meier_1234567_assignsubmission_file_/activations.py": CORRECT,
        "Anna Maria Meier_1234567_assignsubmission_file_/answers.toml": "",
        "Jörg Groß_1234570_assignsubmission_file_/handin.zip": (group_zip({"sheet6/activations.py": CORRECT}),
                                                              (2026, 11, 21, 9, 0, 0)),
        "Lena Roth_1234571_assignsubmission_file_activations.py": CORRECT,  # "download in folders" off
        "Lena Roth_1234571_assignsubmission_onlinetext_onlinetext.html": "<p>see code</p>",
        "Lena Roth_1234571_assignfeedback_file_/feedback.pdf": b"%PDF",
    })
    found = discovery.discover([download], None, KNOWN)
    by_name = {f.name: f for f in found.found}
    assert sorted(by_name) == ["Anna Maria Meier", "Jörg Groß", "Lena Roth"]
    anna = by_name["Anna Maria Meier"]
    assert [(m.name, m.id, m.kind) for m in anna.members] == [("Anna Maria Meier", "1234567", "participant")]
    assert anna.shown.endswith("NNTI-Sheet 6-4711.zip/Anna Maria Meier_1234567_assignsubmission_file_")
    assert anna.submitted_at == datetime(2026, 11, 20, 23, 30) and "Moodle" in anna.time_source
    assert by_name["Jörg Groß"].submitted_at == datetime(2026, 11, 21, 9, 0)
    assert sorted(p.name for p in by_name["Lena Roth"].path.iterdir()) == ["activations.py"]  # prefix removed
    assert by_name["Lena Roth"].flags == ("online text (Lena Roth_1234571_assignsubmission_onlinetext_onlinetext.html): "
                                          "for manual grading in Moodle",)
    assert [(Path(n.path).name, n.reason) for n in found.not_graded] == [
        ("Lena Roth_1234571_assignfeedback_file_", "feedback files from Moodle, not a submission")]
    sub = intake.open_submission(by_name["Jörg Groß"].path, SHEET, ["activations.py"], "Jörg Groß",
                                 list(by_name["Jörg Groß"].members))
    try:  # the group's zip inside the participant's folder is unpacked
        assert sub.problem is None and sorted(sub.files) == ["activations.py"] and sub.flags == []
    finally:
        sub.cleanup()


def test_moodle_4_1_names_groups_by_their_entry_and_never_writes_a_group_number_as_a_participant(tmp_path):
    download = moodle_zip(tmp_path / SHEET / "NNTI-Sheet 6-4711.zip", {
        "Anna Maria Meier_1234567_assignsubmission_file/activations.py": CORRECT,
        "Team; 3_42_assignsubmission_file/activations.py": CORRECT,
        "Default group_assignsubmission_file/activations.py": CORRECT,
        "Lena Roth_1234571_assignsubmission_file_activations.py": CORRECT,
    })
    found = discovery.discover([download], None, KNOWN)
    members = {f.name: [(m.name, m.id, m.kind) for m in f.members] for f in found.found}
    assert members == {"Anna Maria Meier": [("Anna Maria Meier", "1234567", "participant")],
                       "Team; 3": [("Team; 3", "42", "group")], "Default group": [("Default group", "", "group")],
                       "Lena Roth": [("Lena Roth", "1234571", "participant")]}
    team = next(f for f in found.found if f.name == "Team; 3")
    assert "no worksheet row is written for it" in team.flags[-1] and found.not_graded == []


def test_hyphenated_first_names_are_never_merged_into_a_group(tmp_path):
    folder = tmp_path / SHEET / "download"
    for person, pid, text in [("Anna-Lena Schmidt", "101", CORRECT), ("Anna-Lena Meier", "102", CORRECT + "# mine\n"),
                              ("Jean-Luc Picard", "103", CORRECT), ("Jean-Pierre Roth", "104", CORRECT)]:
        (folder / f"{person}_{pid}_assignsubmission_file_").mkdir(parents=True)
        (folder / f"{person}_{pid}_assignsubmission_file_" / "activations.py").write_text(text)
    found = discovery.discover([folder], None, KNOWN)
    assert sorted(f.name for f in found.found) == ["Anna-Lena Meier", "Anna-Lena Schmidt", "Jean-Luc Picard",
                                                   "Jean-Pierre Roth"] and found.not_graded == []


def test_links_in_an_unpacked_download_are_listed_never_followed(tmp_path):
    folder = tmp_path / SHEET / "download"
    (folder / "Anna Meier_1_assignsubmission_file_").mkdir(parents=True)
    (folder / "Anna Meier_1_assignsubmission_file_" / "activations.py").write_text(CORRECT)
    elsewhere = tmp_path / "reference"
    elsewhere.mkdir()
    (elsewhere / "activations.py").write_text("# the reference")
    (folder / "Ben Roth_2_assignsubmission_file_").symlink_to(elsewhere)
    found = discovery.discover([folder], None, KNOWN)
    assert [f.name for f in found.found] == ["Anna Meier"]
    assert [(Path(n.path).name, n.reason) for n in found.not_graded] == [
        ("Ben Roth_2_assignsubmission_file_", "a symbolic link: not followed")]


def test_moodle_group_copies_are_one_submission_and_differing_copies_the_newest(tmp_path):
    folder = tmp_path / SHEET / "download"
    for person, pid, text, hour in [("Team 3-Anna Meier", "11", CORRECT, 20), ("Team 3-Ben Roth", "12", CORRECT, 20),
                                    ("Gruppe 7-Cem Kaya", "13", CORRECT, 18), ("Gruppe 7-Dora Lind", "14", CORRECT + "\n# v2\n", 22),
                                    ("Anna-Lena Berg", "15", CORRECT, 12)]:
        files = folder / f"{person}_{pid}_assignsubmission_file_"
        files.mkdir(parents=True)
        (files / "activations.py").write_text(text)
        stamp = datetime(2026, 11, 20, hour, tzinfo=timezone.utc).timestamp()
        os.utime(files / "activations.py", (stamp, stamp))
    found = discovery.discover([folder], None, KNOWN)
    by_name = {f.name: f for f in found.found}
    assert sorted(by_name) == ["Anna-Lena Berg", "Gruppe 7", "Team 3"]  # a hyphenated first name is no group
    assert [m.name for m in by_name["Team 3"].members] == ["Anna Meier", "Ben Roth"]
    gruppe = by_name["Gruppe 7"]
    assert gruppe.path.name.startswith("Gruppe 7-Dora Lind") and {m.id for m in gruppe.members} == {"13", "14"}
    assert gruppe.time_source == discovery.FILE_TIMES
    assert gruppe.submitted_at == datetime(2026, 11, 20, 22, tzinfo=timezone.utc)
    assert [(Path(n.path).name, n.reason.split(",")[0]) for n in found.not_graded] == [
        ("Gruppe 7-Cem Kaya_13_assignsubmission_file_", "an older upload of group Gruppe 7 than "
         f"{gruppe.shown}")]


def test_tar_archives_are_graded_under_the_data_filter(tmp_path):
    sheet = tmp_path / SHEET
    sheet.mkdir()
    with tarfile.open(sheet / "Kaya_13.tar.gz", "w:gz") as tf:
        data = CORRECT.encode()
        info = tarfile.TarInfo("Kaya_13/activations.py")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("Kaya_13/passwd")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    found = discovery.discover([sheet], None, KNOWN).found
    assert [(f.name, f.path.name) for f in found] == [("Kaya_13", "Kaya_13.tar.gz")]
    sub = intake.open_submission(found[0].path, SHEET, ["activations.py"])
    try:
        assert sub.problem is None and sorted(sub.files) == ["activations.py"]  # the link is never written
        assert sub.files["activations.py"].read_text() == CORRECT
    finally:
        sub.cleanup()


@pytest.mark.parametrize("member, says", [
    ("/etc/evil.py", "points outside the archive"),
    ("../evil.py", "points outside the archive"),
])
def test_tar_entries_outside_the_archive_are_refused(tmp_path, member, says):
    path = tmp_path / "A_1.tar"
    with tarfile.open(path, "w") as tf:
        info = tarfile.TarInfo(member)
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(archives.ArchiveError, match=says):
        archives.unpack(path, tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_a_tar_that_declares_more_than_the_limit_stops_at_the_header(tmp_path):
    path = tmp_path / "A_1.tar"
    with tarfile.open(path, "w") as tf:
        for i in range(3):
            data = b"x" * 1000
            info = tarfile.TarInfo(f"f{i}.py")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with pytest.raises(archives.ArchiveError, match="unpacks to more than"):
        archives.unpack(path, tmp_path / "out", archives.Limits(total_bytes=2500))


def test_folders_of_group_zips_nested_per_tutorial_and_every_stray_file_listed(tmp_path):
    sheet = tmp_path / SHEET
    (sheet / "tutorial-A").mkdir(parents=True)
    (sheet / "tutorial-A" / "Meier_1_Roth_2.zip").write_bytes(group_zip({"activations.py": CORRECT}))
    (sheet / "tutorial-A" / "Kaya_3").mkdir()
    (sheet / "tutorial-A" / "Kaya_3" / "activations.py").write_text(CORRECT)
    (sheet / "tutorial-A" / "__MACOSX").mkdir()
    (sheet / "notes.txt").write_text("")
    (sheet / "scan.pdf").write_bytes(b"%PDF")
    (tmp_path / "README.md").write_text("")
    (tmp_path / "old-sheet").mkdir()
    found = discovery.discover([tmp_path], None, KNOWN)
    assert [f.name for f in found.found] == ["Kaya_3", "Meier_1_Roth_2"]
    assert sorted((Path(n.path).name, n.reason.split(":")[0]) for n in found.not_graded) == [
        ("README.md", "not in a sheet's folder"), ("notes.txt", "not a submission (a folder, an archive, .py or "
                                                              ".ipynb, named after its group)"),
        ("old-sheet", "not a folder named after a sheet"), ("scan.pdf", "for manual grading")]


def test_the_same_group_twice_is_graded_once_from_the_newest_and_a_student_in_two_groups_is_flagged(tmp_path):
    sheet = tmp_path / SHEET
    (sheet / "Meier_1_Roth_2").mkdir(parents=True)
    (sheet / "Meier_1_Roth_2" / "activations.py").write_text(CORRECT)
    (sheet / "Roth_2_Meier_1.zip").write_bytes(group_zip({"activations.py": CORRECT}))
    (sheet / "Roth_2_Kaya_3").mkdir()
    (sheet / "Roth_2_Kaya_3" / "activations.py").write_text(CORRECT)
    old = time.time() - 86400
    os.utime(sheet / "Meier_1_Roth_2" / "activations.py", (old, old))
    found = discovery.discover([sheet], None, KNOWN)
    by_name = {f.name: f for f in found.found}
    assert sorted(by_name) == ["Roth_2_Kaya_3", "Roth_2_Meier_1"]
    assert by_name["Roth_2_Meier_1"].flags[0].startswith("handed in more than once: graded the newest; older: ")
    assert "member 2 is also in Roth_2_Kaya_3" in by_name["Roth_2_Meier_1"].flags
    assert "member 2 is also in Roth_2_Meier_1" in by_name["Roth_2_Kaya_3"].flags
    assert [(Path(n.path).name, n.reason.split(" (")[0]) for n in found.not_graded] == [
        ("Meier_1_Roth_2", "an older hand-in of the same group as Roth_2_Meier_1")]


def test_a_broken_archive_inside_a_folder_is_the_submissions_problem_only_when_nothing_else_is_there(tmp_path):
    folder = tmp_path / "Meier_1"
    folder.mkdir()
    (folder / "handin.zip").write_bytes(b"not a zip")
    sub = intake.open_submission(folder, SHEET, ["activations.py"])
    assert sub.problem.startswith("handin.zip cannot be unpacked")
    sub.cleanup()
    (folder / "activations.py").write_text(CORRECT)
    sub = intake.open_submission(folder, SHEET, ["activations.py"])
    assert sub.problem is None and any(f.startswith("handin.zip cannot be unpacked") for f in sub.flags)
    sub.cleanup()


def test_one_bomb_entry_in_a_download_is_listed_and_everything_else_graded(tmp_path):
    download = tmp_path / SHEET / "all.zip"
    download.parent.mkdir(parents=True)
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Anna Meier_1_assignsubmission_file_/activations.py", CORRECT)
        zf.writestr("Ben Roth_2_assignsubmission_file_/activations.py", CORRECT)
        zf.writestr("Ben Roth_2_assignsubmission_file_/zeros.bin", b"\0" * (4 * 2**20))
    found = discovery.discover([download], None, KNOWN)
    assert [f.name for f in found.found] == ["Anna Meier", "Ben Roth"]
    assert [n.reason.split(" expands")[0] for n in found.not_graded] == [
        "all.zip: Ben Roth_2_assignsubmission_file_/zeros.bin"]
    assert "(a zip bomb?)" in found.not_graded[0].reason
    assert sorted(p.name for p in found.found[1].path.iterdir()) == ["activations.py"]


def test_one_participants_folder_of_a_moodle_download_keeps_the_full_name(tmp_path):
    folder = tmp_path / "Anna Maria Meier_1234567_assignsubmission_file_"
    folder.mkdir()
    (folder / "activations.py").write_text(CORRECT)
    found = discovery.discover([folder], SHEET, KNOWN).found
    assert [(f.name, [(m.name, m.id, m.kind) for m in f.members]) for f in found] == [
        ("Anna Maria Meier", [("Anna Maria Meier", "1234567", "participant")])]


def test_submissions_keep_the_order_they_were_given_in_and_a_path_given_twice_is_one(tmp_path):
    for name in ("Zeta_1", "Alpha_2"):
        (tmp_path / SHEET / name).mkdir(parents=True)
        (tmp_path / SHEET / name / "activations.py").write_text(CORRECT)
    paths = [tmp_path / SHEET / "Zeta_1", tmp_path / SHEET / "Alpha_2", tmp_path / SHEET / "Zeta_1"]
    found = discovery.discover(paths, None, KNOWN)
    assert [f.name for f in found.found] == ["Zeta_1", "Alpha_2"] and found.not_graded == []


def test_archives_inside_a_folder_share_one_byte_budget_and_their_number_is_capped(tmp_path):
    folder = tmp_path / "Meier_1"
    folder.mkdir()
    megabyte = "\0" * 2**20  # entries of 1 MB pass the ratio check: 40 of them unpack to 40 MB from 40 kB
    big = group_zip({f"data{i}.bin": megabyte for i in range(40)})
    for k in range(7):
        (folder / f"part{k}.zip").write_bytes(big)
    (folder / "activations.py").write_text(CORRECT)
    sub = intake.open_submission(folder, SHEET, ["activations.py"])
    try:
        written = sum(p.stat().st_size for p in sub.scratch.rglob("*") if p.is_file())
        assert written <= archives.SUBMISSION.total_bytes
        assert sum("unpacks to more than" in f for f in sub.flags) == 3  # 40 + 40 MB fit, the rest does not
        assert sum("at most 5 archives" in f for f in sub.flags) == 2 and sub.problem is None
    finally:
        sub.cleanup()


def test_a_tar_whose_long_name_header_declares_gigabytes_stops_at_the_limit(tmp_path):
    path = tmp_path / "A_1.tar.gz"
    header = tarfile.TarInfo("././@LongLink")
    header.type, header.size = tarfile.GNUTYPE_LONGNAME, 8 * 2**30
    with gzip.open(path, "wb") as gz:
        gz.write(header.tobuf(format=tarfile.GNU_FORMAT))
        zeros = b"\0" * 2**20
        for _ in range(120):
            gz.write(zeros)
    with pytest.raises(archives.ArchiveError, match="unpacks to more than 100 MB"):
        archives.unpack(path, tmp_path / "out")


def test_submitted_at_times_decide_which_hand_in_of_a_group_is_the_newest(tmp_path):
    sheet = tmp_path / SHEET
    (sheet / "Meier_1_Roth_2").mkdir(parents=True)
    (sheet / "Meier_1_Roth_2" / "activations.py").write_text(CORRECT)
    (sheet / "Roth_2_Meier_1.zip").write_bytes(group_zip({"activations.py": CORRECT}))  # newer by file time
    times = tmp_path / "times.csv"
    times.write_text("submission,submitted_at\nMeier_1_Roth_2,2026-11-20T22:00:00+01:00\n"
                     "Roth_2_Meier_1,2026-11-19T10:00:00+01:00\n")
    found = discovery.discover([sheet], None, KNOWN, times)
    assert [(f.name, f.time_source) for f in found.found] == [("Meier_1_Roth_2", "--submitted-at times.csv")]
    assert [Path(n.path).name for n in found.not_graded] == ["Roth_2_Meier_1.zip"]
