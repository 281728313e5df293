"""The error model (issue 14): the reference's named steps, the operators on them, the sweep over a sheet's
answer key, and how the checks name a slip. Expected values are computed here from the sheets' given data
and plain numpy, not through the reference."""
from pathlib import Path

import numpy as np
import pytest

from grader import api, mutants
from grader.checks import Context
from grader.checks import job as job_check
from grader.checks import statistics, training
from grader.checks.compare import match
from grader.rubric import Defaults, StatisticsCheck
from reference import common
from reference.mistakes import Alternative
from reference.steps import Sweep, settled, sweeping
from tests.conftest import reference_of

X = np.linspace(-3.0, 3.0, 13)


def _slips(fn, *args) -> dict[str, list[np.ndarray]]:
    found: dict[str, list[np.ndarray]] = {}
    for alternative in mutants.of_call(fn, *args):
        for id in (alternative.id, *alternative.also):
            found.setdefault(id, []).append(np.asarray(alternative.value))
    return found


def _has(values: list[np.ndarray], expected: np.ndarray) -> bool:
    return any(v.shape == expected.shape and np.allclose(v, expected, rtol=1e-12, atol=1e-12) for v in values)


def test_a_step_outside_a_sweep_is_a_plain_call():
    a, b, bias = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4), np.ones(4)
    assert np.array_equal(common.linear(a, b, bias, where="layer 1"), a @ b + bias)
    assert common.total(np.ones((2, 3)), axis=1, where="rows").tolist() == [3.0, 3.0]


def test_a_sweep_records_where_each_step_stands_and_replays_settled_work():
    runs = []

    @settled
    def expensive(n):
        runs.append(n)
        return [n * 2.0]

    def key():
        return {"s": common.linear(np.ones((1, 2)), np.ones((2, 1)), np.ones(1), where="layer 1"),
                "e": expensive(3)}

    trace = Sweep()
    with sweeping(trace):
        key()
    assert [(c.kind, c.name, c.where) for c in trace.calls] == [("linear", "linear", "layer 1")]
    with sweeping(Sweep(replay=trace.settled)):
        assert key()["e"] == [6.0]
    assert runs == [3]  # the mutant run did not train again

    @settled
    def other(n):
        return [n]

    with sweeping(Sweep(replay=trace.settled)), pytest.raises(LookupError):
        other(3)  # a run that took another path never gets someone else's result


def test_single_slips_of_activations_and_derivatives():
    sigmoid = 1.0 / (1.0 + np.exp(-X))
    assert _has(_slips(common.sigmoid, X)["flip-sign"], 1.0 / (1.0 + np.exp(X)))  # the lost minus: sigma(-x)
    assert _has(_slips(common.sigmoid, X)["pre-activation"], X)
    assert _has(_slips(common.sigmoid, X)["sibling-function"], np.tanh(X))
    tanh_slips = _slips(common.tanh_derivative, X)
    assert _has(tanh_slips["drop-power"], 1.0 - np.tanh(X))
    assert _has(tanh_slips["derivative-of-output"], 1.0 - np.tanh(np.tanh(X)) ** 2)
    assert _has(tanh_slips["derivative-of-input"], 1.0 - X ** 2)
    assert _has(tanh_slips["drop-activation-derivative"], np.ones_like(X))
    sigmoid_slips = _slips(common.sigmoid_derivative, X)
    assert _has(sigmoid_slips["derivative-of-input"], X * (1.0 - X))
    assert _has(sigmoid_slips["flip-sign"], sigmoid * sigmoid)  # sigma(x) sigma(x) for sigma(x) sigma(-x)
    assert _has(_slips(common.leaky_relu, X, 0.01)["drop-factor"], np.maximum(X, 0.01))
    one_branch = np.where(X < 0, 1.0 / (1.0 + np.exp(X)), sigmoid)  # the stable sigmoid's x < 0 branch slipped
    assert _has(_slips(common.sigmoid, X)["flip-sign"], one_branch)


def test_single_slips_of_reductions_and_softmax():
    rows = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.0]])
    slips = _slips(common.mean, rows, 1, False)
    assert _has(slips["sum-for-mean"], rows.sum(axis=1))
    assert _has(slips["wrong-axis"], rows.mean(axis=0)) and _has(slips["wrong-axis"], np.array(rows.mean()))
    e = np.exp(rows)
    softmax = _slips(common.softmax, rows, 1)
    assert _has(softmax["wrong-axis"], e / e.sum(axis=0, keepdims=True))
    assert _has(softmax["wrong-axis"], e / e.sum())


