"""Leuphana deep learning, summer 2024, exercise 2.

Task 5 is the 2-3-2 sigmoid network of figure 1 by hand; Task 6 the `NeuralNetwork`
class of the real template `code2.py` (column-major data: x is (d_in, N), weights
(d_out, d_in), biases (d_out, 1)); Task 7 the ReLU approximation of a function on a
grid. The classes here follow the template's interface exactly, so the same plan
that drives a student's class can drive the reference in tests.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
from pydantic import model_validator

from reference import common
from reference.given import GivenModel, Matrix, Vector
from reference.mistakes import Combination, Mistake, Slip
from reference.recompute import ChoiceError, Recompute
from reference.steps import settled

SHEET_ID = "leuphana-dl-ss24-ex2"
Reduction = Literal["sum", "mean"]


# Task 6 part 1 (i): activations with the template's evaluate/gradient methods

class ReLU:
    def evaluate(self, z, where: str = ""):
        return common.relu(z, where=where)

    def gradient(self, z, where: str = ""):
        return common.relu_derivative(z, where=where)


class sigmoid:  # noqa: N801 - the template's own (lower-case) name
    def evaluate(self, z, where: str = ""):
        return common.sigmoid(z, where=where)

    def gradient(self, z, where: str = ""):
        return common.sigmoid_derivative(z, where=where)


def glorot_std(d_in: int, d_out: int) -> float:
    return float(np.sqrt(2.0 / (d_in + d_out)))


class NeuralNetwork:
    """The template's class. `rng` is the reference's addition so tests are reproducible."""

    def __init__(self, neurons_per_layer, activations=None, rng: np.random.Generator | None = None,
                 reduction: Reduction = "sum"):
        self.neurons_per_layer = list(neurons_per_layer)
        layers = len(self.neurons_per_layer) - 1
        self.activation = list(activations) if activations is not None else [sigmoid() for _ in range(layers)]
        rng = rng if rng is not None else np.random.default_rng()
        pairs = list(zip(self.neurons_per_layer[:-1], self.neurons_per_layer[1:]))
        self.weight = [rng.normal(0.0, glorot_std(d_in, d_out), size=(d_out, d_in)) for d_in, d_out in pairs]
        self.bias = [np.zeros((d_out, 1)) for _, d_out in pairs]
        self.reduction = reduction
        self._s: list[np.ndarray] = []
        self._x: list[np.ndarray] = []

    def forward(self, x):
        x = common.as_array(x)
        self._x = [x]
        self._s = []
        for layer, (W, b, act) in enumerate(zip(self.weight, self.bias, self.activation), start=1):
            s = common.linear(W, x, b, where=f"layer {layer}")
            x = act.evaluate(s, where=f"layer {layer}")
            self._s.append(s)
            self._x.append(x)
        return x

    def loss(self, y_prediction, y):
        """Squared loss 1/2 ||pred - y||^2 summed over samples (or averaged), and its gradient."""
        diff = common.as_array(y_prediction) - common.as_array(y)
        scale = 1.0 / diff.shape[-1] if self.reduction == "mean" and diff.ndim > 1 else 1.0
        return 0.5 * scale * float(common.total(diff * diff, where="the loss")), scale * diff

    def backprop(self, x, y):
        prediction = self.forward(x)
        value, grad = self.loss(prediction, y)
        weight_gradients: list[np.ndarray] = [np.empty(0)] * len(self.weight)
        bias_gradients: list[np.ndarray] = [np.empty(0)] * len(self.bias)
        for layer in reversed(range(len(self.weight))):
            where = f"layer {layer + 1}"
            delta = grad * self.activation[layer].gradient(self._s[layer], where=where)
            weight_gradients[layer] = delta @ common.layer_input(self._x, layer, [None, *self._s], where=where).T
            bias_gradients[layer] = common.total(delta, axis=1, keepdims=True, where=f"{where}, bias gradient")
            grad = self.weight[layer].T @ delta
        return weight_gradients, bias_gradients, value

    def train(self, x, y, eta=0.01, iterations=100):
        losses = []
        for _ in range(iterations):
            weight_gradients, bias_gradients, value = self.backprop(x, y)
            self.weight = [W - eta * dW for W, dW in zip(self.weight, weight_gradients)]
            self.bias = [b - eta * db for b, db in zip(self.bias, bias_gradients)]
            losses.append(value)
        return losses


@settled
def toy_classification(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs for Part 2 (iii), column-major: x is (2, n), y is (1, n) in {0, 1}."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    centres = np.where(labels[None, :] == 1, 1.0, -1.0) * np.array([[1.0], [0.8]])
    x = centres + rng.normal(0.0, 0.7, size=(2, n))
    return x, labels[None, :].astype(np.float64)


def accuracy(prediction, y) -> float:
    return float(np.mean((common.as_array(prediction) >= 0.5) == (common.as_array(y) >= 0.5)))


# Task 7: NN(x) = sum_j lambda_j ReLU(x - b_j) on a grid x_i = a + (i - 1) h, b_j = a + (j - 2) h

NAMED_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "exp": np.exp,
    "tanh": np.tanh,
    "abs": np.abs,
    "square": np.square,
    "sigmoid": common.sigmoid,
}


def relu_grid(a: float, b: float, n: int) -> dict[str, np.ndarray | float]:
    x = np.linspace(a, b, n)
    h = float(x[1] - x[0])
    i, j = np.indices((n, n))
    A = np.where(j <= i, i - j + 1, 0).astype(np.float64)
    return {"x": x, "h": h, "b_": x - h, "A": A}


def solve_lambda(h: float, A, f_) -> np.ndarray:
    """Solve h A lambda = f_ (A lower triangular with A[i, j] = i - j + 1)."""
    return np.linalg.solve(h * common.as_array(A), common.as_array(f_))


def relu_approx(x, lambda_, b_) -> np.ndarray:
    x = common.as_array(x)
    return np.sum(common.as_array(lambda_) * common.relu(x[..., None] - common.as_array(b_)), axis=-1)


def relu_approximation(f: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int) -> dict[str, Any]:
    grid = relu_grid(a, b, n)
    f_ = f(grid["x"])
    lambda_ = solve_lambda(grid["h"], grid["A"], f_)
    return {**grid, "f_": f_, "lambda": lambda_}


MAX_OWN_N = 1000  # A is n x n: the parent solves it, so the student's n is bounded


def from_own_choices(own: Mapping[str, Any], key: Mapping[str, Any]) -> dict[str, Any]:
    """Task 7 rebuilt from the student's a, b, n and their f evaluated on their grid."""
    try:
        a, b, n_value = (float(np.asarray(own[k], dtype=np.float64).reshape(-1)[0]) for k in ("a", "b", "n"))
    except (KeyError, TypeError, ValueError, IndexError):
        raise ChoiceError("Task 7 needs module-level numbers a, b and n") from None
    if not n_value.is_integer() or n_value < 2 or not b > a:
        raise ChoiceError(f"Task 7 needs a whole number n >= 2 and b > a (found a = {a:g}, b = {b:g}, n = {n_value:g})")
    if n_value > MAX_OWN_N:
        raise ChoiceError(f"n = {n_value:g} is more than the {MAX_OWN_N} grid points the grader checks; "
                          f"set n to {MAX_OWN_N} or fewer for the submission")
    n = int(n_value)
    grid = relu_grid(a, b, n)
    if not grid["h"] > 0:
        raise ChoiceError(f"the grid step h = (b - a)/(n - 1) is 0 for a = {a!r}, b = {b!r}: choose a wider interval")
    f_ = np.asarray(own.get("f_on_grid"), dtype=np.float64).reshape(-1)
    if f_.size != n or not np.all(np.isfinite(f_)):
        raise ChoiceError(f"f evaluated on x must give {n} finite numbers, one per grid point")
    lambda_ = solve_lambda(grid["h"], grid["A"], f_)
    return {**grid, "f_": f_, "lambda_": lambda_, "approx_on_grid": f_, "probe": key["7.probe"],
            "approx_at_probe": relu_approx(key["7.probe"], lambda_, grid["b_"])}


