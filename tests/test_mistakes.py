"""Planted mistakes: each known mistake of a sheet, put into a correct solution, is named in the feedback."""
import shutil

import numpy as np
import pytest

from grader import api, mutants, planted
from grader.checks import answer
from grader.rubric import AnswerCheck, Defaults
from tests.checks.helpers import context
from tests.conftest import BUILTIN, ROOT, reference_of

SHEET = "nnti-ws2324-sheet7"
WITH_MISTAKES = [sheet_id for sheet_id, sheet in BUILTIN.items() if getattr(sheet.reference, "MISTAKES", None)]


def setup_of(sheet_id: str):
    rubric = api.load_rubric(sheet_id)
    key = reference_of(sheet_id).answer_key(rubric.given)
    return rubric, key, mutants.known(reference_of(sheet_id), rubric.given, key)  # the sheet's list, combinations included


@pytest.fixture(scope="module")
def sheet():
    return setup_of(SHEET)


@pytest.fixture(scope="module", params=list(BUILTIN))
def plantings(request):
    return request.param, *planted.plant(api.load_rubric(request.param), reference_of(request.param))


def test_every_mistake_changes_some_graded_value(plantings):
    sheet_id, wrong, _ = plantings
    module = reference_of(sheet_id)
    listed = {m.id for m in getattr(module, "MISTAKES", [])}
    listed |= {m.id for f in getattr(module, "FORMULAS", {}).values() for m in f.mistakes}
    rubric = api.load_rubric(sheet_id)
    listed |= {m.id for t in rubric.tasks for c in t.checks if c.kind == "choice" for m in c.mistakes.values()}
    assert listed == {p.mistake for p in wrong}
    assert (sheet_id in WITH_MISTAKES) <= bool(listed)


def test_each_planted_mistake_is_named(plantings):
    """Each mistake, handed in as a student would (hand values rounded to four digits), is named by the rubric's
    own check, unless its value is within a few tolerances of the right one (never named, by design)."""
    sheet_id, wrong, _ = plantings
    failing = [p for p in wrong if not p.too_close]
    assert failing and all(p.named for p in failing), [(p.key, p.mistake, p.outcome) for p in failing if not p.named]
    for p in failing:
        assert p.outcome.status == "failed" and p.outcome.score < 1
    print(f"\nplanted mistakes of {sheet_id}: all {len(failing)} that fail their check are named specifically; "
          f"{len(wrong) - len(failing)} more are too close to the right value to be told apart")


def test_formula_and_choice_mistakes_always_fail(plantings):
    _, wrong, _ = plantings
    assert not [p for p in wrong if p.kind in ("formula", "choice") and p.too_close]


def test_right_answers_get_no_diagnosis(plantings):
    """The controls: the right value (hand values rounded) or the reference formula, for every planted entry
    and every entry the error model has a slip for."""
    _, wrong, right = plantings
    assert right and not [(p.key, p.outcome) for p in right if p.false_alarm]
    assert {p.key for p in wrong} <= {p.key for p in right}


def _revealing(sheet, name):
    """What a message in a hidden task must not contain: the formula, an accepted choice, or a value."""
    check, _ = sheet.graded[name]
    right = sheet.key[name]
    if check.kind == "expression":
        return [right.replace(" ", "")]
    if check.kind == "choice":
        return [str(right)] + list(check.accept)
    numbers = np.asarray(right, dtype=float).ravel()
    return [f"{v:.3g}" for v in numbers if len(f"{abs(v):.3g}") >= 4]  # 0.767, not 0 or 1