def test_the_sweep_of_a_hand_calculation_follows_the_slip_through_every_entry():
    rubric = api.load_rubric("leuphana-dl-ss24-ex2")
    g = rubric.given["5"]
    W1, b1, W2, b2, x0 = (np.asarray(g[k], dtype=float) for k in ("W1", "b1", "W2", "b2", "x0"))
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    s1 = W1 @ x0 + b1
    x1 = 1.0 / (1.0 + np.exp(-s1))
    no_b2 = W2 @ x1  # b2 forgotten in layer 2, carried on into x2
    assert any(a.id == "drop-bias" and np.allclose(a.value, no_b2) for a in found["5.s2"])
    assert any(a.id == "drop-bias" and np.allclose(a.value, 1.0 / (1.0 + np.exp(-no_b2))) for a in found["5.x2"])
    assert any(a.id == "drop-bias" and np.allclose(a.value, W1 @ x0) for a in found["5.s1"])  # b1 forgotten


def test_different_slips_of_one_number_are_all_kept():
    """A loss is one number: each slip that gives another one stays a slip of its own."""
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    values = [float(a.value) for a in found["7.2.L2"]]
    assert len(values) >= 5 and len({round(v, 9) for v in values}) == len(values)
    ids = {a.id for a in found["7.2.L2"]}
    assert {"gradient-ascent", "log10"} <= ids  # the sheet's own combinations, ascent and log base 10


def test_a_slip_of_every_call_keeps_to_calls_of_its_form():
    """Leuphana sums the squared error over everything and each bias gradient over axis 1: slipping the
    every-call sum changes each kind of call by its own arguments, never one by the other's."""
    rubric = api.load_rubric("leuphana-dl-ss24-ex2")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    assert all(np.shape(a.value) == np.shape(key["5.dE_db1"]) or a.id == "wrong-axis" for a in found["5.dE_db1"])


def test_an_update_left_out_keeps_the_given_weights():
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    kept = [a for a in found["7.2.W_hidden_new"] if a.id == "layer-not-updated"]
    assert kept and np.allclose(kept[0].value, rubric.given["7.2"]["W_hidden"]) and "W_hidden" in kept[0].message


def test_a_learning_rate_ten_times_off_is_named_not_taken_for_an_update_left_out():
    """7.2 by hand with 0.01 for 0.1: the step is so small that the new weights lie within the hand tolerance of
    the old ones; the nearer slip, a digit of the learning rate, is the one named."""
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    g = rubric.given["7.2"]
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    old, new = np.asarray(g["W_hidden"], dtype=float), np.asarray(key["7.2.W_hidden_new"])
    small = old + (new - old) / 10.0  # the step, written independently: W - (lr / 10) dL/dW
    digit = [a for a in found["7.2.W_hidden_new"] if a.id == "learning-rate-digit"]
    assert any(np.allclose(a.value, small, rtol=1e-12, atol=1e-15) for a in digit)
    m = match(small, new, 0.02, 0.006, reveal=True, alternatives=tuple(found["7.2.W_hidden_new"]))
    assert m.diagnoses == ("learning-rate-digit",) and "ten times too small" in m.message, m


def test_the_nearest_of_several_fitting_mistakes_is_named_and_equals_are_said():
    expected = np.array(0.2215)
    far, near = Alternative("update-sign", "adds", 0.7929), Alternative("layer-not-updated", "kept", 0.7747)
    m = match(0.7747, expected, 0.05, 0.0, reveal=True, alternatives=(far, near))
    assert m.diagnoses == ("layer-not-updated",) and "another slip" not in m.message
    twin = Alternative("drop-step", "never stepped", 0.7747)
    m = match(0.7747, expected, 0.05, 0.0, reveal=True, alternatives=(near, twin))
    assert m.diagnoses == ("layer-not-updated",) and "another slip gives the same values: drop-step" in m.message


def test_a_slip_that_changes_the_shape_is_named():
    delta = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    wrong_axis = Alternative("wrong-axis", "the sum runs over axis 0", delta.sum(axis=0))
    m = match(delta.sum(axis=0), delta.sum(axis=1), 1e-9, 1e-12, reveal=False, alternatives=(wrong_axis,))
    assert m.diagnoses == ("wrong-axis",) and "shape (2,), expected (3,)" in m.message


