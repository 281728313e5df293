"""Tests for reference/leuphana_dl_ss24_ex2.py (Leuphana deep learning, summer 2024, exercise 2).

Every expected value here is derived independently of the reference code:
hand computations written out below, the numbers printed in the sheet's (garbled)
solution, central finite differences of a small forward pass written in this file,
or mathematical identities. The reference is never compared with itself.
"""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import leuphana_dl_ss24_ex2 as ex2
from reference.common import central_difference as _central_diff
from tests.conftest import rubric_given

RUBRIC = Path(__file__).resolve().parents[2] / "rubrics" / "leuphana-dl-ss24-ex2.toml"


# --------------------------------------------------------------------------------------
# Independent helpers (nothing here calls the reference)
# --------------------------------------------------------------------------------------

def _sig(z):
    z = np.asarray(z, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-z))


def _relu(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.0)


_ACT = {"sigmoid": _sig, "relu": _relu}


def _forward(weights, biases, acts, x):
    """Plain forward pass; returns (output, list of pre-activations)."""
    pre = []
    for W, b, a in zip(weights, biases, acts):
        s = W @ x + b
        pre.append(s)
        x = _ACT[a](s)
    return x, pre


def _loss(weights, biases, acts, x, y, reduction="sum"):
    out, _ = _forward(weights, biases, acts, x)
    d = out - y
    value = 0.5 * float(np.sum(d * d))
    if reduction == "mean":
        value /= x.shape[1]
    return value


def _fd_param_grads(weights, biases, acts, x, y, reduction="sum"):
    """Finite-difference gradients of the loss w.r.t. every weight and bias."""
    gw, gb = [], []
    for l in range(len(weights)):
        def fw(W, l=l):
            ws = list(weights)
            ws[l] = W
            return _loss(ws, biases, acts, x, y, reduction)

        def fb(b, l=l):
            bs = list(biases)
            bs[l] = b
            return _loss(weights, bs, acts, x, y, reduction)

        gw.append(_central_diff(fw, weights[l]))
        gb.append(_central_diff(fb, biases[l]))
    return gw, gb


# --------------------------------------------------------------------------------------
# Task 5: the 2-3-2 sigmoid network by hand, through answer_key(given)
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def given_data():
    with open(RUBRIC, "rb") as fh:
        return tomllib.load(fh)["given"]


@pytest.fixture(scope="module")
def key(given_data):
    return ex2.answer_key(given_data)


def _task5_arrays(g5):
    return (np.array(g5["x0"], float), np.array(g5["y"], float), np.array(g5["W1"], float),
            np.array(g5["b1"], float), np.array(g5["W2"], float), np.array(g5["b2"], float))


def _task5_loss(W1, b1, W2, b2, x0, y):
    x2 = _sig(W2 @ _sig(W1 @ x0 + b1) + b2)
    return 0.5 * float(np.sum((x2 - y) ** 2))