def test_hidden_tasks_name_the_mistake_without_the_answer(plantings):
    import re

    sheet_id, wrong, _ = plantings
    sheet = planted.Sheet(api.load_rubric(sheet_id), reference_of(sheet_id))
    checked = 0
    for p in wrong:
        _, task = sheet.graded[p.key]
        if sheet.rubric.visibility_of(task) != "hidden" or p.too_close:
            continue
        message = p.outcome.message.split(". Hint:")[0]  # the rubric's hint is the course's own, public text
        for wrong_choice in getattr(sheet.graded[p.key][0], "mistakes", {}):  # the student's own answer, quoted
            message = re.sub(re.escape(wrong_choice), "", message, flags=re.IGNORECASE)
        for secret in _revealing(sheet, p.key):
            if p.outcome.diagnoses and sheet.graded[p.key][0].kind == "expression":
                assert secret not in message.replace(" ", ""), (p.key, p.mistake, message)
            else:
                assert not re.search(rf"(?<![\w.-]){re.escape(secret)}(?![\w-])", message, re.IGNORECASE), \
                    (p.key, p.mistake, secret, message)
        checked += 1
    print(f"\n{sheet_id}: {checked} planted mistakes in hidden tasks name no answer")
    assert checked >= 6


def test_formula_mistake_texts_agree_with_their_functions():
    """A wrong formula's text (handed in by the planting) and its function (used to diagnose) are the same."""
    from grader.checks.expression import compare

    count = 0
    for sheet_id in BUILTIN:
        for name, formula in getattr(reference_of(sheet_id), "FORMULAS", {}).items():
            for m in formula.mistakes:
                assert compare(m.text, formula.following(m), samples=30).agrees, (name, m.id)
                count += 1
    assert count >= 25


def test_correct_solutions_get_no_diagnosis(sheet):
    run = api.grade([ROOT / "submissions" / SHEET / "Mueller_2571234_Schmidt_2569876"])
    assert [t.diagnoses for t in run.submissions[0].tasks if t.diagnoses] == []


def test_the_typical_mistakes_example_is_diagnosed_specifically():
    run = api.grade([ROOT / "submissions" / SHEET / "Weber_2573410_Fischer_2570012"])
    diagnoses = {t.id: t.diagnoses for t in run.submissions[0].tasks if t.diagnoses}
    assert diagnoses["7.2.a"] == ["log10"] and diagnoses["7.2.c"] == ["transposed"]
    assert diagnoses["7.3.a"] == ["relu-derivative"] and diagnoses["7.3.b"] == ["softmax-overflow"]
    assert diagnoses["7.3.d"] == ["missing-activation-derivative"]
    # the training loop is right, but it trains with that backward pass: the final loss is what that gives
    assert diagnoses["7.3.f"] == ["missing-activation-derivative"]


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
        assert not set(outcome.diagnoses) & {m.id for m in reference_of(SHEET).MISTAKES}


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
    # approx(x) with the offsets at the grid points: sum_j lambda_j relu(x_i - x_j)
    x, lam = grid["x"], grid["lambda_"]
    by_hand = [sum(lam[j] * max(x[i] - x[j], 0.0) for j in range(5)) for i in range(5)]
    np.testing.assert_allclose(slips["approx_on_grid"][0].value, by_hand)