def approximation_mistakes(expected: dict[str, Any]) -> dict[str, list]:
    """Task 7's typical slips, for the student's own grid: offsets one step off, A without the factor h.
    Each slip also shows in approx(), which uses the student's own offsets and weights."""
    from reference.mistakes import Alternative

    x, h, lambda_ = expected["x"], expected["h"], expected["lambda_"]
    offsets = ("offset-off-by-one-step", "the offsets are one grid step off: b_j = x_j - h")
    missing_h = ("missing-h", "the system is missing the factor h: solve h A lambda = f(x)")
    slips: dict[str, list] = {"b_": [Alternative(*offsets, x)], "lambda_": [Alternative(*missing_h, h * lambda_)]}
    for name, at in (("approx_on_grid", x), ("approx_at_probe", expected.get("probe"))):
        if at is not None:
            slips[name] = [Alternative(*offsets, relu_approx(at, lambda_, x)),
                           Alternative(*missing_h, relu_approx(at, h * lambda_, x - h))]
    return slips


RECOMPUTE = {
    "relu_approximation": Recompute(
        inputs=("a", "b", "n", "f_on_grid"),
        outputs=("x", "h", "b_", "A", "f_", "lambda_", "approx_on_grid", "approx_at_probe"),
        fn=from_own_choices,
        statement="x = linspace(a, b, n), h = x[1] - x[0], b_ = x - h, h A lambda = f(x), approx(x) = f(x)",
        mistakes=approximation_mistakes,
    )
}


