"""`grade check`: a student's self-check judges the public checks (and the hidden ones that need no expected
value), says only "checked after the deadline" for the rest, finds the sheet from the files, and never shows a
hidden task's expected value."""
import shutil

import pytest
from click.testing import CliRunner

from grader import api
from grader.cli import main
from grader.self_check import open_tasks
from tests.conftest import ROOT, hidden_values

SUBMISSIONS = ROOT / "submissions"
WRONG = {"nnti-ws2324-sheet7": "Weber_2573410_Fischer_2570012", "nnti-ws2425-sheet6": "Lange_2580456_Werner_2582301",
         "leuphana-dl-ss24-ex2": "Schroeder_3044702_Klein_3047315", "tub-ml-sheet1": "Neumann_415500",
         "tuda-sml-ss23-hw4": "Berger_2731106_Roth_2735520"}


@pytest.mark.parametrize("sheet, name", sorted(WRONG.items()))
def test_the_self_check_finds_the_sheet_and_shows_no_hidden_expected_value(sheet, name, monkeypatch):
    monkeypatch.chdir(SUBMISSIONS / sheet / name)
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{sheet}: self-check of {name}")
    assert not [value for value in hidden_values(sheet) if value in result.output]
    rubric = api.load_rubric(sheet)
    hidden = [t for t in rubric.tasks if t.id not in open_tasks(rubric) and not t.bonus]
    assert result.output.count("hidden: checked after the deadline") == len(hidden)


def test_public_verdicts_and_diagnoses_show_and_hidden_ones_wait():
    check = api.self_check(SUBMISSIONS / "nnti-ws2324-sheet7" / "Weber_2573410_Fischer_2570012")
    tasks = {t.id: t for t in check.tasks}
    assert tasks["7.3.a"].status == "partial" and "ReLU's derivative" in tasks["7.3.a"].message
    assert tasks["7.3.c"].status == "passed"
    assert tasks["7.2.a"].status == "hidden" and tasks["7.2.a"].message == "" and tasks["7.2.a"].points == 0
    # the points line is the public tasks' automatic share: 7.3 (5 points, all automatic)
    assert check.checkable == pytest.approx(5.0) and check.points < 5.0
    right = api.self_check(SUBMISSIONS / "nnti-ws2324-sheet7" / "Mueller_2571234_Schmidt_2569876")
    assert right.points == pytest.approx(right.checkable) == pytest.approx(5.0)


def test_a_folder_that_fits_two_sheets_asks_for_one(tmp_path):
    (tmp_path / "answers.toml").write_text('"7.2.L1" = 0.79\n"6.3.h" = [2.0, 0.0]\n')
    with pytest.raises(api.UsageError, match=r"cannot tell which sheet this is \(it could be nnti-ws2324-sheet7, "
                                             r"nnti-ws2425-sheet6\); pass --sheet SHEET"):
        api.self_check(tmp_path)
    shutil.copy(SUBMISSIONS / "tub-ml-sheet1" / "Neumann_415500" / "answers.toml", tmp_path / "answers.toml")
    assert api.self_check(tmp_path).sheet == "tub-ml-sheet1"  # its answers' names are that sheet's


def test_a_public_check_on_a_value_a_hidden_task_also_asks_for_says_wrong_without_showing_it():
    """7.3 (public) runs on a batch holding 7.2's (hidden) example: a wrong forward pass is named, not shown."""
    from grader import api as grading_api
    from grader.checks import value
    from grader.hidden import secret_entries
    from grader.rubric import ValueCheck
    from tests.checks.helpers import context, job

    key = grading_api.answer_key("nnti-ws2324-sheet7")
    assert {"7.3.h", "7.3.p"} <= secret_entries(key.rubric, key.values)
    wrong = key.values["7.3.h"] * 2.0
    check = ValueCheck(kind="value", file="backprop.ipynb", observe={"h": "7.3.h"})
    shown = value.judge(check, context(key.values, reveal=True, sheet="nnti-ws2324-sheet7", job=job({"h": wrong})))
    kept = value.judge(check, context(key.values, reveal=False, sheet="nnti-ws2324-sheet7", job=job({"h": wrong})))
    assert shown.status == kept.status == "failed"
    row = f"{key.values['7.2.h'][0]:.3g}"
    assert row in shown.message and row not in kept.message  # what reveal=True would have given away
    right = value.judge(check, context(key.values, reveal=False, sheet="nnti-ws2324-sheet7",
                                       job=job({"h": key.values["7.3.h"].astype("float32")})))
    assert right.status == "passed"  # float32, the secret's own value: still full marks