def test_new_mistakes_match_an_independent_derivation():
    rubric, key, alternatives = setup_of("tuda-sml-ss23-hw4")
    Z, G = key["4.2.probe.Z"], key["4.2.probe.G"]
    ours = {a.id: a.value for a in alternatives["4.2.probe.tanh_back"]}
    np.testing.assert_allclose(ours["tanh-derivative-of-input"], (1 - Z * Z) * G, rtol=1e-12)
    columns = np.exp(Z) / np.exp(Z).sum(axis=0)
    ours = {a.id: a.value for a in alternatives["4.2.probe.softmax_out"]}
    np.testing.assert_allclose(ours["softmax-wrong-axis"], columns, rtol=1e-10)
    np.testing.assert_allclose(ours["softmax-wrong-axis"].sum(axis=0), 1.0)

    rubric, key, alternatives = setup_of(SHEET)
    g = rubric.given["7.2"]
    ours = {a.id: a.value for a in alternatives["7.2.W_out_new"]}
    W, dW = np.array(g["W_out"]), key["7.2.dL_dW_out"]
    np.testing.assert_allclose(ours["update-twice"], W - 2 * g["learning_rate"] * dW)
    np.testing.assert_allclose(ours["update-without-learning-rate"], W - dW)
    np.testing.assert_allclose(ours["gradient-ascent"], W + g["learning_rate"] * dW)
    # 100 epochs of full-batch descent whose backward pass skips leaky_relu', written out here
    n = rubric.given["7.3"]
    X, Y = np.array(n["X"]), np.array(n["Y"])
    Wh, Wo = np.array(g["W_hidden"]), np.array(g["W_out"])
    for _ in range(n["epochs"]):
        Zh = X @ Wh
        H = np.where(Zh > 0, Zh, n["alpha"] * Zh)
        S = H @ Wo
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        loss = -np.mean(np.sum(Y * np.log(P), axis=1))
        D = (P - Y) / len(X)
        Wh, Wo = Wh - n["learning_rate"] * (X.T @ (D @ Wo.T)), Wo - n["learning_rate"] * (H.T @ D)
    ours = {a.id: a.value for a in alternatives["7.3.final_loss"]}
    np.testing.assert_allclose(ours["missing-activation-derivative"], loss, rtol=1e-10)
    assert abs(loss - 0.0639) < 5e-4  # what Weber_2573410_Fischer_2570012's notebook prints
    ours = {a.id: a.value for a in alternatives["7.3.softmax"]}
    assert np.isnan(ours["softmax-overflow"][1]).all() and np.isfinite(ours["softmax-overflow"][[0, 2]]).all()
    ours = {a.id: a.value for a in alternatives["7.3.dW_out"]}
    np.testing.assert_allclose(ours["summed-over-batch"], len(X) * key["7.3.dW_out"])

    rubric, key, alternatives = setup_of("leuphana-dl-ss24-ex2")
    g = rubric.given["5"]
    sig = lambda z: 1 / (1 + np.exp(-z))
    x2 = sig(np.array(g["W2"]) @ sig(np.array(g["W1"]) @ np.array(g["x0"]) + g["b1"]) + g["b2"])
    ours = {a.id: a.value for a in alternatives["5.E"]}
    assert ours["missing-half"] == pytest.approx(np.sum((x2 - np.array(g["y"])) ** 2), rel=1e-12)
    assert ours["missing-half"] == pytest.approx(2 * key["5.E"], rel=1e-12)

    rubric, key, alternatives = setup_of("tuda-sml-ss23-hw4")
    ours = {a.id: a.value for a in alternatives["4.2.probe.softmax_back"]}
    np.testing.assert_array_equal(ours["softmax-pass-through"], key["4.2.probe.G"])


