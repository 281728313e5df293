"""7.2: hand values from the sheet's data, every gradient against central differences."""
import numpy as np
import pytest

from reference import nnti_ws2324_sheet7 as sheet
from reference.common import central_difference
from tests.conftest import rubric_given

GIVEN = rubric_given("nnti-ws2324-sheet7")
KEY = sheet.answer_key(GIVEN)
X = np.array([-1.0, 1.0])
Y = np.array([1.0, 0.0])
WH = np.array([[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]])
WO = np.array([[0.2, 0.5], [-0.35, 0.15], [0.15, -0.2]])


def loss_by_hand(W_hidden, W_out):
    """An independent forward pass: explicit sums, leaky ReLU 0.01, log-sum-exp cross-entropy."""
    z = [sum(X[i] * W_hidden[i, j] for i in range(2)) for j in range(3)]
    h = [v if v > 0 else 0.01 * v for v in z]
    o = [sum(h[j] * W_out[j, k] for j in range(3)) for k in range(2)]
    log_norm = np.log(np.exp(o[0]) + np.exp(o[1]))
    return -(Y[0] * (o[0] - log_norm) + Y[1] * (o[1] - log_norm))


def test_forward_hand_values():
    # z_hidden = W_hidden^T x = (-0.15 + 0.2, 0.25 + 0.1, -0.05 - 0.15)
    np.testing.assert_allclose(KEY["7.2.z_hidden"], [0.05, 0.35, -0.2], atol=1e-12)
    np.testing.assert_allclose(KEY["7.2.h"], [0.05, 0.35, -0.002], atol=1e-12)
    # z_out = W_out^T h = (0.01 - 0.1225 - 0.0003, 0.025 + 0.0525 + 0.0004)
    np.testing.assert_allclose(KEY["7.2.z_out"], [-0.1128, 0.0779], atol=1e-12)
    p1 = 1.0 / (1.0 + np.exp(0.0779 + 0.1128))
    np.testing.assert_allclose(KEY["7.2.p"], [p1, 1 - p1], rtol=1e-12)
    assert KEY["7.2.L1"] == pytest.approx(-np.log(p1), rel=1e-12)
    assert round(KEY["7.2.L1"], 3) == 0.793  # the value quoted for 7.2.L1


def test_given_inputs_are_in_the_key():
    np.testing.assert_array_equal(KEY["7.2.x"], X)
    np.testing.assert_array_equal(KEY["7.2.W_hidden"], WH)
    np.testing.assert_array_equal(KEY["7.2.W_out"], WO)


def test_weight_gradients_match_finite_differences_in_given_orientation():
    num_out = central_difference(lambda W: loss_by_hand(WH, W), WO)
    num_hidden = central_difference(lambda W: loss_by_hand(W, WO), WH)
    assert KEY["7.2.dL_dW_out"].shape == (3, 2)
    assert KEY["7.2.dL_dW_hidden"].shape == (2, 3)
    np.testing.assert_allclose(KEY["7.2.dL_dW_out"], num_out, atol=1e-8)
    np.testing.assert_allclose(KEY["7.2.dL_dW_hidden"], num_hidden, atol=1e-8)


def test_intermediate_gradients_match_finite_differences():
    h = KEY["7.2.h"]
    z_out = KEY["7.2.z_out"]
    ce = lambda o: float(-np.sum(Y * (o - np.log(np.sum(np.exp(o))))))
    np.testing.assert_allclose(KEY["7.2.dL_dz_out"], central_difference(ce, z_out), atol=1e-8)
    np.testing.assert_allclose(KEY["7.2.dL_dh"], central_difference(lambda hh: ce(WO.T @ hh), h), atol=1e-8)
    leaky = lambda z: np.where(z > 0, z, 0.01 * z)
    np.testing.assert_allclose(
        KEY["7.2.dL_dz_hidden"], central_difference(lambda z: ce(WO.T @ leaky(z)), KEY["7.2.z_hidden"]), atol=1e-8
    )


def test_gradient_step_and_second_loss():
    np.testing.assert_allclose(KEY["7.2.W_out_new"], WO - 0.1 * KEY["7.2.dL_dW_out"], atol=1e-15)
    np.testing.assert_allclose(KEY["7.2.W_hidden_new"], WH - 0.1 * KEY["7.2.dL_dW_hidden"], atol=1e-15)
    assert KEY["7.2.L2"] == pytest.approx(loss_by_hand(KEY["7.2.W_hidden_new"], KEY["7.2.W_out_new"]), rel=1e-12)
    assert KEY["7.2.L2"] < KEY["7.2.L1"]
    assert KEY["7.2.loss_decreased"] is True


@pytest.mark.parametrize("shape", [(2,), (2, 1), (1, 2)])
def test_forward_accepts_every_vector_orientation(shape):
    fwd = sheet.forward(X.reshape(shape), WH, WO, 0.01)
    np.testing.assert_allclose(fwd["p"], KEY["7.2.p"], rtol=1e-12)


def test_given_shapes_are_validated():
    bad = dict(GIVEN["7.2"], W_out=[[0.2, 0.5], [-0.35, 0.15]])
    with pytest.raises(ValueError, match="W_out has 2 rows but W_hidden has 3 columns"):
        sheet.answer_key({"7.2": bad})


def test_plain_relu_falls_outside_the_rubric_tolerance():
    """The leaky slope shows only in entries of about 0.002: the rubric's tolerance must tell them apart."""
    from grader.rubric import load
    from tests.conftest import RUBRICS

    rubric = load(RUBRICS / "nnti-ws2324-sheet7.toml")
    relu_key = sheet.answer_key({"7.2": dict(GIVEN["7.2"], alpha=0.0)})
    for task in rubric.tasks:
        for check in task.checks:
            if check.kind == "answer" and check.key in ("7.2.h", "7.2.dL_dz_hidden", "7.2.dL_dW_out", "7.2.dL_dW_hidden"):
                rtol = check.rtol if check.rtol is not None else rubric.defaults.answer_rtol
                atol = check.atol if check.atol is not None else rubric.defaults.answer_atol
                assert not np.allclose(relu_key[check.key], KEY[check.key], rtol=rtol, atol=atol), check.key
                rounded = np.round(KEY[check.key], 3)  # a careful hand answer still passes
                assert np.allclose(rounded, KEY[check.key], rtol=rtol, atol=atol), check.key
