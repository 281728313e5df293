"""Tests for reference.tuda_sml_ss23_hw4 (softmax / cross-entropy / tanh; the NN framework).

Every expected value is derived independently of the code under test: central
finite differences of forward passes, explicit loops, identities, or hand values.
"""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

from functools import partial

import numpy as np

from reference.common import central_difference as fd_gradient
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference import common
from reference import tuda_sml_ss23_hw4 as hw4
from reference.formula import sample_point

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "tuda-sml-ss23-hw4.toml"
N_POINTS = 8


# --------------------------------------------------------------------------- helpers


def fd_jacobian(f, x, eps=1e-6):
    """J[i, j] = d f_i / d x_j for a vector function f of a vector x."""
    x = np.array(x, dtype=np.float64)
    m = np.asarray(f(x)).size
    J = np.zeros((m, x.size))
    for j in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus[j] += eps
        minus[j] -= eps
        J[:, j] = (np.asarray(f(plus)).ravel() - np.asarray(f(minus)).ravel()) / (2.0 * eps)
    return J


def my_softmax(x):
    """Plain textbook softmax written here (no shift), for moderate inputs only."""
    e = np.exp(np.asarray(x, dtype=np.float64))
    return e / e.sum(axis=-1, keepdims=True)


def set_params(module, W=None, b=None):
    if W is not None:
        module.W = np.array(W, dtype=np.float64)
    if b is not None:
        module.b = np.array(b, dtype=np.float64)


@pytest.fixture(scope="module")
def given_data():
    with RUBRIC.open("rb") as fh:
        return tomllib.load(fh)["given"]


@pytest.fixture(scope="module")
def key(given_data):
    return hw4.answer_key(given_data)


# --------------------------------------------------------------------------- 4.1 formulas


def test_formula_keys_present():
    assert set(hw4.FORMULAS) == {"4.1.a.jacobian", "4.1.b.z", "4.1.d.jacobian", "4.1.e.derivative"}


@pytest.mark.parametrize("seed", range(N_POINTS))
def test_41a_softmax_jacobian_matches_fd(seed):
    formula = hw4.FORMULAS["4.1.a.jacobian"]
    rng = np.random.default_rng(seed)
    s_point = sample_point(formula, rng)["s"]
    # logits whose softmax is exactly the sampled simplex point ...
    x_from_s = np.log(s_point)
    # ... and fresh random logits
    x_random = rng.normal(scale=2.0, size=s_point.size)
    for x in (x_from_s, x_random):
        s = my_softmax(x)
        J_fd = fd_jacobian(my_softmax, x)
        J = formula(s=s)
        assert J.shape == (s.size, s.size)
        np.testing.assert_allclose(J, J_fd, atol=1e-8)
    np.testing.assert_allclose(my_softmax(x_from_s), s_point, atol=1e-12)


def test_41a_softmax_jacobian_hand_value():
    # s = (1/2, 1/2): J = [[1/4, -1/4], [-1/4, 1/4]]
    J = hw4.FORMULAS["4.1.a.jacobian"](s=np.array([0.5, 0.5]))
    np.testing.assert_allclose(J, [[0.25, -0.25], [-0.25, 0.25]])


@pytest.mark.parametrize("seed", range(N_POINTS))
def test_41b_backward_equals_v_times_fd_jacobian(seed):
    formula = hw4.FORMULAS["4.1.b.z"]
    rng = np.random.default_rng(100 + seed)
    point = sample_point(formula, rng)
    v, s = point["v"], point["s"]
    x = np.log(s)
    J_fd = fd_jacobian(my_softmax, x)  # J[i, j] = d s_i / d x_j
    expected = np.array([sum(v[i] * J_fd[i, j] for i in range(v.size)) for j in range(v.size)])
    np.testing.assert_allclose(formula(v=v, s=s), expected, atol=1e-8)