def test_correct_tuda_modules_get_no_diagnosis():
    run = api.grade([ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"])
    assert [t.diagnoses for t in run.submissions[0].tasks if t.diagnoses] == []


def test_the_class_report_counts_diagnoses_per_task():
    from grader.report.table import diagnosis_counts

    run = api.grade([ROOT / "submissions" / SHEET])
    text = diagnosis_counts(run.submissions).plain
    assert text.startswith("diagnoses: ") and "7.2.a log10 x1" in text and "7.3.d missing-activation-derivative x1" in text


@pytest.mark.parametrize("sheet_id", ["tub-ml-sheet1", "tuda-sml-ss23-hw4", "nnti-ws2425-sheet6"])
def test_formula_mutants_nobody_listed_are_named(sheet_id):
    """Every single mutant of every graded reference formula, handed in as the student's formula: at least 90 %
    of those that fail are named with the operator that made them (or an equivalent reading), at most 2 % are
    named wrongly."""
    found = planted.plant_operators(planted.Sheet(api.load_rubric(sheet_id), reference_of(sheet_id)))
    failing = [p for p in found if not p.too_close]
    named = [p for p in failing if p.named]
    wrong = [p for p in failing if p.outcome.diagnoses and not p.named]
    assert failing and len(named) >= 0.9 * len(failing), [(p.key, p.mistake, p.outcome.diagnoses) for p in failing
                                                          if not p.named]
    assert len(wrong) <= 0.02 * len(failing), [(p.key, p.mistake, p.outcome.diagnoses) for p in wrong]


@pytest.mark.parametrize("softmax", [
    "e = np.exp(input)\n        self.output = e / np.sum(e, axis=1, keepdims=True)",  # nan where exp overflows
    "self.output = np.exp(input - np.log(np.sum(np.exp(input), axis=1, keepdims=True)))",  # 0 there
])
def test_a_softmax_without_the_max_shift_the_sheet_asks_for_is_named(softmax, tmp_path):
    """4.1.c: "for stability reasons" the softmax subtracts the row maximum; logits around 1000 show it."""
    keller = ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"
    work = tmp_path / "tuda-sml-ss23-hw4" / "Ohneshift_2799001"
    shutil.copytree(keller, work, ignore=shutil.ignore_patterns("*.ipynb"))
    source = (work / "nn_modules.py").read_text()
    stable = ("exps = np.exp(input - np.max(input, axis=1, keepdims=True))\n"
              "        self.output = exps / np.sum(exps, axis=1, keepdims=True)")
    assert stable in source
    (work / "nn_modules.py").write_text(source.replace(stable, softmax))
    task = next(t for t in api.grade([work]).submissions[0].tasks if t.id == "4.2.b")
    assert task.status == "partial" and list(task.diagnoses) == ["softmax-overflow"], (task.diagnoses, task.message)
    assert task.points == pytest.approx(1 / 1.5, abs=1e-3)  # the values at ordinary logits (weight 1 of 1.5) still count


def test_a_leaky_slope_of_0_1_in_the_notebook_is_named_in_each_task_it_reaches(tmp_path):
    """The sheet's slope is 0.01; 0.1 typed as the default of the notebook's functions changes 7.3's values."""
    mueller = ROOT / "submissions" / "nnti-ws2324-sheet7" / "Mueller_2571234_Schmidt_2569876"
    work = tmp_path / "nnti-ws2324-sheet7" / "Steigung_2599001"
    shutil.copytree(mueller, work)
    notebook = next(work.glob("*.ipynb"))
    text = notebook.read_text()
    written = ["np.where(z > 0, z, alpha * z)", "np.where(z > 0, 1.0, alpha)"]
    assert all(w in text for w in written)
    for w in written:  # the slope typed into the bodies, whatever alpha the caller passes
        text = text.replace(w, w.replace("alpha", "0.1"))
    notebook.write_text(text)
    tasks = {t.id: t for t in api.grade([work]).submissions[0].tasks}
    assert tasks["7.3.a"].status == "failed" and "leaky-slope" in tasks["7.3.a"].diagnoses, tasks["7.3.a"].message
    assert "leaky-slope" in tasks["7.3.f"].diagnoses


@pytest.mark.parametrize("slip, diagnosis", [
    ("self.weight[l] += eta * weight_gradients[l]\n                self.bias[l] += eta * bias_gradients[l]",
     "update-sign"),
    ("self.weight[l] - eta * weight_gradients[l]\n                self.bias[l] - eta * bias_gradients[l]",
     "drop-step"),
])
def test_a_train_that_returns_no_losses_still_has_its_slips_named(slip, diagnosis, tmp_path):
    """The loss before and after training stands in for the losses such a train keeps to itself; its slips
    show there as they would in a returned list."""
    variant = ROOT / "tests" / "variants" / "leuphana-dl-ss24-ex2" / "Rueckgabe_3149007"
    work = tmp_path / "leuphana-dl-ss24-ex2" / "Still_2799002"
    shutil.copytree(variant, work)
    source = (work / "code2.py").read_text()
    right = "self.weight[l] -= eta * weight_gradients[l]\n                self.bias[l] -= eta * bias_gradients[l]"
    assert right in source
    (work / "code2.py").write_text(source.replace(right, slip))
    task = next(t for t in api.grade([work]).submissions[0].tasks if t.id == "6.2.ii")
    assert task.status == "failed" and diagnosis in task.diagnoses, (task.diagnoses, task.message)
    assert "did not decrease" in task.message  # read from the loss before and after, not "train should return"