@settled
def max_error(f: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int, samples: int = 4001) -> float:
    """Largest |f - NN| on a fine grid of [a, b]."""
    r = relu_approximation(f, a, b, n)
    t = np.linspace(a, b, samples)
    return float(np.max(np.abs(f(t) - relu_approx(t, r["lambda"], r["b_"]))))


# Given data and the answer key

class Network5(GivenModel):
    x0: Vector
    y: Vector
    W1: Matrix
    b1: Vector
    W2: Matrix
    b2: Vector

    @model_validator(mode="after")
    def _shapes_agree(self):
        h, d = len(self.W1), len(self.W1[0])
        if len(self.x0) != d or len(self.b1) != h:
            raise ValueError(f"W1 is {h}x{d} (d_out x d_in): x0 needs {d} entries and b1 {h}")
        if len(self.W2[0]) != h or len(self.b2) != len(self.W2) or len(self.y) != len(self.W2):
            raise ValueError(f"W2 must be k x {h} with b2 and y of k entries")
        return self


class Training6(GivenModel):
    probe_z: Vector = [-3.0, -0.5, 0.25, 2.0]
    init_layers: list[int] = [300, 200]
    layers: list[int]
    samples: int = 200
    data_seed: int = 0
    init_seed: int = 0
    eta: float = 0.01
    iterations: int = 100
    reduction: Reduction = "sum"
    min_accuracy: float = 0.9


class Approximation7(GivenModel):
    f: Literal["sin", "cos", "exp", "tanh", "abs", "square", "sigmoid"] = "sin"
    a: float = 0.0
    b: float = 6.0
    n: int = 5
    convergence_n: list[int] = [5, 10, 20, 40, 80]
    probe: list[float] = [0.5, 2.2, 3.9, 5.5]  # where approx is called; expected values follow the student's choices

    @model_validator(mode="after")
    def _grid(self):
        if self.n < 2 or min(self.convergence_n, default=2) < 2:
            raise ValueError("a grid needs at least n = 2 points")
        if not self.b > self.a:
            raise ValueError("the interval needs b > a")
        return self


GIVEN_MODELS = {"5": Network5, "6": Training6, "7": Approximation7}


def task5(g: Network5) -> dict[str, Any]:
    net = NeuralNetwork([len(g.x0), len(g.W1), len(g.W2)])
    net.weight = [common.as_array(g.W1), common.as_array(g.W2)]
    net.bias = [common.as_array(g.b1).reshape(-1, 1), common.as_array(g.b2).reshape(-1, 1)]
    x0 = common.as_array(g.x0).reshape(-1, 1)
    y = common.as_array(g.y).reshape(-1, 1)
    dW, db, E = net.backprop(x0, y)
    return {
        "5.x0": common.as_array(g.x0),
        "5.y": common.as_array(g.y),
        "5.W1": common.as_array(g.W1),
        "5.b1": common.as_array(g.b1),
        "5.W2": common.as_array(g.W2),
        "5.b2": common.as_array(g.b2),
        "5.s1": net._s[0].ravel(),
        "5.x1": net._x[1].ravel(),
        "5.s2": net._s[1].ravel(),
        "5.x2": net._x[2].ravel(),
        "5.E": E,
        "5.dE_dw1": dW[0],
        "5.dE_db1": db[0].ravel(),
        "5.dE_dw2": dW[1],
        "5.dE_db2": db[1].ravel(),
    }