@pytest.mark.parametrize("seed", range(N_POINTS))
def test_41d_cross_entropy_jacobian_matches_fd(seed):
    formula = hw4.FORMULAS["4.1.d.jacobian"]
    rng = np.random.default_rng(200 + seed)
    point = sample_point(formula, rng)
    z, t = point["z"], point["t"]

    def loss(zz):
        return -sum(t[i] * math.log(zz[i]) for i in range(t.size))

    np.testing.assert_allclose(formula(z=z, t=t), fd_gradient(loss, z, eps=1e-7), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("seed", range(N_POINTS))
def test_41e_tanh_derivative_matches_fd(seed):
    formula = hw4.FORMULAS["4.1.e.derivative"]
    rng = np.random.default_rng(300 + seed)
    x = sample_point(formula, rng)["x"]
    expected = (math.tanh(float(x) + 1e-6) - math.tanh(float(x) - 1e-6)) / 2e-6
    np.testing.assert_allclose(formula(x=x), expected, atol=1e-9)


def test_41e_tanh_derivative_hand_values():
    f = hw4.FORMULAS["4.1.e.derivative"]
    assert float(f(x=np.array(0.0))) == pytest.approx(1.0)
    # 1 - tanh^2 = 1 / cosh^2
    for x in (-2.5, -0.3, 1.0, 4.0):
        assert float(f(x=np.array(x))) == pytest.approx(1.0 / math.cosh(x) ** 2, rel=1e-12)


def test_41_formula_texts_are_strings(key):
    for name, formula in hw4.FORMULAS.items():
        assert key[name] == formula.text
        assert isinstance(formula.text, str) and formula.text


# 4.1.c: shift invariance, also for huge inputs

vectors = st.lists(st.floats(-1000.0, 1000.0, allow_nan=False), min_size=1, max_size=8).map(np.array)


@settings(max_examples=60, deadline=None)
@given(x=vectors, c=st.floats(-1000.0, 1000.0, allow_nan=False))
@example(x=np.array([1000.0, 999.0, -1000.0]), c=1000.0)
@example(x=np.array([1000.0, 999.0, -1000.0]), c=-1000.0)
@example(x=np.array([-1000.0, -1000.0]), c=-1000.0)
@example(x=np.array([0.0, 1.0, 2.0]), c=1000.0)
def test_41c_softmax_shift_invariance(x, c):
    s = common.softmax(x)
    s_shifted = common.softmax(x + c)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(s_shifted))
    assert np.all(s >= 0.0)
    assert s.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(s_shifted, s, atol=1e-9)
    # the framework's module uses the same stable softmax
    out = hw4.SoftMaxModule().fprop((x + c)[None, :])
    np.testing.assert_allclose(out[0], s, atol=1e-9)