@pytest.mark.parametrize("error, diagnosis", [
    ("ValueError: operands could not be broadcast together with shapes (17,4) (17,) ", ("broadcast",)),
    ("ValueError: operands could not be broadcast together with shapes (5,) (5,3) ", ("broadcast",)),
    ("ValueError: shapes (3,2) and (3,) not aligned: 2 (dim 1) != 3 (dim 0)", ("swap-arguments",)),
    ("ValueError: operands could not be broadcast together with shapes (64,10) (64,64) ", ()),
    ("ValueError: shapes (3,2) and (4,) not aligned: 2 (dim 1) != 4 (dim 0)", ()),
    ("ZeroDivisionError: division by zero", ()),
])
def test_numpy_shape_errors_are_read(error, diagnosis):
    record = {"status": "error", "error": error, "step": "calling f(...)", "line": 3}
    outcome = job_check.failure(Context(key={}, defaults=Defaults(), reveal=True, sheet="s", job=record))
    assert outcome.status == "error" and outcome.diagnoses == diagnosis


def test_a_loss_curve_that_never_moves_or_climbs_is_read():
    assert training._stalled(np.full(20, 0.7747))[0] == "drop-step"
    assert training._stalled(np.linspace(21.6, 55.5, 30))[0] == "update-sign"
    saturating = np.concatenate([np.linspace(21.6, 59.4, 7), np.linspace(59.3, 55.5, 50)])  # ascent, then flat
    assert training._stalled(saturating)[0] == "update-sign"
    noisy = np.array([2.31, 2.30, 2.32, 2.29, 2.31, 2.28, 2.30])
    assert training._stalled(noisy) is None
    assert training._stalled(np.array([2.0, 1.0, 3.5, 0.5, 3.2])) is None  # a jumpy start without a climb


def test_weights_that_are_never_negative_look_like_rand():
    rng = np.random.default_rng(0)
    check = StatisticsCheck(kind="statistics", file="f.py", steps=[{"op": "new", "name": "w", "cls": "W"}],
                            observe="w", distribution="glorot-normal")
    sigma = np.sqrt(2.0 / (300 + 200))
    outcome = statistics._glorot(rng.random((300, 200)) * sigma, check)
    assert outcome.diagnoses == ("uniform-not-normal",)
    assert statistics._glorot(rng.normal(0.0, sigma, (300, 200)), check).status == "passed"


def test_the_html_feedback_names_the_slip(tmp_path):
    """A notebook that feeds the pre-activation on (tests/handwritten's Voraktivierung) gets the error model's
    message in its annotated HTML, next to the task."""
    folder = Path(__file__).resolve().parent / "handwritten" / "nnti-ws2324-sheet7" / "Voraktivierung_5000010"
    run = api.grade([folder], sheet="nnti-ws2324-sheet7", feedback=tmp_path)
    task = next(t for t in run.submissions[0].tasks if t.id == "7.3.c")
    assert task.diagnoses[0] == "pre-activation" and "leaky ReLU is not applied (hidden layer)" in task.message
    html = next(tmp_path.rglob("*.html")).read_text(encoding="utf-8")
    assert "leaky ReLU is not applied (hidden layer)" in html


def test_the_disk_cache_gives_back_what_the_sweep_found(tmp_path, monkeypatch):
    from grader import mutant_cache
    monkeypatch.setenv("NNGRADE_CACHE", str(tmp_path))
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    first = mutant_cache.alternatives(reference_of(rubric.sheet), rubric.given, key)
    assert len(list(tmp_path.glob("mutants-*.npz"))) == 1
    monkeypatch.setattr(mutants, "alternatives", lambda *a, **k: pytest.fail("swept again"))
    second = mutant_cache.alternatives(reference_of(rubric.sheet), rubric.given, key)
    assert first.keys() == second.keys()
    for name in first:
        assert [(a.id, a.message, a.also) for a in first[name]] == [(a.id, a.message, a.also) for a in second[name]]
        for a, b in zip(first[name], second[name]):
            np.testing.assert_array_equal(np.asarray(a.value, dtype=float), b.value)  # nan of an overflow too
    assert any(not np.all(np.isfinite(a.value)) for a in second["7.3.softmax"])
    other = {**rubric.given, "7.2": {**rubric.given["7.2"], "learning_rate": 0.2}}
    assert mutant_cache.content(reference_of(rubric.sheet), other) != mutant_cache.content(reference_of(rubric.sheet), rubric.given)


