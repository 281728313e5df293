"""`grade template SHEET DIR`: a student's starting folder for every sheet. The starters define what the checks
call, import cleanly and grade as not attempted; a student who fills them in watches the self-check's score
rise to full marks."""
import ast
import shutil

import pytest

from grader import api
from tests.conftest import BUILTIN, ROOT
from tests.test_submissions import CORRECT

SUBMISSIONS = ROOT / "submissions"


def correct_example(sheet: str):
    return next(p for p in sorted((SUBMISSIONS / sheet).iterdir()) if p.name in CORRECT)


@pytest.mark.parametrize("sheet", list(BUILTIN))
def test_a_starting_folder_grades_as_not_attempted_and_rises_to_full_marks(sheet, tmp_path):
    work = tmp_path / sheet / "Student_1000001"
    written = {p.name for p in api.write_templates(sheet, work)}
    rubric = api.load_rubric(sheet)
    assert {name.rsplit("/", 1)[-1] for name in rubric.files} | {"README.md"} <= written
    for script in work.glob("*.py"):
        ast.parse(script.read_text())  # every starter is valid Python
    graded = api.grade([work], sheet=sheet).submissions[0]
    assert graded.points == 0
    assert {t.status for t in graded.tasks} <= {"not-attempted", "pending-manual", "unavailable"}, \
        [(t.id, t.status, t.message) for t in graded.tasks]
    start = api.self_check(work)
    assert start.sheet == sheet and start.points == 0
    for source in correct_example(sheet).iterdir():  # the student's work replaces the starters
        shutil.copy(source, work / source.name)
    done = api.self_check(work)
    assert done.points == pytest.approx(done.checkable, abs=1e-3)
    assert done.checkable == pytest.approx(start.checkable, abs=1e-3)


def test_the_answers_skeleton_lists_every_entry_graded_by_hand(tmp_path):
    api.write_templates("nnti-ws2324-sheet7", tmp_path)
    skeleton = (tmp_path / "answers.toml").read_text()
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    graded = {c.key for t in rubric.tasks for c in t.checks if c.kind in ("answer", "expression", "choice")}
    assert graded and all(f'# "{key}" = ' in skeleton for key in graded)
    assert (tmp_path / "backprop.ipynb").read_bytes() == (ROOT / "rubrics" / "files" / "nnti-ws2324-sheet7" /
                                                          "backprop.ipynb").read_bytes()  # the course's own
