"""Finding submissions, group names, safe archives, answers files."""
import zipfile
from pathlib import Path

import pytest

from grader import discovery, intake

SHEETS = ["leuphana-dl-ss24-ex2", "nnti-ws2324-sheet7"]


@pytest.mark.parametrize("name, members, ok", [
    ("Mueller_2571234_Schmidt_2569876", [("Mueller", "2571234"), ("Schmidt", "2569876")], True),
    ("Becker_2568823", [("Becker", "2568823")], True),
    ("Hoffmann_1_Koch_2_Richter_3", [("Hoffmann", "1"), ("Koch", "2"), ("Richter", "3")], True),
    ("Müller-Lüdenscheidt_42", [("Müller-Lüdenscheidt", "42")], True),
    ("A_1_B_2_C_3_D_4", [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")], False),  # groups of 1-3
    ("late_submission_Meier", [], False),
    ("Meier_12ab", [("Meier", "12")], False),
])
def test_group_names(name, members, ok):
    parsed, conventional = intake.parse_members(name)
    assert [(m.name, m.id) for m in parsed] == members and conventional is ok


def test_discover_a_tree_a_sheet_folder_and_one_submission(tmp_path):
    for sheet in SHEETS:
        (tmp_path / sheet / "A_1").mkdir(parents=True)
    (tmp_path / "leuphana-dl-ss24-ex2" / "B_2.py").write_text("")
    (tmp_path / "leuphana-dl-ss24-ex2" / "notes.txt").write_text("")
    found = discovery.discover([tmp_path], None, SHEETS)
    assert [(f.path.name, f.sheet) for f in found.found] == [("A_1", SHEETS[0]), ("B_2.py", SHEETS[0]), ("A_1", SHEETS[1])]
    assert [(Path(n.path).name, n.reason[:16]) for n in found.not_graded] == [("notes.txt", "not a submission")]
    assert len(discovery.discover([tmp_path / SHEETS[1]], None, SHEETS).found) == 1
    assert discovery.discover([tmp_path / SHEETS[1] / "A_1"], None, SHEETS).found[0].sheet == SHEETS[1]


def test_unknown_sheet_asks_for_sheet_option(tmp_path):
    (tmp_path / "A_1").mkdir()
    with pytest.raises(intake.IntakeError, match="--sheet"):
        discovery.discover([tmp_path / "A_1"], None, SHEETS)
    assert discovery.discover([tmp_path / "A_1"], SHEETS[0], SHEETS).found[0].sheet == SHEETS[0]


def test_zip_with_a_top_folder_is_unpacked_privately(tmp_path):
    archive = tmp_path / "A_1_B_2.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("A_1_B_2/code2.py", "x = 1\n")
        zf.writestr("A_1_B_2/answers.toml", '"5.E" = 0.13\n')
        zf.writestr("__MACOSX/._code2.py", "junk")
    sub = intake.open_submission(archive, SHEETS[0], ["code2.py"])
    try:
        assert sub.problem is None and sorted(sub.files) == ["answers.toml", "code2.py"]
        assert [m.id for m in sub.members] == ["1", "2"]
        assert sub.files["code2.py"].read_text() == "x = 1\n"
    finally:
        sub.cleanup()
    assert not sub.scratch.exists()


@pytest.mark.parametrize("entry", ["../evil.py", "/etc/evil.py", "a/../../evil.py"])
def test_zip_entries_outside_the_archive_are_refused(tmp_path, entry):
    archive = tmp_path / "A_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(entry, "boom")
    sub = intake.open_submission(archive, SHEETS[0], ["code2.py"])
    sub.cleanup()
    assert sub.problem and "outside the archive" in sub.problem
    assert not (tmp_path.parent / "evil.py").exists()


def test_broken_zip_and_notebook_and_py_for_a_two_file_sheet(tmp_path):
    (tmp_path / "A_1.zip").write_bytes(b"not a zip")
    broken = intake.open_submission(tmp_path / "A_1.zip", SHEETS[0], [])
    broken.cleanup()
    assert "cannot be unpacked" in broken.problem
    (tmp_path / "A_1.ipynb").write_text("{}")
    assert "needs no code" in intake.open_submission(tmp_path / "A_1.ipynb", SHEETS[0], []).problem
    (tmp_path / "A_1.py").write_text("")
    assert "needs a.py, b.py" in intake.open_submission(tmp_path / "A_1.py", SHEETS[0], ["a.py", "b.py"]).problem
    sub = intake.open_submission(tmp_path / "A_1.py", SHEETS[0], ["code2.py"])
    assert sub.files == {"A_1.py": tmp_path / "A_1.py"}
    assert intake.match_files(sub.files, ["code2.py"]) == ({"code2.py": tmp_path / "A_1.py"},
                                                           ["code2.py graded from A_1.py"])


def test_rubric_files_are_matched_by_name_then_stem_then_the_only_notebook(tmp_path):
    files = {n: tmp_path / n for n in ("code2.ipynb", "helper.py", "answers.toml")}
    assert intake.match_files(files, ["code2.py"]) == ({"code2.py": files["code2.ipynb"]}, ["code2.py graded from code2.ipynb"])
    files = {n: tmp_path / n for n in ("Meier_backprop.ipynb", "helper.py")}
    assert intake.match_files(files, ["backprop.ipynb"]) == (
        {"backprop.ipynb": files["Meier_backprop.ipynb"]}, ["backprop.ipynb graded from Meier_backprop.ipynb"])
    files = {n: tmp_path / n for n in ("nn_model.py", "other.py")}  # a helper script is never taken for a missing file
    assert intake.match_files(files, ["nn_modules.py", "nn_model.py"]) == ({"nn_model.py": files["nn_model.py"]}, [])
    files = {n: tmp_path / n for n in ("a.ipynb", "b.ipynb")}  # two candidates: no guess
    assert intake.match_files(files, ["backprop.ipynb"]) == ({}, [])


def test_answers_file_flat_or_nested_and_broken(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text('"7.2.L1" = 0.79\n[7.2]\nL2 = 0.7\n')
    answers, problem = intake.read_answers(path)
    assert problem is None and answers == {"7.2.L1": 0.79, "7.2.L2": 0.7}
    path.write_text("7.2.L1 = = 1\n")
    answers, problem = intake.read_answers(path)
    assert answers is None and "not valid TOML" in problem


def test_an_archive_with_two_entries_of_one_name_is_refused_with_the_reason(tmp_path):
    archive = tmp_path / "A_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("code2.py", "x = 1\n")
        with pytest.warns(UserWarning):  # zipfile itself warns of the duplicate
            zf.writestr("code2.py", "x = 2\n")
    sub = intake.open_submission(archive, SHEETS[0], ["code2.py"])
    sub.cleanup()
    assert sub.problem == ("A_1.zip: two entries are named code2.py; re-create the archive from the submission folder")


def test_oddly_named_entries_are_listed_and_the_rest_is_graded(tmp_path):
    archive = tmp_path / "A_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("code2.py", "x = 1\n")
        zf.writestr("notes:v2.py", "y = 2\n")
        zf.writestr("run$(rm -rf ~).py", "z = 3\n")
    sub = intake.open_submission(archive, SHEETS[0], ["code2.py"])
    try:
        assert sub.problem is None and set(sub.files) == {"code2.py"}
        odd = [flag for flag in sub.flags if "not used: its name holds characters" in flag]
        assert len(odd) == 2 and any("notes:v2.py" in flag for flag in odd)
    finally:
        sub.cleanup()


def test_handwritten_scans_and_pdfs_are_listed_for_manual_grading(tmp_path):
    folder = tmp_path / "A_1"
    folder.mkdir()
    (folder / "code2.py").write_text("x = 1\n")
    (folder / "derivation.pdf").write_bytes(b"%PDF-1.4")
    (folder / "photo.JPG").write_bytes(b"\xff\xd8")
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "._code2.py").write_text("junk")
    sub = intake.open_submission(folder, SHEETS[0], ["code2.py"])
    assert "for manual grading: derivation.pdf, photo.JPG" in sub.flags
    assert set(sub.files) == {"code2.py", "derivation.pdf", "photo.JPG"}  # __MACOSX never counts
