"""Sheets are discovered: the built-in five, a course folder (tests/course/) and an installed pack go through the
same loader and grade the same way; a broken or clashing sheet is one line that names it and its origin."""
import importlib.metadata
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import api, sheets
from grader.cli import main
from grader.errors import SheetError
from tests.conftest import BUILTIN, ROOT

COURSE = Path(__file__).resolve().parent / "course"
TOY = "toy-sheet"


def summary(run):
    """What a student and a tutor see of each submission: points, statuses, diagnoses, messages."""
    return {r.name: (r.points, [(t.id, t.status, t.points, tuple(t.diagnoses), t.message) for t in r.tasks])
            for r in run.submissions}


@pytest.fixture
def pack(tmp_path, monkeypatch):
    """tests/course/ as an installed pack: a package with the reference module, its rubric and its examples beside
    it, registered through a fake `nngrade.sheets` entry point (as pluggy's tests fake a distribution)."""
    package = tmp_path / "site" / "toy_pack"
    shutil.copytree(COURSE / "rubrics", package / "rubrics")
    shutil.copytree(COURSE / "submissions", package / "submissions")
    (package / "__init__.py").write_text("")
    shutil.copy(COURSE / "reference" / "toy_sheet.py", package / "toy_sheet.py")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    class Dist:
        name, version = "toy-pack", "1.2"

    point = importlib.metadata.EntryPoint(name=TOY, value="toy_pack.toy_sheet", group=sheets.ENTRY_POINT_GROUP)
    point = point._for(Dist()) if hasattr(point, "_for") else point
    monkeypatch.setattr(sheets.importlib.metadata, "entry_points",
                        lambda group=None: [point] if group == sheets.ENTRY_POINT_GROUP else [])
    yield package
    for name in [n for n in sys.modules if n.startswith("toy_pack")]:
        del sys.modules[name]


def test_the_built_in_sheets_are_found_by_discovery_not_by_a_list_in_the_grader():
    found = api.catalogue()
    assert set(BUILTIN) <= set(found) and len(BUILTIN) == 5
    assert {str(s.origin) for s in found.values()} == {"built-in"}
    grader_code = "\n".join(p.read_text() for p in (ROOT / "grader").rglob("*.py"))
    for sheet in BUILTIN.values():
        assert sheet.id not in grader_code and sheet.reference.__name__ not in grader_code


def test_a_course_folder_adds_its_sheet_with_its_origin():
    found = api.catalogue([COURSE])
    toy = found[TOY]
    assert str(toy.origin) == f"course {COURSE}" and toy.replaces is None
    assert toy.rubric == COURSE / "rubrics" / "toy-sheet.toml" and toy.examples.is_dir()
    assert set(found) == set(BUILTIN) | {TOY}


def test_the_course_grades_its_right_and_wrong_submission_and_names_the_mistake():
    run = api.grade([COURSE / "submissions"], course=[COURSE])
    right, wrong = sorted(run.submissions, key=lambda r: r.name)
    assert (right.name, right.points, right.tasks[0].status) == ("Right_1000001", 2.0, "passed")
    assert (wrong.name, wrong.points, wrong.tasks[0].status) == ("Wrong_1000002", 0.0, "failed")
    # sigmoid(z) left out: the error model slips the reference's activation step, no list needed
    assert wrong.tasks[0].diagnoses == ["pre-activation"]
    assert [(s.id, s.origin) for s in run.sheets] == [(TOY, f"course {COURSE}")]


def test_an_installed_pack_grades_exactly_as_the_course_folder(pack):
    found = api.catalogue()
    assert str(found[TOY].origin) == "pack toy-pack 1.2" and found[TOY].rubric == pack / "rubrics" / "toy-sheet.toml"
    as_pack = api.grade([pack / "submissions" / TOY])
    as_course = api.grade([COURSE / "submissions" / TOY], course=[COURSE])
    assert summary(as_pack) == summary(as_course)
    assert as_pack.sheets[0].origin == "pack toy-pack 1.2"


def test_the_examples_command_grades_a_packs_examples_from_any_folder(pack, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["examples", TOY])
    assert result.exit_code == 0, result.output
    assert "Right_1000001" in result.output and "Wrong_1000002" in result.output
    assert "sheets: toy-sheet (pack toy-pack 1.2)" in result.output