def test_41c_softmax_large_entries_hand_values():
    np.testing.assert_allclose(common.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
    np.testing.assert_allclose(common.softmax(np.array([1000.0, 0.0])), [1.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(common.softmax(np.array([-1000.0, -1000.0 + math.log(3.0)])), [0.25, 0.75])
    np.testing.assert_allclose(hw4.SoftMaxModule().fprop(np.array([[1000.0, 1000.0 + math.log(3.0)]])), [[0.25, 0.75]])


# --------------------------------------------------------------------------- 4.2 LinearModule


def make_linear(d, c, seed=0):
    lin = hw4.LinearModule(d, c, rng=np.random.default_rng(seed))
    lin.initialize_parameters()  # as the handout: the constructor leaves W and b as None
    return lin


def test_linear_fprop_matches_loops():
    rng = np.random.default_rng(1)
    n, d, c = 4, 3, 5
    lin = make_linear(d, c)
    W, b, X = rng.normal(size=(d, c)), rng.normal(size=c), rng.normal(size=(n, d))
    set_params(lin, W, b)
    out = lin.fprop(X)
    assert out.shape == (n, c)
    for i in range(n):
        for j in range(c):
            expected = b[j]
            for k in range(d):
                expected += X[i, k] * W[k, j]
            assert out[i, j] == pytest.approx(expected, abs=1e-12)


def test_linear_batch_gradients_match_fd():
    rng = np.random.default_rng(2)
    n, d, c = 5, 4, 3
    lin = make_linear(d, c)
    W, b, X, G = rng.normal(size=(d, c)), rng.normal(size=c), rng.normal(size=(n, d)), rng.normal(size=(n, c))

    def f_W(WW):
        set_params(lin, WW, b)
        return float(np.sum(G * lin.fprop(X)))

    def f_b(bb):
        set_params(lin, W, bb)
        return float(np.sum(G * lin.fprop(X)))

    dW_fd, db_fd = fd_gradient(f_W, W), fd_gradient(f_b, b)
    set_params(lin, W, b)
    lin.fprop(X)
    dW, db = lin.get_batch_gradient_parameters(G)
    assert np.shape(dW) == (d, c) and np.shape(db) == (c,)
    np.testing.assert_allclose(dW, dW_fd, atol=1e-7)
    np.testing.assert_allclose(db, db_fd, atol=1e-7)
    # summed, not averaged, over the batch: db is the column sum of G (a hand identity)
    np.testing.assert_allclose(db, [sum(G[i, j] for i in range(n)) for j in range(c)])


def test_linear_bprop_matches_fd():
    rng = np.random.default_rng(3)
    n, d, c = 5, 4, 3
    lin = make_linear(d, c)
    W, b, X, G = rng.normal(size=(d, c)), rng.normal(size=c), rng.normal(size=(n, d)), rng.normal(size=(n, c))
    set_params(lin, W, b)
    expected = fd_gradient(lambda XX: float(np.sum(G * lin.fprop(XX))), X)
    lin.fprop(X)
    back = lin.bprop(G)
    assert back.shape == (n, d)
    np.testing.assert_allclose(back, expected, atol=1e-7)


@pytest.mark.parametrize(("d", "c", "seed"), [(300, 200, 0), (784, 10, 1), (64, 200, 2)])
def test_linear_initialisation_is_glorot_uniform(d, c, seed):
    lin = make_linear(d, c, seed)
    W, b = np.asarray(lin.W), np.asarray(lin.b)
    assert W.shape == (d, c)
    assert b.shape == (c,)
    assert np.all(b == 0.0)
    a = math.sqrt(6.0 / (d + c))
    assert np.all(np.abs(W) <= a)
    n = W.size
    var = 2.0 / (d + c)  # = a^2 / 3
    # standard errors of the sample mean and sample variance of U(-a, a)
    se_mean = math.sqrt(var / n)
    se_var = math.sqrt((a**4 / 5.0 - var**2) / n)
    assert abs(W.mean()) < 6 * se_mean
    assert abs(W.var() - var) < 6 * se_var
    # a uniform spreads out to the bound (not e.g. a clipped normal centred near 0)
    assert np.abs(W).max() > 0.95 * a


def test_linear_initialisation_uses_rng_and_default_rng_works():
    a = make_linear(10, 7, seed=5).W
    b = make_linear(10, 7, seed=5).W
    c = make_linear(10, 7, seed=6).W
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    lin = hw4.LinearModule(10, 7)  # no rng given
    assert lin.W is None and lin.b is None  # the handout's constructor creates no parameters
    lin.initialize_parameters()
    assert lin.W.shape == (10, 7) and np.all(lin.b == 0)


def test_linear_apply_parameter_updates():
    lin = make_linear(2, 2)
    set_params(lin, [[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5])
    lin.apply_parameter_updates((np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([2.0, 2.0])), partial(hw4.gradient_descent, learning_rate=0.5))
    np.testing.assert_allclose(lin.W, [[0.5, 2.0], [3.0, 3.5]])
    np.testing.assert_allclose(lin.b, [-0.5, -1.5])


# --------------------------------------------------------------------------- 4.2 SoftMax, Tanh, CrossEntropy


def test_softmax_module_fprop_rows():
    Z = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [math.log(2.0), 0.0, math.log(5.0)]])
    out = hw4.SoftMaxModule().fprop(Z)
    np.testing.assert_allclose(out[0], [1 / 3, 1 / 3, 1 / 3])
    e = [math.e, math.e**2, math.e**3]
    np.testing.assert_allclose(out[1], [v / sum(e) for v in e])
    np.testing.assert_allclose(out[2], [2 / 8, 1 / 8, 5 / 8])


@pytest.mark.parametrize("seed", range(3))
def test_softmax_module_bprop_matches_fd(seed):
    rng = np.random.default_rng(10 + seed)
    Z, G = rng.normal(scale=2.0, size=(4, 5)), rng.normal(size=(4, 5))
    sm = hw4.SoftMaxModule()
    expected = fd_gradient(lambda ZZ: float(np.sum(G * hw4.SoftMaxModule().fprop(ZZ))), Z)
    sm.fprop(Z)
    back = sm.bprop(G)
    assert back.shape == Z.shape
    np.testing.assert_allclose(back, expected, atol=1e-8)
    # row-wise: each row depends only on its own row of Z (row 0 against a one-row batch)
    one = hw4.SoftMaxModule()
    one.fprop(Z[:1])
    np.testing.assert_allclose(one.bprop(G[:1])[0], back[0], atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_tanh_module_fprop_bprop(seed):
    rng = np.random.default_rng(20 + seed)
    Z, G = rng.normal(scale=2.0, size=(4, 3)), rng.normal(size=(4, 3))
    th = hw4.TanhModule()
    expected = fd_gradient(lambda ZZ: float(np.sum(G * hw4.TanhModule().fprop(ZZ))), Z)
    out = th.fprop(Z)
    np.testing.assert_allclose(out, [[math.tanh(v) for v in row] for row in Z])
    np.testing.assert_allclose(th.bprop(G), expected, atol=1e-8)


def test_parameter_free_modules_have_no_gradients():
    for module in (hw4.SoftMaxModule(), hw4.TanhModule()):
        module.fprop(np.ones((2, 3)))
        assert module.get_batch_gradient_parameters(np.ones((2, 3))) is None
        module.apply_parameter_updates(None, partial(hw4.gradient_descent, learning_rate=1.0))  # must not fail


def test_cross_entropy_loss_hand_example():
    ce = hw4.CrossEntropyLoss()
    T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    P = np.array([[0.2, 0.5, 0.3], [0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
    ce.set_target_values(T)
    loss = np.asarray(ce.calculate_loss(P))
    assert loss.shape == (3,)  # one loss per sample
    np.testing.assert_allclose(loss, [math.log(2.0), math.log(4.0), 1.5 * math.log(2.0)])
    grad = ce.calculate_loss_gradient()
    np.testing.assert_allclose(grad, [[0, -2.0, 0], [-4.0, 0, 0], [-1.0, -2.0, 0.0]])


@pytest.mark.parametrize("seed", range(3))
def test_cross_entropy_gradient_matches_fd(seed):
    rng = np.random.default_rng(30 + seed)
    n, c = 4, 5
    P = my_softmax(rng.normal(size=(n, c)))
    T = my_softmax(rng.normal(size=(n, c))) if seed == 2 else np.eye(c)[rng.integers(0, c, size=n)]
    ce = hw4.CrossEntropyLoss()
    ce.set_target_values(T)

    def total(PP):
        fresh = hw4.CrossEntropyLoss()
        fresh.set_target_values(T)
        return float(np.sum(fresh.calculate_loss(PP)))

    expected = fd_gradient(total, P, eps=1e-7)
    ce.calculate_loss(P)
    np.testing.assert_allclose(ce.calculate_loss_gradient(), expected, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------- 4.2 NNModel


def deep_specs(d, h, c, seed):
    rng = np.random.default_rng(seed)
    return [
        (hw4.LinearModule, {"number_input_neurons": d, "number_output_neurons": h, "rng": rng}),
        (hw4.TanhModule, {}),
        (hw4.LinearModule, {"number_input_neurons": h, "number_output_neurons": c, "rng": rng}),
        (hw4.SoftMaxModule, {}),
    ]


def built(specs):
    model = hw4.NNModel(specs)
    model.initialize_neural_network()
    return model


def test_nnmodel_builds_modules_from_specifications_and_initialises_on_request():
    specs = deep_specs(4, 6, 3, 0)
    model = hw4.NNModel(specs)
    kinds = [type(m) for m in model.nn_modules]
    assert kinds == [hw4.LinearModule, hw4.TanhModule, hw4.LinearModule, hw4.SoftMaxModule]
    assert model.nn_modules[0].W is None and model.bprop_buffer == {}  # the handout's constructor
    model.initialize_neural_network()
    assert model.nn_modules[0].W.shape == (4, 6) and model.nn_modules[2].W.shape == (6, 3)
    other = hw4.NNModel(specs)
    assert all(a is not b for a, b in zip(model.nn_modules, other.nn_modules))
    with pytest.raises(TypeError):
        hw4.NNModel([(dict, {})])


def test_nnmodel_fprop_is_composition():
    rng = np.random.default_rng(40)
    model = built(deep_specs(4, 6, 3, 1))
    X = rng.normal(size=(5, 4))
    W1, b1, W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 3)), rng.normal(size=3)
    set_params(model.nn_modules[0], W1, b1)
    set_params(model.nn_modules[2], W2, b2)
    expected = my_softmax(np.tanh(X @ W1 + b1) @ W2 + b2)
    np.testing.assert_allclose(model.fprop(X), expected, atol=1e-12)


def test_nnmodel_bprop_gradients_match_fd_and_update():
    rng = np.random.default_rng(41)
    n, d, h, c = 6, 4, 5, 3
    model = built(deep_specs(d, h, c, 2))
    X = rng.normal(size=(n, d))
    T = np.eye(c)[rng.integers(0, c, size=n)]
    loss = hw4.CrossEntropyLoss()
    loss.set_target_values(T)
    params = {i: (model.nn_modules[i].W.copy(), model.nn_modules[i].b.copy()) for i in (0, 2)}

    def total_loss():
        fresh = hw4.CrossEntropyLoss()
        fresh.set_target_values(T)
        return float(np.sum(fresh.calculate_loss(model.fprop(X))))

    expected = {}
    for i in (0, 2):
        W, b = params[i]

        def f_W(WW, i=i, b=b):
            set_params(model.nn_modules[i], WW, b)
            return total_loss()

        def f_b(bb, i=i, W=W):
            set_params(model.nn_modules[i], W, bb)
            return total_loss()

        expected[i] = (fd_gradient(f_W, W), fd_gradient(f_b, b))
        set_params(model.nn_modules[i], W, b)

    loss.calculate_loss(model.fprop(X))
    assert model.bprop(loss.calculate_loss_gradient()) is None
    assert sorted(model.bprop_buffer) == [0, 1, 2, 3]
    assert model.bprop_buffer[1] is None and model.bprop_buffer[3] is None
    for i in (0, 2):
        dW, db = model.bprop_buffer[i]
        np.testing.assert_allclose(dW, expected[i][0], atol=1e-6)
        np.testing.assert_allclose(db, expected[i][1], atol=1e-6)

    lr = 0.1
    before = total_loss()
    model.update_internal_parameters(partial(hw4.gradient_descent, learning_rate=lr))
    for i in (0, 2):
        np.testing.assert_allclose(model.nn_modules[i].W, params[i][0] - lr * expected[i][0], atol=1e-7)
        np.testing.assert_allclose(model.nn_modules[i].b, params[i][1] - lr * expected[i][1], atol=1e-7)
    assert total_loss() < before  # a small step along -grad lowers the loss


def test_gradient_descent_hand_value():
    step = partial(hw4.gradient_descent, learning_rate=0.25)
    np.testing.assert_allclose(step(np.array([1.0, -2.0]), np.array([4.0, 8.0])), [0.0, -4.0])


def test_classification_accuracy_hand_value():
    P = np.array([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6], [0.7, 0.3]])
    T = np.array([[0, 1], [1, 0], [1, 0], [1, 0]])
    assert hw4.classification_accuracy(P, T) == pytest.approx(0.75)


def test_training42_validation():
    with pytest.raises(ValueError):
        hw4.Training42(epochs=0)
    with pytest.raises(ValueError):
        hw4.Training42(learning_rate=0.0)
    with pytest.raises(ValueError):
        hw4.Training42(typo_field=1)


# --------------------------------------------------------------------------- answer key: probe entries


def test_probe_inputs_shapes(key, given_data):
    g = given_data["4.2"]
    n, d, c = g["probe_batch"], g["probe_in"], g["probe_out"]
    X, W, b = np.array(key["4.2.probe.X"]), np.array(key["4.2.probe.W"]), np.array(key["4.2.probe.b"])
    G, Z, T = np.array(key["4.2.probe.G"]), np.array(key["4.2.probe.Z"]), np.array(key["4.2.probe.T"])
    assert X.shape == (n, d) and W.shape == (d, c) and b.shape == (c,)
    assert G.shape == (n, c) and Z.shape == (n, c) and T.shape == (n, c)
    assert set(np.unique(T)) <= {0.0, 1.0} and np.all(T.sum(axis=1) == 1)


def test_probe_linear(key):
    X, W, b, G = (np.array(key[f"4.2.probe.{k}"]) for k in "XWbG")
    np.testing.assert_allclose(key["4.2.probe.linear_out"], np.einsum("nd,dc->nc", X, W) + b, atol=1e-12)
    dW = sum(np.outer(X[i], G[i]) for i in range(len(X)))
    np.testing.assert_allclose(key["4.2.probe.linear_dW"], dW, atol=1e-12)
    np.testing.assert_allclose(key["4.2.probe.linear_db"], G.sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(key["4.2.probe.linear_back"], np.einsum("nc,dc->nd", G, W), atol=1e-12)


def test_probe_softmax(key):
    Z, G = np.array(key["4.2.probe.Z"]), np.array(key["4.2.probe.G"])
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(key["4.2.probe.softmax_out"], P, atol=1e-12)
    back = np.array([G[i] @ (np.diag(P[i]) - np.outer(P[i], P[i])) for i in range(len(P))])
    np.testing.assert_allclose(key["4.2.probe.softmax_back"], back, atol=1e-12)


def test_probe_tanh(key):
    Z, G = np.array(key["4.2.probe.Z"]), np.array(key["4.2.probe.G"])
    np.testing.assert_allclose(key["4.2.probe.tanh_out"], np.sinh(Z) / np.cosh(Z), atol=1e-12)
    np.testing.assert_allclose(key["4.2.probe.tanh_back"], G / np.cosh(Z) ** 2, atol=1e-12)


def test_probe_cross_entropy(key):
    Z, T = np.array(key["4.2.probe.Z"]), np.array(key["4.2.probe.T"])
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    labels = T.argmax(axis=1)
    # one-hot targets: the loss is -ln of the probability of the true class
    loss = np.array([-math.log(P[i, labels[i]]) for i in range(len(P))])
    np.testing.assert_allclose(key["4.2.probe.ce_loss"], loss, atol=1e-12)
    grad = np.zeros_like(P)
    for i, k in enumerate(labels):
        grad[i, k] = -1.0 / P[i, k]
    np.testing.assert_allclose(key["4.2.probe.ce_gradient"], grad, atol=1e-12)


def test_probe_model_and_init(key, given_data):
    X, W, b = (np.array(key[f"4.2.probe.{k}"]) for k in "XWb")
    A = np.einsum("nd,dc->nc", X, W) + b
    P = np.exp(A) / np.exp(A).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(key["4.2.probe.model_out"], P, atol=1e-12)
    g = given_data["4.2"]
    assert [key["4.2.init.in"], key["4.2.init.out"]] == [g["init_in"], g["init_out"]]
    assert key["4.2.init.weight_std"] == pytest.approx(math.sqrt(2.0 / (g["init_in"] + g["init_out"])))


def test_probe_is_reproducible(key, given_data):
    again = hw4.probe(hw4.Training42.model_validate(given_data["4.2"]))
    for name, value in again.items():
        np.testing.assert_array_equal(np.asarray(value), np.asarray(key[name]))


# --------------------------------------------------------------------------- training on the digits


@pytest.mark.slow
def test_training_reaches_accuracy_and_loss_decreases(key, given_data):
    g = given_data["4.2"]
    assert key["4.2.data.features"] == 64
    assert key["4.2.data.train_samples"] + key["4.2.data.test_samples"] == 1797
    assert key["4.2.min_accuracy_linear"] == g["min_accuracy_linear"]
    assert key["4.2.min_accuracy_deep"] == g["min_accuracy_deep"]
    for name in ("linear", "deep"):
        accuracy = key[f"4.2.{name}.test_accuracy"]
        assert 0.9 <= accuracy <= 1.0, name
        curve = np.asarray(key[f"4.2.{name}.loss_curve"])
        assert curve.shape == (g["epochs"],)
        assert np.all(np.isfinite(curve)) and np.all(curve > 0)
        assert curve[-1] < curve[0] / 2, name
        assert np.mean(np.diff(curve) < 0) >= 0.8, name  # mostly decreasing
    # the deeper network fits the training data better than the linear one
    assert key["4.2.deep.loss_curve"][-1] < key["4.2.linear.loss_curve"][-1]


def test_the_courses_experiment_train_is_the_references_loop():
    """rubrics/files/.../experiment.py (the handout's, supplied to the child, which cannot import the reference)
    trains exactly as the reference does: initialise first, shuffle with np.random.permutation, mean losses."""
    import importlib.util

    from tests.conftest import RUBRICS

    spec = importlib.util.spec_from_file_location("experiment", RUBRICS / "files" / "tuda-sml-ss23-hw4" / "experiment.py")
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(70, 6))
    t = np.eye(3)[np.argmax(x @ rng.normal(size=(6, 3)), axis=1)]  # learnable labels
    curves = []
    for run in (lambda m: hw4.train(m, hw4.CrossEntropyLoss(), x, t, 3, 16, 0.05, np.random.RandomState(7).permutation),
                lambda m: (np.random.seed(7), shipped.train(m, hw4.CrossEntropyLoss(), x, t, 3, 16, 0.05))[1]):
        model = hw4.NNModel(hw4.ARCHITECTURES["deep"](6, 3, np.random.default_rng(1)))
        trained, curve = run(model)
        assert trained is model and model.nn_modules[0].W is not None
        curves.append(curve)
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-12)
    assert curves[0][-1] < curves[0][0]
