"""Sheet 6: identities on wide inputs, properties that catch wrong functions, the tanh network, 6.3."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reference import common
from reference import nnti_ws2425_sheet6 as sheet
from reference.properties import evaluate, holds, violation
from tests.conftest import rubric_given

KEY = sheet.answer_key(rubric_given("nnti-ws2425-sheet6"))
wide = st.floats(-700, 700, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(x=wide)
def test_identities_hold_over_a_wide_range(x):
    s = lambda v: float(common.sigmoid(np.array([v]))[0])
    assert s(-x) == pytest.approx(1 - s(x), abs=1e-15)
    assert float(np.tanh(x)) == pytest.approx(2 * s(2 * x) - 1, abs=1e-15)
    d = float(common.sigmoid_derivative(np.array([x]))[0])
    assert d == pytest.approx(s(-x) * s(x), rel=1e-12, abs=1e-300)
    assert 0 <= d <= 0.25
    td = float(common.tanh_derivative(np.array([x]))[0])
    assert td == pytest.approx(4 * (1 - s(2 * x)) * s(2 * x), abs=1e-14)  # 1 - tanh^2 cancels
    assert 0 <= td <= 1


@settings(max_examples=100, deadline=None)
@given(y=arrays(np.float64, st.integers(2, 8), elements=st.floats(-50, 50)), c=st.floats(-1000, 1000))
def test_softmax_is_shift_invariant_and_finite(y, c):
    np.testing.assert_allclose(common.softmax(y + c), common.softmax(y), atol=1e-12)
    assert common.softmax(y + 1000).sum() == pytest.approx(1.0)


def test_every_property_holds_for_the_reference_functions():
    rng = np.random.default_rng(0)
    for name, prop in sheet.PROPERTIES.items():
        assert holds(prop, sheet.FUNCTIONS, rng), name


def naive_softmax(x):
    e = np.exp(np.asarray(x, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)


WRONG = {
    # name of the property -> a replacement function that must break it
    "sigmoid_symmetry": {"sigmoid": lambda x: 1 / (1 + np.exp(-np.abs(x)))},  # sigma(2x) would still be symmetric
    "tanh_via_sigmoid": {"tanh": lambda x: np.tanh(2 * np.asarray(x))},
    "sigmoid_derivative_identity": {"sigmoid_derivative": common.sigmoid},
    "tanh_derivative_identity": {"tanh_derivative": lambda x: 1 - np.tanh(x)},
    "sigmoid_derivative_bounds": {"sigmoid_derivative": lambda x: 2 * common.sigmoid_derivative(x)},
    "tanh_derivative_bounds": {"tanh_derivative": lambda x: 1 - np.tanh(x)},
    "softmax_sums_to_one": {"softmax": lambda x: np.exp(x) / np.exp(x).sum()},  # normalised over the whole batch
    "softmax_shift_invariance": {"softmax": naive_softmax},  # overflows at +1000
    "softmax_no_overflow": {"softmax": naive_softmax},
}


@pytest.mark.parametrize("name", sorted(sheet.PROPERTIES))
def test_each_property_catches_a_wrong_function(name):
    prop = sheet.PROPERTIES[name]
    functions = dict(sheet.FUNCTIONS, **WRONG[name])
    assert not holds(prop, functions, np.random.default_rng(1))


def test_strict_lower_bound_is_violated_by_a_zero_derivative():
    prop = sheet.PROPERTIES["sigmoid_derivative_bounds"]
    assert violation(prop, np.zeros(3), [np.array([0.1, 0.0, 0.2])]) > prop.tol


def test_violation_is_infinite_for_nonfinite_or_misshaped_outputs():
    prop = sheet.PROPERTIES["sigmoid_symmetry"]
    x = np.array([0.0, 1.0])
    assert violation(prop, x, [np.array([0.5, np.nan]), np.array([0.5, 0.2])]) == float("inf")
    assert violation(prop, x, [np.array([0.5, 0.7, 0.1]), np.array([0.5, 0.2])]) == float("inf")


def test_sigmoid_derivative_at_zero_is_a_quarter():
    assert evaluate(sheet.PROPERTIES["sigmoid_derivative_bounds"], sheet.FUNCTIONS, np.array([0.0])) == 0.0
    assert common.sigmoid_derivative(np.array([0.0]))[0] == 0.25


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), D=st.integers(1, 5), M=st.integers(1, 6), K=st.integers(1, 3))
def test_tanh_network_computes_the_same_function(seed, D, M, K):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(scale=3, size=(M, D)), rng.normal(size=M)
    W2, b2 = rng.normal(scale=3, size=(K, M)), rng.normal(size=K)
    tanh_params = sheet.sigmoid_to_tanh(W1, b1, W2, b2)
    for x in rng.normal(scale=2, size=(5, D)):
        np.testing.assert_allclose(
            sheet.tanh_network(x, **tanh_params), sheet.sigmoid_network(x, W1, b1, W2, b2), rtol=1e-12, atol=1e-14
        )


def test_forward_63_hand_values():
    # x = (1, 2, 1): z1 = (2 + 2 - 2, -1 - 6 + 5) = (2, -2); h = (2, 0); z2 = (2*6, 2*2) = (12, 4)
    np.testing.assert_allclose(KEY["6.3.z1"], [2.0, -2.0])
    np.testing.assert_allclose(KEY["6.3.h"], [2.0, 0.0])
    np.testing.assert_allclose(KEY["6.3.z2"], [12.0, 4.0])
    np.testing.assert_allclose(KEY["6.3.o"], [1 / (1 + np.exp(-8)), 1 / (1 + np.exp(8))], rtol=1e-12)
    assert KEY["6.3.predicted_class"] == 0
    # forgetting the ReLU changes the output beyond any hand-rounding tolerance
    z2_linear = np.array([2.0, -2.0]) @ np.array([[6.0, 2.0], [-1.0, 8.0]])
    assert not np.allclose(z2_linear, KEY["6.3.z2"], rtol=0.02, atol=0.006)


def test_forward_on_a_batch_of_rows_and_relu_cut():
    W1 = np.array([[2.0, -1.0], [1.0, -3.0], [-2.0, 5.0]])
    W2 = np.array([[6.0, 2.0], [-1.0, 8.0]])
    x = np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])  # second row: z1 = (2, -1) -> h = (2, 0)
    out = sheet.forward(x, W1, W2)
    np.testing.assert_allclose(out["h"][1], [2.0, 0.0])
    np.testing.assert_allclose(out["z2"][1], [12.0, 4.0])
    np.testing.assert_allclose(out["o"].sum(axis=1), [1.0, 1.0])


def test_scenarios_name_an_output_and_a_loss():
    assert KEY["6.2.a.output"] == "sigmoid" and KEY["6.2.a.loss"] == "binary cross-entropy"
    assert KEY["6.2.b.output"] == "softmax"
    assert KEY["6.2.c.loss"] == "mean squared error"
    assert KEY["6.2.d.output"] == "sigmoid"  # multi-label: one sigmoid per tag


def _judged(name, functions):
    """The property judge on outputs the given (trusted) functions make, as the child would report them."""
    from grader.checks import property as property_check
    from grader.rubric import PropertyCheck
    from tests.checks.helpers import context, job

    prop = sheet.PROPERTIES[name]
    x = prop.inputs(np.random.default_rng(2))
    with np.errstate(all="ignore"):
        observed = {f"out{i}": np.asarray(functions[f](arg), dtype=float) for i, (f, arg) in enumerate(prop.calls(x))}
    check = PropertyCheck(kind="property", file="activations.py", property=name)
    return property_check.judge(check, context(sheet=sheet.SHEET_ID, job=job(observed), property_input=x))


@pytest.mark.parametrize("name", ["softmax_shift_invariance", "softmax_no_overflow"])
def test_an_overflowing_softmax_is_named(name):
    outcome = _judged(name, dict(sheet.FUNCTIONS, softmax=naive_softmax))
    assert outcome.status == "failed" and outcome.diagnoses == ("softmax-overflow",) and "maximum" in outcome.message


def test_a_softmax_over_the_columns_is_named():
    columns = lambda x: np.exp(x - x.max(axis=0)) / np.exp(x - x.max(axis=0)).sum(axis=0)
    outcome = _judged("softmax_sums_to_one", dict(sheet.FUNCTIONS, softmax=columns))
    assert outcome.status == "failed" and outcome.diagnoses == ("softmax-wrong-axis",)


def test_a_softmax_over_the_whole_batch_is_named_by_the_error_model():
    whole_batch = WRONG["softmax_sums_to_one"]["softmax"]  # neither listed slip: the error model's wrong axis
    outcome = _judged("softmax_sums_to_one", dict(sheet.FUNCTIONS, softmax=whole_batch))
    assert outcome.status == "failed" and outcome.diagnoses == ("wrong-axis",)
    assert "sum over the whole array" in outcome.message


def test_other_softmax_violations_and_right_functions_get_no_softmax_diagnosis():
    smoothed = lambda x: (lambda e: e / (e.sum(axis=-1, keepdims=True) + 1.0))(np.exp(x - x.max(axis=-1, keepdims=True)))
    outcome = _judged("softmax_sums_to_one", dict(sheet.FUNCTIONS, softmax=smoothed))
    assert outcome.status == "failed" and outcome.diagnoses == ()
    for name in ("softmax_sums_to_one", "softmax_shift_invariance", "softmax_no_overflow"):
        outcome = _judged(name, sheet.FUNCTIONS)
        assert outcome.status == "passed" and outcome.diagnoses == ()