def test_a_broken_pack_is_one_line_that_names_the_pack(pack, tmp_path, monkeypatch):
    (pack / "toy_sheet.py").write_text("import numpy as np\nSHEET_ID = 'toy-sheet'\nraise RuntimeError('half written')\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sheets"])
    assert result.exit_code == 2
    assert result.output == ("error: sheet toy-sheet (pack toy-pack 1.2): toy_pack.toy_sheet does not import: "
                             "RuntimeError: half written\n")


def test_a_broken_course_is_one_line_that_names_the_course(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    (course / "reference" / "toy_sheet.py").write_text("SHEET_ID = 'toy-sheet'\n")  # no answer_key
    result = CliRunner().invoke(main, ["key", TOY, "--course", str(course)])
    assert result.exit_code == 2
    assert result.output == (f"error: sheet toy-sheet (course {course}): "
                             f"nngrade_course_{_package(result.output)}.toy_sheet has no answer_key(given) function\n")
    with pytest.raises(SheetError) as caught:
        sheets.discover([course])
    assert caught.value.sheet_id == TOY and str(caught.value.origin) == f"course {course}"


def _package(output: str) -> str:
    return re.search(r"nngrade_course_(\w+)\.", output).group(1)


def test_a_pack_may_not_take_a_built_in_id_but_a_course_may_replace_one(pack, tmp_path):
    (pack / "toy_sheet.py").write_text((pack / "toy_sheet.py").read_text().replace('"toy-sheet"', '"tub-ml-sheet1"'))
    (pack / "rubrics" / "toy-sheet.toml").rename(pack / "rubrics" / "tub-ml-sheet1.toml")
    point = importlib.metadata.EntryPoint(name="tub-ml-sheet1", value="toy_pack.toy_sheet", group=sheets.ENTRY_POINT_GROUP)
    with pytest.raises(SheetError, match=r"sheet tub-ml-sheet1 \(pack toy_pack.toy_sheet\): the id is taken by the "
                                         r"built-in sheet; uninstall one of them"):
        sheets.discover(entry_points=[point])
    course = tmp_path / "next-year"
    (course / "rubrics").mkdir(parents=True)
    text = (ROOT / "rubrics" / "tub-ml-sheet1.toml").read_text()
    (course / "rubrics" / "tub-ml-sheet1.toml").write_text(text.replace("sigma = 0.5", "sigma = 2.0"))
    found = sheets.discover([course], entry_points=[])
    replaced = found["tub-ml-sheet1"]
    assert replaced.reference is BUILTIN["tub-ml-sheet1"].reference  # next year's numbers, the same reference
    assert found.notes == [f"tub-ml-sheet1: the course {course.resolve()} sheet replaces the built-in one"]


def test_two_courses_with_one_id_name_both(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(COURSE, first)
    shutil.copytree(COURSE, second)
    with pytest.raises(SheetError, match=f"sheet toy-sheet \\(course {re.escape(str(second))}\\): the id is also in "
                                         f"course {re.escape(str(first))}"):
        sheets.discover([first, second])


def test_the_course_environment_variable_and_the_current_folder_find_the_course(tmp_path, monkeypatch):
    monkeypatch.setenv(sheets.COURSE_ENV, str(COURSE))
    assert TOY in api.catalogue()
    monkeypatch.delenv(sheets.COURSE_ENV)
    monkeypatch.chdir(COURSE)
    assert TOY in api.catalogue()
    monkeypatch.chdir(ROOT)  # the checkout itself is where the built-in sheets live, not a course
    assert TOY not in api.catalogue() and sheets.course_folders() == []


def test_a_mistake_that_raises_is_skipped_in_grading_and_reported_by_rubric_check(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    module = course / "reference" / "toy_sheet.py"
    module.write_text(module.read_text() + (
        "\nfrom reference.mistakes import Mistake\n\n"
        "MISTAKES = [Mistake('wrong-section', 'reads a section the rubric lacks', lambda given: given['2'])]\n"))
    result = CliRunner().invoke(main, ["rubric", "check", "--course", str(course)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (f"{course / 'rubrics' / 'toy-sheet.toml'}: MISTAKES: the reference's "
                                             "mistake 'wrong-section' raises KeyError: '2'; grading skips it")
    run = api.grade([COURSE / "submissions" / TOY], sheet=TOY, course=[course])
    assert sorted(r.points for r in run.submissions) == [0.0, 2.0]


def test_the_run_header_says_which_course_sheet_replaced_a_built_in_one(tmp_path):
    course = tmp_path / "next-year"
    (course / "rubrics").mkdir(parents=True)
    text = (ROOT / "rubrics" / "tub-ml-sheet1.toml").read_text()
    (course / "rubrics" / "tub-ml-sheet1.toml").write_text(text)
    submission = ROOT / "submissions" / "tub-ml-sheet1" / "Wagner_412345_Schulz_409876"
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, [str(submission), "--sheet", "tub-ml-sheet1",
                                                             "--course", str(course)])
    assert result.exit_code == 0, result.output
    assert f"sheets: tub-ml-sheet1 (course {course.resolve()}, replacing the built-in one)" in result.output
    built_in = CliRunner(env={"COLUMNS": "250"}).invoke(main, [str(submission), "--sheet", "tub-ml-sheet1"])
    assert "sheets:" not in built_in.output  # the usual case says nothing


def test_a_folder_that_is_not_a_course_is_one_line_naming_where_it_came_from(tmp_path, monkeypatch):
    result = CliRunner().invoke(main, ["sheets", "--course", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.output == (
        f"error: --course {tmp_path / 'nope'}: not a course folder: it needs rubrics/<sheet-id>.toml (and "
        "reference/<sheet_id>.py for a new sheet); `grade new SHEET-ID --course DIR` makes one\n")
    monkeypatch.setenv(sheets.COURSE_ENV, str(tmp_path))
    with pytest.raises(api.UsageError, match=r"^\$NNGRADE_COURSE .*: not a course folder"):
        api.catalogue()


def test_a_course_given_twice_counts_once_and_the_checkout_is_never_a_course(monkeypatch):
    monkeypatch.chdir(COURSE.parent)
    assert sheets.course_folders([COURSE, "course", COURSE / ".." / "course"]) == [COURSE]
    assert sheets.course_folders([ROOT]) == []  # where the built-in sheets live
    assert TOY in api.catalogue([COURSE, "course"])


def test_a_pack_must_keep_its_reference_in_a_package_of_its_own(tmp_path, monkeypatch):
    shutil.copy(COURSE / "reference" / "toy_sheet.py", tmp_path / "toy_sheet.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    point = importlib.metadata.EntryPoint(name=TOY, value="toy_sheet", group=sheets.ENTRY_POINT_GROUP)
    try:
        with pytest.raises(SheetError, match="is a top-level module: put the sheet's reference module into a package"):
            sheets.packs([point])
    finally:
        sys.modules.pop("toy_sheet", None)


def test_a_rubric_file_in_a_course_is_checked_against_that_courses_reference(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    files, problems = api.check_rubrics([course / "rubrics" / "toy-sheet.toml"])
    assert files == [course / "rubrics" / "toy-sheet.toml"] and problems == []


def test_examples_wait_for_a_rubric_with_problems(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    (course / "submissions" / TOY / "README.md").write_text("## Right_1000001\n\n| task | outcome |\n|---|---|\n| 1 | pass |\n")
    assert api.check_examples([course]) == []
    (course / "submissions" / TOY / "README.md").write_text("## Right_1000001\n\n| task | outcome |\n|---|---|\n| 1 | fail |\n")
    assert [str(p) for p in api.check_examples([course])] == [
        f"{course / 'submissions' / TOY / 'README.md'}: task 1: Right_1000001: stated fail, graded passed"]
    rubric = course / "rubrics" / "toy-sheet.toml"
    rubric.write_text(rubric.read_text().replace('observe = {y = "1.y"}', 'observe = {y = "1.nope"}'))
    result = CliRunner().invoke(main, ["rubric", "check", "--examples", "--course", str(course)])
    assert result.exit_code == 2 and "'1.nope'" in result.output and "stated fail" not in result.output


def test_in_ci_the_working_folder_is_never_a_course(monkeypatch):
    """There it is a student's repository: a planted reference/ or .nngrade/ would run as the grader's code."""
    monkeypatch.chdir(COURSE)
    monkeypatch.setenv("CI", "true")
    assert sheets.course_folders() == [] and TOY not in api.catalogue()
    assert TOY in api.catalogue([COURSE])  # a course given explicitly, from a trusted checkout, still counts
