"""`grade new` makes a sheet that grades out of the box; a course then edits only files in its own folder (a new
hand-computed task, its key in the reference, the examples' answers) and grades its sheet with the scores and
diagnoses it expects."""
import re

import pytest
from click.testing import CliRunner

from grader import api
from grader.cli import main
from grader.errors import UsageError

SHEET = "ml-ws2627-sheet8"


@pytest.fixture
def course(tmp_path):
    result = CliRunner().invoke(main, ["new", SHEET, "--course", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


def reports(course):
    run = api.grade([course / "submissions" / SHEET], course=[course])
    return {r.name: r for r in run.submissions}


def test_the_scaffold_grades_out_of_the_box(course):
    assert sorted(p.relative_to(course).as_posix() for p in course.rglob("*") if p.is_file()) == [
        "reference/ml_ws2627_sheet8.py", "rubrics/ml-ws2627-sheet8.toml",
        "submissions/ml-ws2627-sheet8/Ada_1000001/answers.toml", "submissions/ml-ws2627-sheet8/Ada_1000001/network.py",
        "submissions/ml-ws2627-sheet8/Bob_1000002/answers.toml", "submissions/ml-ws2627-sheet8/Bob_1000002/network.py",
        "submissions/ml-ws2627-sheet8/README.md", "tests/test_ml_ws2627_sheet8.py"]
    assert api.check_rubrics(course=[course])[1] == [] and api.check_examples(course=[course]) == []
    graded = reports(course)
    ada, bob = graded["Ada_1000001"], graded["Bob_1000002"]
    assert (ada.points, ada.max_points) == (9.0, 10.0)
    assert {t.id: t.status for t in ada.tasks} == {"1.a": "passed", "1.b": "passed", "2": "passed", "3": "passed",
                                                   "4": "passed", "5": "pending-manual"}
    assert bob.points == 1.0
    # his loss (0.0422 for 0.0232) lies within a few hand tolerances of the right one: failed, but not named
    assert {t.id: t.diagnoses for t in bob.tasks if t.diagnoses} == {
        "1.a": ["drop-bias"], "2": ["drop-bias"], "4": ["bounded-output"]}


def test_a_course_edits_its_own_files_and_grades_its_new_task(course):
    reference = course / "reference" / "ml_ws2627_sheet8.py"
    reference.write_text(reference.read_text().replace(
        '    key["1.loss"] = squared_loss(out["y"], g.t)\n',
        '    key["1.loss"] = squared_loss(out["y"], g.t)\n    key["1.dl_dh"] = (out["y"] - g.t) * np.asarray(g.w2)\n'))
    rubric = course / "rubrics" / f"{SHEET}.toml"
    rubric.write_text(rubric.read_text().replace("total_points = 10", "total_points = 12") + (
        '\n[[tasks]]\nid = "1.c"\ntitle = "Gradient of the loss with respect to h, by hand"\npoints = 2\n'
        '[[tasks.checks]]\nkind = "answer"\nkey = "1.dl_dh"\n'))
    # by hand, (y - t) w2 with t = 1 and w2 = (1, -0.5, 0.25): Ada's y = 1.2154, Bob's y = 0.7094 (without b1)
    answers = course / "submissions" / SHEET / "Ada_1000001" / "answers.toml"
    answers.write_text(answers.read_text() + '"1.dl_dh" = [0.2154, -0.1077, 0.05385]\n')
    answers = course / "submissions" / SHEET / "Bob_1000002" / "answers.toml"
    answers.write_text(answers.read_text() + '"1.dl_dh" = [-0.2906, 0.1453, -0.07265]\n')
    assert api.check_rubrics(course=[course])[1] == []
    graded = reports(course)
    ada, bob = graded["Ada_1000001"], graded["Bob_1000002"]
    assert (ada.points, ada.max_points) == (11.0, 12.0)
    task = next(t for t in bob.tasks if t.id == "1.c")
    assert task.status == "failed" and task.diagnoses == ["drop-bias"]  # his y, without b1: (0.7094 - 1) w2
    assert "the bias is left out of the linear map (hidden)" in task.message


def test_a_sheet_id_must_be_an_id_and_nothing_is_overwritten(course):
    with pytest.raises(UsageError, match="is not a sheet id"):
        from grader import scaffold
        scaffold.new_sheet("Sheet 8", course)
    result = CliRunner().invoke(main, ["new", SHEET, "--course", str(course)])
    assert result.exit_code == 2 and re.search(r"already exists; pass --force to overwrite\n$", result.output)
