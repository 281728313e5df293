"""Planted mistakes: each known mistake of a sheet, put into a correct solution, is named in the feedback."""
import numpy as np
import pytest

import reference
from grader import api
from grader.checks import answer, value
from grader.checks.compare import match
from grader.rubric import AnswerCheck, ValueCheck
from reference import mistakes
from tests.checks.helpers import context, job
from tests.conftest import ROOT

SHEET = "nnti-ws2324-sheet7"
WITH_MISTAKES = ["nnti-ws2324-sheet7", "leuphana-dl-ss24-ex2", "tuda-sml-ss23-hw4", "nnti-ws2425-sheet6"]


def setup_of(sheet_id: str):
    rubric = api.load_rubric(sheet_id)
    key = reference.answer_key(sheet_id, rubric.given)
    return rubric, key, mistakes.alternatives(reference.sheet_module(sheet_id), rubric.given, key)


@pytest.fixture(scope="module")
def sheet():
    return setup_of(SHEET)


def planted(sheet):
    """(mistake id, answer-key name, the value it gives) for every key a mistake changes."""
    _, _, alternatives = sheet
    return [(a.id, name, a.value) for name, alts in alternatives.items() for a in alts]


def rounded(value):
    """As a student writes it by hand: four significant digits."""
    return np.vectorize(lambda v: float(f"{v:.4g}"))(np.asarray(value, dtype=float)).tolist()


@pytest.mark.parametrize("sheet_id", WITH_MISTAKES)
def test_every_mistake_changes_some_graded_value(sheet_id):
    ids = {m.id for m in reference.sheet_module(sheet_id).MISTAKES}
    assert ids == {mistake for mistake, _, _ in planted(setup_of(sheet_id))}


@pytest.mark.parametrize("sheet_id", WITH_MISTAKES)
def test_each_planted_mistake_is_named(sheet_id):
    rubric, key, alternatives = setup_of(sheet_id)
    named = total = 0
    for mistake, name, wrong in planted((rubric, key, alternatives)):
        if not name.startswith(("7.3.", "4.2.")):  # a hand answer in the answers file
            ctx = context(key=key, sheet=sheet_id, reveal=False, answers={name: rounded(wrong)}, mistakes=alternatives)
            outcome = answer.judge(AnswerCheck(kind="answer", key=name), ctx)
        else:  # a value the student's notebook computes
            ctx = context(key=key, sheet=sheet_id, job=job({"v": np.asarray(wrong, dtype=float)}), mistakes=alternatives)
            outcome = value.judge(ValueCheck(kind="value", file="any.py", observe={"v": name}), ctx)
        total += 1
        if outcome.status == "passed":  # within tolerance of the right value: nothing to diagnose
            continue
        fits = {a.id for a in alternatives[name]
                if match(rounded(wrong), a.value, 0.02, 0.0005, reveal=True).ok}
        assert outcome.diagnoses and outcome.diagnoses[0] in fits and mistake in fits, (mistake, name, outcome)
        named += 1
    print(f"\nplanted mistakes of {sheet_id}: every one of the {named} that fails its check is named "
          f"specifically; {total - named} more are within tolerance of the right value")
    assert named > 0  # each failing one was asserted above; this guards against planting nothing


def test_correct_solutions_get_no_diagnosis(sheet):
    run = api.grade([ROOT / "submissions" / SHEET / "Mueller_2571234_Schmidt_2569876"])
    assert [t.diagnoses for t in run.submissions[0].tasks if t.diagnoses] == []


def test_the_typical_mistakes_example_is_diagnosed_specifically():
    run = api.grade([ROOT / "submissions" / SHEET / "Weber_2573410_Fischer_2570012"])
    diagnoses = {t.id: t.diagnoses for t in run.submissions[0].tasks if t.diagnoses}
    assert diagnoses["7.2.a"] == ["log10"] and diagnoses["7.2.c"] == ["transposed"]
    assert diagnoses["7.3.a"] == ["relu-derivative"] and diagnoses["7.3.b"] == ["not-finite"]
    assert diagnoses["7.3.d"] == ["missing-activation-derivative"]


def test_a_hidden_task_names_the_mistake_without_values(sheet):
    rubric, key, alternatives = sheet
    wrong = next(a.value for a in alternatives["7.2.L1"] if a.id == "log10")
    ctx = context(key=key, sheet=SHEET, reveal=False, answers={"7.2.L1": round(float(wrong), 3)}, mistakes=alternatives)
    outcome = answer.judge(AnswerCheck(kind="answer", key="7.2.L1"), ctx)
    assert outcome.diagnoses == ("log10",) and "log base 10" in outcome.message
    assert f"{key['7.2.L1']:.2f}" not in outcome.message and "expected" not in outcome.message


def test_task_7_slips_are_named_for_the_students_own_grid():
    run = api.grade([ROOT / "submissions" / "leuphana-dl-ss24-ex2" / "Schroeder_3044702_Klein_3047315"])
    task = next(t for t in run.submissions[0].tasks if t.id == "7.code")
    assert "offset-off-by-one-step" in task.diagnoses and "one grid step off" in task.message


def test_correct_scripts_get_no_diagnosis():
    run = api.grade([ROOT / "submissions" / "leuphana-dl-ss24-ex2" / "Braun_3045821_Wolf_3046190"])
    assert [t.diagnoses for t in run.submissions[0].tasks if t.diagnoses] == []


def test_rounding_is_suggested_for_public_hand_values_only(sheet):
    _, key, alternatives = sheet
    near = float(key["7.2.L1"]) * 1.05
    for reveal in (True, False):
        ctx = context(key=key, sheet=SHEET, reveal=reveal, answers={"7.2.L1": near}, mistakes=alternatives)
        outcome = answer.judge(AnswerCheck(kind="answer", key="7.2.L1"), ctx)
        assert outcome.status == "failed" and ("rounding" in outcome.diagnoses) == reveal
        assert ("rounding" in outcome.message) == reveal
