"""Planted mistakes: each known mistake of a sheet, put into a correct solution, is named in the feedback."""
import numpy as np
import pytest

import reference
from grader import api
from grader.checks import answer, value
from grader.checks.compare import match
from grader.rubric import AnswerCheck, ValueCheck
from reference import mistakes
from tests.checks.helpers import job
from grader.checks import Context
from grader.rubric import Defaults


def context(key=None, reveal=True, sheet="leuphana-dl-ss24-ex2", defaults=None, **kw):
    return Context(key=key or {}, defaults=defaults or Defaults(), reveal=reveal, sheet=sheet, **kw)
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
    answer_checks = {c.key: (c, t) for t in rubric.tasks for c in t.checks if c.kind == "answer"}
    for mistake, name, wrong in planted((rubric, key, alternatives)):
        if name in answer_checks:  # a hand answer in the answers file, judged by the rubric's own check
            check, task = answer_checks[name]
            rtol, atol = check.tolerances(rubric.defaults.answer_rtol, rubric.defaults.answer_atol)
            wrong = rounded(wrong)
            ctx = context(key=key, sheet=sheet_id, reveal=rubric.visibility_of(task) == "public",
                          defaults=rubric.defaults, answers={name: wrong}, mistakes=alternatives)
            outcome = answer.judge(check, ctx)
        else:  # a value the student's code computes
            rtol, atol = 1e-6, 1e-9
            ctx = context(key=key, sheet=sheet_id, job=job({"v": np.asarray(wrong, dtype=float)}), mistakes=alternatives)
            outcome = value.judge(ValueCheck(kind="value", file="any.py", observe={"v": name}), ctx)
        total += 1
        mistaken = next(a.value for a in alternatives[name] if a.id == mistake)
        if match(mistaken, key[name], rtol, atol, reveal=True).ok:
            continue  # the mistake's value is within tolerance of the right one: never named, by design
        fits = {a.id for a in alternatives[name] if match(wrong, a.value, rtol, atol, reveal=True).ok}
        assert outcome.status == "failed" and outcome.diagnoses and outcome.diagnoses[0] in fits \
            and mistake in fits, (mistake, name, outcome)
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


def test_a_wrong_value_that_is_no_known_mistake_gets_no_mistake_name(sheet):
    """Just outside the tolerance, next to the right value: no mistake is named (it would say "you are close")."""
    rubric, key, alternatives = sheet
    for factor in (1.03, 0.97, 1.5):
        ctx = context(key=key, sheet=SHEET, reveal=False, answers={"7.2.L1": float(key["7.2.L1"]) * factor},
                      mistakes=alternatives)
        outcome = answer.judge(AnswerCheck(kind="answer", key="7.2.L1"), ctx)
        assert outcome.status == "failed" and "this is what" not in outcome.message and "log" not in outcome.message
        assert not set(outcome.diagnoses) & {m.id for m in reference.sheet_module(SHEET).MISTAKES}


def test_mistaken_values_match_an_independent_derivation():
    """The mistakes, derived again here with plain numpy from the rubrics' given data."""
    sig = lambda z: 1 / (1 + np.exp(-z))
    # Leuphana Task 5: the output error multiplied by sigma'(x2) instead of sigma'(s2)
    rubric, key, alternatives = setup_of("leuphana-dl-ss24-ex2")
    g = rubric.given["5"]
    x0, y = np.array(g["x0"]).reshape(-1, 1), np.array(g["y"]).reshape(-1, 1)
    W1, W2 = np.array(g["W1"]), np.array(g["W2"])
    x1 = sig(W1 @ x0 + np.array(g["b1"]).reshape(-1, 1))
    x2 = sig(W2 @ x1 + np.array(g["b2"]).reshape(-1, 1))
    delta2 = (x2 - y) * sig(x2) * (1 - sig(x2))
    derived = {"5.dE_dw2": delta2 @ x1.T, "5.dE_dw1": (W2.T @ delta2 * x1 * (1 - x1)) @ x0.T}
    for name, value in derived.items():
        ours = next(a.value for a in alternatives[name] if a.id == "sigmoid-derivative-of-output")
        np.testing.assert_allclose(ours, value, rtol=1e-12)
    # TU Darmstadt 4.2: softmax backward with the diagonal only; tanh's derivative of its output
    rubric, key, alternatives = setup_of("tuda-sml-ss23-hw4")
    Z, G = key["4.2.probe.Z"], key["4.2.probe.G"]
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    ours = {a.id: a.value for a in alternatives["4.2.probe.softmax_back"]}
    np.testing.assert_allclose(ours["softmax-diagonal"], P * (1 - P) * G, rtol=1e-12)
    ours = {a.id: a.value for a in alternatives["4.2.probe.tanh_back"]}
    np.testing.assert_allclose(ours["tanh-derivative-of-output"], (1 - np.tanh(np.tanh(Z)) ** 2) * G, rtol=1e-12)
    # Leuphana Task 7: without the factor h, lambda comes out h times too large... as h * lambda solves A l = f
    from reference.leuphana_dl_ss24_ex2 import approximation_mistakes
    grid = {"x": np.linspace(0, 6, 5), "h": 1.5, "lambda_": np.array([1.0, 2.0, 3.0, 4.0, 5.0])}
    slips = approximation_mistakes(grid)
    np.testing.assert_allclose(slips["lambda_"][0].value, 1.5 * grid["lambda_"])
    np.testing.assert_allclose(slips["b_"][0].value, grid["x"])


def test_correct_tuda_modules_get_no_diagnosis():
    run = api.grade([ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"])
    assert [t.diagnoses for t in run.submissions[0].tasks if t.diagnoses] == []


def test_the_class_report_counts_diagnoses_per_task():
    from grader.report.table import diagnosis_counts

    run = api.grade([ROOT / "submissions" / SHEET])
    text = diagnosis_counts(run.submissions).plain
    assert text.startswith("diagnoses: ") and "7.2.a log10 x1" in text and "7.3.d missing-activation-derivative x1" in text
