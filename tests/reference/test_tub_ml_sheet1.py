"""TU Berlin sheet 1: every derived formula against central differences of the forward definitions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import tub_ml_sheet1 as sheet
from reference.common import central_difference
from reference.formula import sample_point
from tests.conftest import rubric_given

KEY = sheet.answer_key(rubric_given("tub-ml-sheet1"))
floats = st.floats(-5, 5, allow_nan=False)


def nll(mu, t, sigma):
    """-log p(t; mu) written from the density on the sheet."""
    return -np.log(np.exp(-abs(t - mu) / sigma) / (2 * sigma))


@settings(max_examples=60, deadline=None)
@given(mu=floats, t=floats, sigma=st.floats(0.1, 5))
def test_laplace_gradient_mu(mu, t, sigma):
    if abs(mu - t) < 1e-3:
        return  # the kink: no derivative there
    numeric = central_difference(lambda m: nll(m[0], t, sigma), np.array([mu]), eps=1e-6)[0]
    assert sheet.laplace_nll_grad_mu(mu, t, sigma) == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    assert sheet.laplace_nll(mu, t, sigma) == pytest.approx(nll(mu, t, sigma), rel=1e-12)


def test_laplace_gradient_w_chain_rule():
    rng = np.random.default_rng(1)
    for _ in range(20):
        w, x = rng.normal(size=4), rng.normal(size=4)
        t, sigma = rng.normal(), rng.uniform(0.2, 2)
        if abs(w @ x - t) < 1e-3:
            continue
        numeric = central_difference(lambda ww: nll(ww @ x, t, sigma), w)
        np.testing.assert_allclose(sheet.laplace_nll_grad_w(w, x, t, sigma), numeric, rtol=1e-5, atol=1e-7)


def test_shared_parameter_gradients():
    rng = np.random.default_rng(2)
    for _ in range(20):
        x1, x2, t, v = rng.normal(size=4)
        w = np.array([rng.normal(), rng.normal()])
        loss = lambda ww: 0.5 * (0.5 * (x1 * ww[0]) ** 2 + 0.5 * (x2 * ww[1]) ** 2 - t) ** 2
        g13, g24 = central_difference(loss, w)
        assert sheet.shared_grad_w13(x1, x2, w[0], w[1], t) == pytest.approx(g13, rel=1e-5, abs=1e-8)
        assert sheet.shared_grad_w24(x1, x2, w[0], w[1], t) == pytest.approx(g24, rel=1e-5, abs=1e-8)
        via_v = lambda vv: loss(np.array([np.log1p(np.exp(vv[0])), -np.log1p(np.exp(-vv[0]))]))
        numeric_v = central_difference(via_v, np.array([v]))[0]
        assert sheet.shared_grad_v(x1, x2, v, t) == pytest.approx(numeric_v, rel=1e-5, abs=1e-8)


def test_w24_is_minus_softplus_of_minus_v_and_stable():
    assert sheet.w13_of_v(0.0) == pytest.approx(np.log(2))
    assert sheet.w24_of_v(0.0) == pytest.approx(-np.log(2))
    assert np.isfinite(sheet.w13_of_v(1000.0)) and sheet.w13_of_v(1000.0) == pytest.approx(1000.0)
    assert sheet.w24_of_v(-1000.0) == pytest.approx(-1000.0)


@pytest.mark.parametrize("d,h", [(1, 1), (3, 2), (5, 7)])
def test_layer_relations_against_the_layer_itself(d, h):
    """l = c . a^(l+1) for a fixed c, so dl/da^(l+1) = c; check (a) and (b) by differencing the layer."""
    rng = np.random.default_rng(d * 10 + h)
    a_prev, W, b, c = rng.normal(size=d), rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=h)
    a_next = sheet.layer_forward(a_prev, W, b)
    loss_of_z = lambda z: float(c @ (1 / (1 + np.exp(-z))))
    z = a_prev @ W + b
    np.testing.assert_allclose(sheet.dl_dz(a_next, c), central_difference(loss_of_z, z), rtol=1e-6, atol=1e-9)
    loss_of_a = lambda a: loss_of_z(a @ W + b)
    np.testing.assert_allclose(sheet.dl_da_prev(W, a_next, c), central_difference(loss_of_a, a_prev), rtol=1e-6, atol=1e-9)


def test_formulas_are_finite_on_their_sample_domain():
    rng = np.random.default_rng(3)
    for name, formula in sheet.FORMULAS.items():
        for _ in range(5):
            point = sample_point(formula, rng)
            value = formula(**point)
            assert np.all(np.isfinite(value)), name


def test_key_sample_values_follow_from_given():
    given = rubric_given("tub-ml-sheet1")
    g1 = given["1"]
    mu = float(np.dot(g1["w"], g1["x"]))  # 0.5 - 0.5 - 0.5
    assert KEY["1.sample.mu"] == pytest.approx(-0.5)
    assert KEY["1.sample.dl_dmu"] == pytest.approx(-1 / 0.5)  # mu < t
    np.testing.assert_allclose(KEY["1.sample.dl_dw"], -2.0 * np.array(g1["x"]))
    assert KEY["1.sample.nll"] == pytest.approx(nll(mu, 1.0, 0.5))
    assert KEY["1.a.dl_dmu"] == "sign(mu - t) / sigma"
    assert KEY["2.sample.w13"] + (-KEY["2.sample.w24"]) == pytest.approx(
        np.log1p(np.exp(0.3)) + np.log1p(np.exp(-0.3))
    )


def test_given_checks_report_mismatched_sizes():
    given = rubric_given("tub-ml-sheet1")
    with pytest.raises(ValueError, match="w has 3 entries but x has 2"):
        sheet.answer_key(dict(given, **{"1": dict(given["1"], x=[1.0, 2.0])}))