@settled
def training_run(g: Training6, x: np.ndarray, y: np.ndarray) -> tuple[list[float], float]:
    """Part 2 (iii)'s run: the loss per iteration and the accuracy reached on the training data."""
    net = NeuralNetwork(g.layers, rng=np.random.default_rng(g.init_seed), reduction=g.reduction)
    losses = net.train(x, y, eta=g.eta, iterations=g.iterations)
    return losses, accuracy(net.forward(x), y)


def task6(g: Training6) -> dict[str, Any]:
    z = common.as_array(g.probe_z)
    x, y = toy_classification(g.samples, g.data_seed)
    losses, trained_accuracy = training_run(g, x, y)
    d_in, d_out = g.init_layers[0], g.init_layers[1]
    return {
        "6.probe_z": z,
        "6.relu": ReLU().evaluate(z),
        "6.relu_gradient": ReLU().gradient(z),
        "6.sigmoid": sigmoid().evaluate(z),
        "6.sigmoid_gradient": sigmoid().gradient(z),
        "6.init.layers": list(g.init_layers),
        "6.init.weight_std": glorot_std(d_in, d_out),
        "6.train.layers": list(g.layers),
        "6.train.eta": g.eta,
        # the same steps for a loss reduced the other way (a mean over the samples where the sheet sums, or back)
        "6.train.eta_other_reduction": g.eta * g.samples if g.reduction == "sum" else g.eta / g.samples,
        "6.train.iterations": g.iterations,
        "6.train.x": x,
        "6.train.y": y,
        "6.train.loss_first": losses[0],
        "6.train.loss_last": losses[-1],
        "6.train.accuracy": trained_accuracy,
        "6.train.min_accuracy": g.min_accuracy,
    }


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    key = task5(Network5.model_validate(given["5"]))
    key.update(task6(Training6.model_validate(given["6"])))
    g7 = Approximation7.model_validate(given["7"])
    f = NAMED_FUNCTIONS[g7.f]
    r = relu_approximation(f, g7.a, g7.b, g7.n)
    key.update(
        {
            "7.f": g7.f,
            "7.probe": np.asarray(g7.probe, dtype=np.float64),
            "7.x": r["x"],
            "7.h": r["h"],
            "7.b_": r["b_"],
            "7.f_": r["f_"],
            "7.A": r["A"],
            "7.lambda": r["lambda"],
            "7.max_error": max_error(f, g7.a, g7.b, g7.n),
            "7.convergence.n": list(g7.convergence_n),
            "7.convergence.max_error": [max_error(f, g7.a, g7.b, n) for n in g7.convergence_n],
        }
    )
    return key


# --- typical mistakes of Task 5, as the values they produce ----------------------------------------

def _without_half(given: dict[str, Any]) -> dict[str, Any]:
    """E = ||x2 - y||^2 without the 1/2: the loss and every gradient of Task 5 twice the sheet's."""
    key = task5(Network5.model_validate(given["5"]))
    return {name: 2 * key[name] for name in ("5.E", "5.dE_dw2", "5.dE_db2", "5.dE_dw1", "5.dE_db1")}


MISTAKES = [
    Mistake("missing-half", "the squared loss is missing its 1/2: E = 1/2 ||x2 - y||^2, whose gradient has no "
            "factor 2", _without_half),
    Combination("missing-activation-derivative", "the output error is not multiplied by the sigmoid's "
                "derivative sigma'(s2) = x2 (1 - x2)",
                (Slip("sigmoid_derivative", "drop-activation-derivative", where="layer 2"),)),
    Combination("missing-activation-derivatives", "no sigmoid derivative at all in the backward pass: multiply "
                "by sigma'(s) = x (1 - x) at every layer",
                (Slip("sigmoid_derivative", "drop-activation-derivative", where="layer 1"),
                 Slip("sigmoid_derivative", "drop-activation-derivative", where="layer 2"))),
    Combination("sigmoid-derivative-of-output", "the sigmoid's derivative is applied to the output x2 instead of "
                "s2: sigma'(s2) = x2 (1 - x2), not sigma(x2) (1 - sigma(x2))",
                (Slip("sigmoid_derivative", "derivative-of-output", where="layer 2"),)),
]