def test_task5_given_matches_figure(given_data):
    g5 = given_data["5"]
    assert g5["x0"] == [1.0, 2.0]
    assert g5["y"] == [0.0, 1.0]
    assert g5["W1"] == [[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]
    assert g5["b1"] == [0.3, -0.1, 1.2]
    assert g5["W2"] == [[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]]
    assert g5["b2"] == [-0.6, 0.5]


def test_task5_s1_by_hand(key):
    # s1 = W1 x0 + b1:
    #   0.2*1 - 0.3*2 + 0.3  = -0.1
    #   0.1*1 - 1.2*2 - 0.1  = -2.4
    #   0.4*1 + 0.3*2 + 1.2  =  2.2
    np.testing.assert_allclose(key["5.s1"], [-0.1, -2.4, 2.2], atol=1e-12)


def test_task5_x1_against_hand_and_sheet(key):
    hand = [1 / (1 + math.exp(0.1)), 1 / (1 + math.exp(2.4)), 1 / (1 + math.exp(-2.2))]
    np.testing.assert_allclose(key["5.x1"], hand, atol=1e-12)
    # the sheet prints x1 ~ (0.48, 0.08, 0.90), two decimals
    np.testing.assert_allclose(key["5.x1"], [0.48, 0.08, 0.90], atol=0.005 + 1e-9)


def test_task5_s2_x2_by_hand(key):
    x1 = [1 / (1 + math.exp(0.1)), 1 / (1 + math.exp(2.4)), 1 / (1 + math.exp(-2.2))]
    s2 = [0.4 * x1[0] + 0.2 * x1[1] + 0.2 * x1[2] - 0.6,
          0.1 * x1[0] + 0.3 * x1[1] + 0.5 * x1[2] + 0.5]
    x2 = [1 / (1 + math.exp(-s2[0])), 1 / (1 + math.exp(-s2[1]))]
    np.testing.assert_allclose(key["5.s2"], s2, atol=1e-12)
    np.testing.assert_allclose(key["5.x2"], x2, atol=1e-12)
    # approximate hand values: s2 ~ (-0.213, 1.023), x2 ~ (0.447, 0.735)
    np.testing.assert_allclose(key["5.s2"], [-0.213, 1.023], atol=6e-4)
    np.testing.assert_allclose(key["5.x2"], [0.447, 0.735], atol=6e-4)


def test_task5_x2_minus_y_against_sheet(key):
    # the sheet prints x2 - y ~ (0.45, -0.26)
    np.testing.assert_allclose(key["5.x2"] - key["5.y"], [0.45, -0.26], atol=0.005 + 1e-9)


def test_task5_loss_value(key):
    x2 = np.asarray(key["5.x2"])
    assert key["5.E"] == pytest.approx(0.5 * ((x2[0] - 0.0) ** 2 + (x2[1] - 1.0) ** 2), abs=1e-12)
    # from the sheet's rounded x2 - y: 1/2 (0.45^2 + 0.26^2) = 0.13505; rounding error <= 0.0036
    assert key["5.E"] == pytest.approx(0.13505, abs=0.004)
    assert isinstance(key["5.E"], float)


def test_task5_gradients_against_sheet(key):
    np.testing.assert_allclose(key["5.dE_dw2"], [[0.05, 0.01, 0.10], [-0.02, -0.00, -0.05]],
                               atol=0.005 + 1e-9)
    np.testing.assert_allclose(key["5.dE_db2"], [0.11, -0.05], atol=0.005 + 1e-9)
    np.testing.assert_allclose(key["5.dE_dw1"], [[0.010, 0.019], [0.001, 0.001], [0.000, -0.001]],
                               atol=0.0005 + 1e-9)


def test_task5_gradients_against_finite_differences(key, given_data):
    x0, y, W1, b1, W2, b2 = _task5_arrays(given_data["5"])
    fd_w1 = _central_diff(lambda W: _task5_loss(W, b1, W2, b2, x0, y), W1)
    fd_b1 = _central_diff(lambda b: _task5_loss(W1, b, W2, b2, x0, y), b1)
    fd_w2 = _central_diff(lambda W: _task5_loss(W1, b1, W, b2, x0, y), W2)
    fd_b2 = _central_diff(lambda b: _task5_loss(W1, b1, W2, b, x0, y), b2)
    np.testing.assert_allclose(key["5.dE_dw1"], fd_w1, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(key["5.dE_db1"], fd_b1, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(key["5.dE_dw2"], fd_w2, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(key["5.dE_db2"], fd_b2, rtol=1e-6, atol=1e-9)
    # and the loss value itself from the independent forward pass
    assert key["5.E"] == pytest.approx(_task5_loss(W1, b1, W2, b2, x0, y), abs=1e-12)


def test_task5_gradient_identities(key):
    # x0 = (1, 2): each row of dE/dW1 is delta1 * x0^T = (db1_i, 2 db1_i)
    dw1, db1 = np.asarray(key["5.dE_dw1"]), np.asarray(key["5.dE_db1"])
    np.testing.assert_allclose(dw1[:, 0], db1 * 1.0, atol=1e-15)
    np.testing.assert_allclose(dw1[:, 1], db1 * 2.0, atol=1e-15)
    # dE/dW2 = delta2 x1^T (rank one)
    np.testing.assert_allclose(key["5.dE_dw2"], np.outer(key["5.dE_db2"], key["5.x1"]), atol=1e-15)


def test_task5_shapes(key):
    assert np.shape(key["5.dE_dw1"]) == (3, 2)
    assert np.shape(key["5.dE_dw2"]) == (2, 3)
    assert np.shape(key["5.dE_db1"]) == (3,)
    assert np.shape(key["5.dE_db2"]) == (2,)
    for k, n in [("5.s1", 3), ("5.x1", 3), ("5.s2", 2), ("5.x2", 2)]:
        assert np.shape(key[k]) == (n,)


def test_task5_rejects_inconsistent_shapes(given_data):
    bad = dict(given_data["5"])
    bad["b1"] = [0.3, -0.1]  # W1 has three rows
    with pytest.raises(ValueError):
        ex2.Network5.model_validate(bad)


# --------------------------------------------------------------------------------------
# Task 6: activations
# --------------------------------------------------------------------------------------

def test_relu_hand_values():
    z = np.array([-3.0, -0.5, 0.25, 2.0])
    np.testing.assert_array_equal(ex2.ReLU().evaluate(z), [0.0, 0.0, 0.25, 2.0])
    np.testing.assert_array_equal(ex2.ReLU().gradient(z), [0.0, 0.0, 1.0, 1.0])
    zc = np.array([[-1.0, 3.0], [0.5, -2.0]])
    assert ex2.ReLU().evaluate(zc).shape == (2, 2)
    np.testing.assert_array_equal(ex2.ReLU().evaluate(zc), [[0.0, 3.0], [0.5, 0.0]])


def test_sigmoid_hand_values():
    z = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    hand = [1 / (1 + math.exp(3.0)), 1 / (1 + math.exp(0.5)), 0.5, 1 / (1 + math.exp(-0.25)),
            1 / (1 + math.exp(-2.0))]
    np.testing.assert_allclose(ex2.sigmoid().evaluate(z), hand, rtol=1e-14)
    np.testing.assert_allclose(ex2.sigmoid().gradient(z), [h * (1 - h) for h in hand], rtol=1e-13)
    assert ex2.sigmoid().gradient(np.array([0.0]))[0] == pytest.approx(0.25)
    # sigma(2) = 0.8807970779778823 to 16 digits
    assert ex2.sigmoid().evaluate(np.array([2.0]))[0] == pytest.approx(0.8807970779778823, rel=1e-14)


def test_sigmoid_identities_and_extremes():
    z = np.linspace(-8, 8, 33)
    s = ex2.sigmoid().evaluate(z)
    np.testing.assert_allclose(s + ex2.sigmoid().evaluate(-z), 1.0, atol=1e-15)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        ext = ex2.sigmoid().evaluate(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(ext, [0.0, 1.0], atol=1e-300)
    assert np.all(np.isfinite(ex2.sigmoid().gradient(np.array([-1000.0, 1000.0]))))


def test_activation_gradients_against_finite_differences():
    z = np.array([-3.0, -0.5, -0.1, 0.25, 0.7, 2.0])  # away from the ReLU kink
    eps = 1e-6
    for act in (ex2.ReLU(), ex2.sigmoid()):
        fd = (act.evaluate(z + eps) - act.evaluate(z - eps)) / (2 * eps)
        np.testing.assert_allclose(act.gradient(z), fd, rtol=1e-6, atol=1e-9)


def test_activation_keys_in_answer_key(key):
    z = [-3.0, -0.5, 0.25, 2.0]
    np.testing.assert_array_equal(key["6.relu"], [0.0, 0.0, 0.25, 2.0])
    np.testing.assert_array_equal(key["6.relu_gradient"], [0.0, 0.0, 1.0, 1.0])
    hand = [1 / (1 + math.exp(-v)) for v in z]
    np.testing.assert_allclose(key["6.sigmoid"], hand, rtol=1e-14)
    np.testing.assert_allclose(key["6.sigmoid_gradient"], [h * (1 - h) for h in hand], rtol=1e-13)
    assert key["6.init.weight_std"] == pytest.approx(math.sqrt(2 / 500), rel=1e-15)


# --------------------------------------------------------------------------------------
# Task 6: NeuralNetwork
# --------------------------------------------------------------------------------------

def test_default_activations_are_sigmoid():
    net = ex2.NeuralNetwork([2, 3, 2], rng=np.random.default_rng(0))
    assert len(net.activation) == 2
    z = np.array([[-1.0], [0.5]])
    for act in net.activation:
        np.testing.assert_allclose(act.evaluate(z), _sig(z), rtol=1e-14)


def test_forward_with_task5_weights_stores_intermediates():
    net = ex2.NeuralNetwork([2, 3, 2], rng=np.random.default_rng(0))
    net.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]),
                  np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
    net.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
    x0 = np.array([[1.0], [2.0]])
    out = net.forward(x0)
    assert out.shape == (2, 1)
    assert len(net._s) == 2 and len(net._x) == 3
    np.testing.assert_array_equal(net._x[0], x0)
    np.testing.assert_allclose(net._s[0], [[-0.1], [-2.4], [2.2]], atol=1e-12)
    np.testing.assert_allclose(net._x[1], [[0.48], [0.08], [0.90]], atol=0.005 + 1e-9)
    np.testing.assert_allclose(out - np.array([[0.0], [1.0]]), [[0.45], [-0.26]], atol=0.005 + 1e-9)
    assert out is net._x[-1] or np.array_equal(out, net._x[-1])


def _random_net(layers, acts, seed, reduction):
    rng = np.random.default_rng(seed)
    act_objs = [ex2.ReLU() if a == "relu" else ex2.sigmoid() for a in acts]
    net = ex2.NeuralNetwork(layers, activations=act_objs, rng=rng, reduction=reduction)
    # non-zero biases so their gradients matter
    net.bias = [rng.normal(0.0, 0.5, size=(d, 1)) for d in layers[1:]]
    return net, rng


CASES = [
    ([3, 4, 2], ("sigmoid", "sigmoid")),
    ([3, 4, 2], ("relu", "sigmoid")),
    ([3, 4, 2], ("relu", "relu")),
    ([2, 5, 3, 1], ("sigmoid", "sigmoid", "sigmoid")),
    ([2, 5, 3, 1], ("relu", "relu", "sigmoid")),
    ([2, 5, 3, 1], ("relu", "relu", "relu")),
]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("layers,acts", CASES)
def test_backprop_against_finite_differences(layers, acts, reduction):
    N = 5
    # pick a seed whose pre-activations keep clear of the ReLU kink
    for seed in range(50):
        net, rng = _random_net(layers, acts, seed, reduction)
        x = rng.normal(size=(layers[0], N))
        y = rng.uniform(0.0, 1.0, size=(layers[-1], N))
        W = [w.copy() for w in net.weight]
        b = [v.copy() for v in net.bias]
        _, pre = _forward(W, b, acts, x)
        margin = min(float(np.min(np.abs(s))) for s in pre)
        # ReLU layers must have active and inactive units, else the ReLU case is trivial
        mixed = all(np.any(s > 0) and np.any(s < 0) for s, a in zip(pre, acts) if a == "relu")
        if margin > 1e-3 and mixed:
            break
    else:
        pytest.fail("no seed gave pre-activations clear of the ReLU kink")

    dW, db, value = net.backprop(x, y)
    fd_w, fd_b = _fd_param_grads(W, b, acts, x, y, reduction)
    assert value == pytest.approx(_loss(W, b, acts, x, y, reduction), rel=1e-12)
    assert len(dW) == len(db) == len(layers) - 1
    for l in range(len(W)):
        assert dW[l].shape == W[l].shape == (layers[l + 1], layers[l])
        assert db[l].shape == (layers[l + 1], 1)
        np.testing.assert_allclose(dW[l], fd_w[l], rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(db[l], fd_b[l], rtol=1e-5, atol=1e-8)
    # the network's parameters are untouched by backprop
    for l in range(len(W)):
        np.testing.assert_array_equal(net.weight[l], W[l])
        np.testing.assert_array_equal(net.bias[l], b[l])


def test_backprop_mean_is_sum_over_n():
    layers, acts = [3, 4, 2], ("sigmoid", "sigmoid")
    net_s, rng = _random_net(layers, acts, 7, "sum")
    net_m, _ = _random_net(layers, acts, 7, "mean")
    x = rng.normal(size=(3, 6))
    y = rng.uniform(size=(2, 6))
    dWs, dbs, Ls = net_s.backprop(x, y)
    dWm, dbm, Lm = net_m.backprop(x, y)
    assert Lm == pytest.approx(Ls / 6, rel=1e-13)
    for a, c in zip(dWs + dbs, dWm + dbm):
        np.testing.assert_allclose(c, a / 6, rtol=1e-13, atol=1e-16)


def test_loss_hand_values():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    # diff = [[1, 1], [2, 3]]; 1/2 (1 + 1 + 4 + 9) = 7.5
    net = ex2.NeuralNetwork([2, 2], rng=np.random.default_rng(0), reduction="sum")
    value, grad = net.loss(pred, y)
    assert value == pytest.approx(7.5)
    np.testing.assert_allclose(grad, [[1.0, 1.0], [2.0, 3.0]])
    net = ex2.NeuralNetwork([2, 2], rng=np.random.default_rng(0), reduction="mean")
    value, grad = net.loss(pred, y)
    assert value == pytest.approx(3.75)
    np.testing.assert_allclose(grad, [[0.5, 0.5], [1.0, 1.5]])


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_loss_gradient_against_finite_differences(reduction):
    rng = np.random.default_rng(3)
    pred, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    net = ex2.NeuralNetwork([3, 3], rng=rng, reduction=reduction)
    fd = _central_diff(lambda p: net.loss(p, y)[0], pred)
    np.testing.assert_allclose(net.loss(pred, y)[1], fd, rtol=1e-6, atol=1e-9)


def _moments(w):
    w = np.asarray(w, dtype=np.float64).ravel()
    m = w.mean()
    sd = w.std()
    kurt = np.mean((w - m) ** 4) / sd**4
    return w.size, m, sd, kurt


@pytest.mark.parametrize("rng", [np.random.default_rng(123), None])
def test_glorot_normal_initialisation(rng):
    net = ex2.NeuralNetwork([300, 200, 100], rng=rng)
    assert [w.shape for w in net.weight] == [(200, 300), (100, 200)]
    assert [b.shape for b in net.bias] == [(200, 1), (100, 1)]
    for b in net.bias:
        assert np.all(b == 0.0)
    for d_in, d_out, w in [(300, 200, net.weight[0]), (200, 100, net.weight[1])]:
        sigma = math.sqrt(2.0 / (d_in + d_out))
        n, m, sd, kurt = _moments(w)
        assert abs(m) < 6 * sigma / math.sqrt(n)
        assert abs(sd - sigma) < 6 * sigma / math.sqrt(2 * n)
        # a normal has kurtosis 3 (uniform 1.8); standard error ~ sqrt(24/n)
        assert abs(kurt - 3.0) < 6 * math.sqrt(24.0 / n)


def test_glorot_std_formula():
    assert ex2.glorot_std(300, 200) == pytest.approx(math.sqrt(2 / 500), rel=1e-15)
    assert ex2.glorot_std(2, 3) == pytest.approx(math.sqrt(0.4), rel=1e-15)


def test_train_losses_match_manual_gradient_descent():
    """train records the loss before each update and steps W <- W - eta dE/dW (FD gradients)."""
    layers, acts = [2, 3, 1], ("sigmoid", "sigmoid")
    net, rng = _random_net(layers, acts, 11, "sum")
    x = rng.normal(size=(2, 8))
    y = (rng.uniform(size=(1, 8)) > 0.5).astype(float)
    W = [w.copy() for w in net.weight]
    b = [v.copy() for v in net.bias]
    eta = 0.1
    losses = net.train(x, y, eta=eta, iterations=2)
    assert isinstance(losses, list) and len(losses) == 2
    assert losses[0] == pytest.approx(_loss(W, b, acts, x, y), rel=1e-12)
    for _ in range(2):
        gw, gb = _fd_param_grads(W, b, acts, x, y)
        W1 = [w - eta * g for w, g in zip(W, gw)]
        b1 = [v - eta * g for v, g in zip(b, gb)]
        if _ == 0:
            assert losses[1] == pytest.approx(_loss(W1, b1, acts, x, y), rel=1e-9)
        W, b = W1, b1
    for l in range(2):
        np.testing.assert_allclose(net.weight[l], W[l], rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(net.bias[l], b[l], rtol=1e-7, atol=1e-9)


def test_train_defaults_and_monotone_decrease():
    x, y = ex2.toy_classification(60, 1)
    net = ex2.NeuralNetwork([2, 4, 1], rng=np.random.default_rng(5))
    losses = net.train(x, y)  # template defaults eta=0.01, iterations=100
    assert len(losses) == 100
    assert all(np.isfinite(losses))
    assert np.all(np.diff(losses) <= 1e-12)
    assert losses[-1] < losses[0]


def test_toy_classification_data():
    x, y = ex2.toy_classification(50, 3)
    assert x.shape == (2, 50) and y.shape == (1, 50)
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert 0 < y.sum() < 50
    x2, y2 = ex2.toy_classification(50, 3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    # the classes sit around -(1, 0.8) and +(1, 0.8)
    big_x, big_y = ex2.toy_classification(4000, 0)
    ones = big_y[0] == 1
    np.testing.assert_allclose(big_x[:, ones].mean(axis=1), [1.0, 0.8], atol=0.1)
    np.testing.assert_allclose(big_x[:, ~ones].mean(axis=1), [-1.0, -0.8], atol=0.1)


def test_training_with_rubric_settings(given_data):
    g6 = given_data["6"]
    x, y = ex2.toy_classification(g6["samples"], g6["data_seed"])
    for seed in (g6["init_seed"], 1, 2):
        net = ex2.NeuralNetwork(g6["layers"], rng=np.random.default_rng(seed), reduction=g6["reduction"])
        losses = net.train(x, y, eta=g6["eta"], iterations=g6["iterations"])
        assert len(losses) == g6["iterations"]
        assert losses[-1] < 0.5 * losses[0]
        pred = net.forward(x)
        assert pred.shape == (1, g6["samples"])
        # accuracy computed here, not with the reference helper
        acc = float(np.mean((pred >= 0.5) == (y >= 0.5)))
        assert acc >= g6["min_accuracy"]


def test_training_keys_in_answer_key(key, given_data):
    g6 = given_data["6"]
    assert key["6.train.loss_last"] < key["6.train.loss_first"]
    assert key["6.train.accuracy"] >= g6["min_accuracy"]
    assert key["6.train.x"].shape == (2, g6["samples"])
    assert key["6.train.y"].shape == (1, g6["samples"])


def test_accuracy_hand_example():
    pred = np.array([[0.2, 0.7, 0.5, 0.49]])
    y = np.array([[0.0, 1.0, 0.0, 0.0]])
    # right, right, wrong (0.5 counts as class 1), right
    assert ex2.accuracy(pred, y) == pytest.approx(0.75)
    assert ex2.accuracy(np.array([[0.9, 0.1]]), np.array([[0.0, 1.0]])) == 0.0


# --------------------------------------------------------------------------------------
# Task 7: ReLU approximation
# --------------------------------------------------------------------------------------

def _nn_eval(t, lam, offsets):
    """NN(t) = sum_j lambda_j max(0, t - b_j), with explicit loops."""
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    out = np.zeros_like(t)
    for k, tk in enumerate(t):
        out[k] = sum(l * max(0.0, tk - bj) for l, bj in zip(lam, offsets))
    return out


def _forward_substitution(h, f_):
    """Solve h * A * lambda = f_ with A[i][j] = i - j + 1 (j <= i) by forward substitution."""
    n = len(f_)
    lam = [0.0] * n
    for i in range(n):
        acc = sum((i - j + 1) * lam[j] for j in range(i))
        lam[i] = f_[i] / h - acc
    return np.array(lam)


@pytest.mark.parametrize("n", [2, 3, 5, 9])
def test_relu_grid_structure(n):
    a, b = -1.0, 3.0
    g = ex2.relu_grid(a, b, n)
    h = (b - a) / (n - 1)
    assert g["h"] == pytest.approx(h, rel=1e-14)
    np.testing.assert_allclose(g["x"], [a + i * h for i in range(n)], atol=1e-14)
    np.testing.assert_allclose(g["b_"], [a + (j - 1) * h for j in range(n)], atol=1e-14)
    np.testing.assert_allclose(g["b_"], np.asarray(g["x"]) - h, atol=1e-14)
    A = np.asarray(g["A"])
    assert A.shape == (n, n)
    for i in range(n):
        for j in range(n):
            assert A[i, j] == (i - j + 1 if j <= i else 0)


def test_template_example_lambda_by_hand(key):
    # f = sin, a = 0, b = 6, n = 5: h = 1.5, x = (0, 1.5, 3, 4.5, 6), b_ = (-1.5, 0, 1.5, 3, 4.5)
    h = 1.5
    f_ = [math.sin(0.0), math.sin(1.5), math.sin(3.0), math.sin(4.5), math.sin(6.0)]
    lam1 = f_[0] / h
    lam2 = f_[1] / h - 2 * lam1
    lam3 = f_[2] / h - 3 * lam1 - 2 * lam2
    lam4 = f_[3] / h - 4 * lam1 - 3 * lam2 - 2 * lam3
    lam5 = f_[4] / h - 5 * lam1 - 4 * lam2 - 3 * lam3 - 2 * lam4
    hand = [lam1, lam2, lam3, lam4, lam5]
    # rounded by hand: lambda ~ (0, 0.665, -1.236, -0.175, 1.211)
    np.testing.assert_allclose(hand, [0.0, 0.665, -1.236, -0.175, 1.211], atol=6e-4)
    np.testing.assert_allclose(key["7.lambda"], hand, atol=1e-12)
    assert key["7.f"] == "sin"
    assert key["7.h"] == pytest.approx(1.5)
    np.testing.assert_allclose(key["7.x"], [0.0, 1.5, 3.0, 4.5, 6.0], atol=1e-15)
    np.testing.assert_allclose(key["7.b_"], [-1.5, 0.0, 1.5, 3.0, 4.5], atol=1e-15)
    np.testing.assert_allclose(key["7.f_"], f_, atol=1e-15)
    np.testing.assert_array_equal(key["7.A"], [[1, 0, 0, 0, 0], [2, 1, 0, 0, 0], [3, 2, 1, 0, 0],
                                               [4, 3, 2, 1, 0], [5, 4, 3, 2, 1]])
    # the approximant at the grid reproduces f there (rubric check 7.code)
    np.testing.assert_allclose(_nn_eval(key["7.x"], hand, key["7.b_"]), f_, atol=1e-12)


def test_solve_lambda_against_forward_substitution():
    rng = np.random.default_rng(0)
    n, h = 7, 0.3
    A = np.array([[i - j + 1 if j <= i else 0 for j in range(n)] for i in range(n)], dtype=float)
    f_ = rng.normal(size=n)
    np.testing.assert_allclose(ex2.solve_lambda(h, A, f_), _forward_substitution(h, f_), rtol=1e-10, atol=1e-12)


def test_relu_approx_hand_values():
    lam, offsets = [1.0, -2.0, 0.5], [0.0, 1.0, 2.0]
    # t = -1: 0;  t = 0.5: 0.5;  t = 1.5: 1.5 - 1 = 0.5;  t = 3: 3 - 4 + 0.5 = -0.5
    np.testing.assert_allclose(ex2.relu_approx(np.array([-1.0, 0.5, 1.5, 3.0]), lam, offsets),
                               [0.0, 0.5, 0.5, -0.5], atol=1e-15)
    assert ex2.relu_approx(np.array([3.0]), lam, offsets).shape == (1,)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(ex2.NAMED_FUNCTIONS)),
    a=st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False),
    width=st.floats(0.5, 10.0, allow_nan=False, allow_infinity=False),
    n=st.integers(2, 60),
)
def test_relu_approximation_properties(name, a, width, n):
    f = ex2.NAMED_FUNCTIONS[name]
    b = a + width
    r = ex2.relu_approximation(f, a, b, n)
    h = width / (n - 1)
    x = a + h * np.arange(n)
    assert r["h"] == pytest.approx(h, rel=1e-9)
    np.testing.assert_allclose(r["x"], x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r["b_"], x - h, rtol=1e-12, atol=1e-12)
    A = np.asarray(r["A"])
    expected_A = np.array([[i - j + 1 if j <= i else 0 for j in range(n)] for i in range(n)])
    np.testing.assert_array_equal(A, expected_A)
    scale = max(1.0, float(np.max(np.abs(f(x)))))
    np.testing.assert_allclose(r["f_"], f(x), rtol=1e-12, atol=1e-12 * scale)
    lam = np.asarray(r["lambda"])
    # h A lambda = f_, checked with an explicit sum
    for i in range(n):
        assert h * sum((i - j + 1) * lam[j] for j in range(i + 1)) == pytest.approx(
            r["f_"][i], abs=1e-9 * scale)
    # identity: the inverse of A is the second-difference operator
    fx = np.asarray(r["f_"])
    second = np.array([fx[0]] + [fx[1] - 2 * fx[0]] + [fx[i] - 2 * fx[i - 1] + fx[i - 2] for i in range(2, n)])
    np.testing.assert_allclose(lam, second / h, atol=1e-9 * scale / h)
    # the approximant reproduces f at the grid points
    np.testing.assert_allclose(_nn_eval(x, lam, x - h), fx, atol=1e-9 * scale)
    np.testing.assert_allclose(ex2.relu_approx(x, lam, r["b_"]), fx, atol=1e-9 * scale)
    # between grid points NN is the piecewise-linear interpolant of f
    t = np.linspace(a, b, 97)
    np.testing.assert_allclose(ex2.relu_approx(t, lam, r["b_"]), np.interp(t, x, fx), atol=1e-8 * scale)


def _independent_max_error(f, a, b, n, samples=4001):
    x = np.linspace(a, b, n)
    t = np.linspace(a, b, samples)
    return float(np.max(np.abs(f(t) - np.interp(t, x, f(x)))))


def test_max_error_convergence_for_sin():
    ns = [5, 10, 20, 40, 80]
    errs = [ex2.max_error(np.sin, 0.0, 6.0, n) for n in ns]
    assert all(e2 < e1 for e1, e2 in zip(errs, errs[1:]))
    assert errs[-1] < 1e-3
    for n, e in zip(ns, errs):
        assert e == pytest.approx(_independent_max_error(np.sin, 0.0, 6.0, n), rel=1e-6, abs=1e-12)
        # interpolation bound: |f - p| <= h^2/8 max|f''| = h^2/8 for sin
        h = 6.0 / (n - 1)
        assert e <= h * h / 8 + 1e-12
    # second-order convergence: doubling n roughly quarters the error
    assert errs[-2] / errs[-1] == pytest.approx(4.0, rel=0.2)


def test_max_error_keys_in_answer_key(key):
    assert key["7.convergence.n"] == [5, 10, 20, 40, 80]
    errs = key["7.convergence.max_error"]
    assert len(errs) == 5
    assert all(e2 < e1 for e1, e2 in zip(errs, errs[1:]))
    assert errs[-1] < 1e-3
    assert key["7.max_error"] == pytest.approx(_independent_max_error(np.sin, 0.0, 6.0, 5), rel=1e-6)
    assert key["7.max_error"] == pytest.approx(errs[0])


def test_task7_rebuilt_from_own_choices_matches_the_key_for_the_template_choice():
    key = ex2.answer_key(rubric_given("leuphana-dl-ss24-ex2"))
    own = {"a": 0.0, "b": 6.0, "n": 5, "f_on_grid": np.sin(np.linspace(0, 6, 5))}
    out = ex2.from_own_choices(own, key)
    for name, key_name in [("x", "7.x"), ("h", "7.h"), ("b_", "7.b_"), ("A", "7.A"), ("lambda_", "7.lambda")]:
        np.testing.assert_allclose(out[name], key[key_name], rtol=1e-12)


def test_task7_own_choice_interpolates_on_the_grid():
    x = np.linspace(-2, 3, 9)
    out = ex2.from_own_choices({"a": -2, "b": 3, "n": 9, "f_on_grid": np.exp(-x ** 2)}, {"7.probe": x})
    np.testing.assert_allclose(out["h"] * out["A"] @ out["lambda_"], np.exp(-x ** 2), atol=1e-12)
    np.testing.assert_allclose(out["approx_at_probe"], np.exp(-x ** 2), atol=1e-12)  # probing at the grid


@pytest.mark.parametrize("own", [{"a": 0, "b": 6, "n": 4.5, "f_on_grid": [0] * 4}, {"a": 1, "b": 0, "n": 3, "f_on_grid": [0] * 3},
                                 {"a": 0, "b": 1, "n": 3, "f_on_grid": [0, 1]}, {"b": 1, "n": 3}])
def test_task7_unusable_choices_are_explained(own):
    with pytest.raises(ex2.ChoiceError):
        ex2.from_own_choices(own, {"7.probe": np.zeros(2)})