def test_a_cache_folder_that_cannot_be_written_is_not_used(tmp_path, monkeypatch):
    from grader import mutant_cache
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("NNGRADE_CACHE", str(blocked / "cache"))
    rubric = api.load_rubric("nnti-ws2425-sheet6")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutant_cache.alternatives(reference_of(rubric.sheet), rubric.given, key)
    fresh = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    assert {n: [(a.id, a.message) for a in v] for n, v in found.items()} == \
        {n: [(a.id, a.message) for a in v] for n, v in fresh.items()}
    assert not (blocked / "cache").exists()


def test_hidden_tasks_get_the_slip_without_the_reference_formula():
    slipped = Alternative("flip-sign", "in the sigmoid: the minus in front of `x` is missing", np.array([0.3]),
                          hidden="in the sigmoid: a sign is wrong")
    public = match(np.array([0.3]), np.array([0.7]), 1e-6, 1e-9, reveal=True, alternatives=(slipped,))
    hidden = match(np.array([0.3]), np.array([0.7]), 1e-6, 1e-9, reveal=False, alternatives=(slipped,))
    assert "the minus in front of `x`" in public.message
    assert "a sign is wrong" in hidden.message and "`x`" not in hidden.message and "0.7" not in hidden.message


def test_planted_slips_in_hidden_tasks_quote_no_formula():
    from grader import planted
    sheet = planted.Sheet(api.load_rubric("leuphana-dl-ss24-ex2"), reference_of("leuphana-dl-ss24-ex2"))
    hidden = [p for p in planted.plant_values(sheet, model=True)
              if sheet.rubric.visibility_of(sheet.graded[p.key][1]) == "hidden" and p.outcome.diagnoses]
    formula_slips = [p for p in hidden if p.outcome.diagnoses[0] in ("flip-sign", "drop-term", "drop-factor")]
    quoted = [p.outcome.message for p in formula_slips if "`" in p.outcome.message.split(": ", 1)[-1]]
    assert formula_slips and not quoted


def test_two_slips_at_once_where_few_single_slips_reach_an_entry():
    rubric = api.load_rubric("tuda-sml-ss23-hw4")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    found = mutants.alternatives(reference_of(rubric.sheet), rubric.given, key)
    X, W = key["4.2.probe.X"], key["4.2.probe.W"]
    both = [a for a in found["4.2.probe.model_out"] if a.id == "drop-bias+pre-activation"]
    assert both and np.allclose(both[0].value, X @ W)  # no bias and no softmax: the raw product
    assert both[0].message.startswith("two slips: the bias is left out")


def test_a_right_value_never_waits_for_the_sweep():
    from dataclasses import replace

    from grader.checks import answer
    from grader.known_mistakes import Pending
    from grader.rubric import AnswerCheck
    asked = []
    ctx = Context(key={"k": np.array([1.0, 2.0])}, defaults=Defaults(), reveal=True, sheet="s",
                  answers={"k": [1.0, 2.0]}, mistakes=Pending(lambda: asked.append("k") or {}))
    assert answer.judge(AnswerCheck(kind="answer", key="k"), ctx).status == "passed" and asked == []
    wrong = answer.judge(AnswerCheck(kind="answer", key="k"), replace(ctx, answers={"k": [1.0, 3.0]}))
    assert wrong.status == "failed" and asked  # a wrong value asks for the known mistakes


def test_a_broken_cache_file_is_swept_again_and_rewritten(tmp_path, monkeypatch):
    from grader import mutant_cache
    monkeypatch.setenv("NNGRADE_CACHE", str(tmp_path))
    rubric = api.load_rubric("nnti-ws2425-sheet6")
    key = reference_of(rubric.sheet).answer_key(rubric.given)
    path = tmp_path / f"mutants-{mutant_cache.content(reference_of(rubric.sheet), rubric.given)}.npz"
    path.write_bytes(b"PK\x03\x04 a zip file cut short")
    found = mutant_cache.alternatives(reference_of(rubric.sheet), rubric.given, key)
    assert found and mutant_cache._read(path) is not None  # the sweep's values, written over the broken file
