"""TU Darmstadt statistical machine learning, summer 2023, homework 4.

4.1: softmax / cross-entropy / tanh derivatives as formulas; 4.2: the course's
framework (NNModule, LossModule, NNModel) implemented in numpy with the real
interface: row-major data, X (batch, features), Linear computes X @ W + b with
W (in, out), gradients accumulated (summed) over the batch, one loss per sample.
4.3: the JAX/Flax notebook's networks, checked on a fixed batch of 28x28 digits
(the 8x8 digits scaled up) against numpy forward passes of the student's own
parameters (reference/flax_networks.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import model_validator

from reference import common, datasets, flax_networks
from reference.jax_notebook import RECOMPUTE, Notebook43, notebook_data  # noqa: F401 (RECOMPUTE: the sheet's)
from reference.formula import Formula, FormulaMistake, Variable
from reference.given import GivenModel
from reference.mistakes import Combination, Mistake, Slip
from reference.steps import settled
from reference.tuda_framework import (  # noqa: F401 (the sheet's framework, as tests and checks name it)
    ARCHITECTURES, CrossEntropyLoss, LinearModule, LossModule, NNModel, NNModule, NNModuleParameterFree,
    SoftMaxModule, TanhModule, classification_accuracy, cross_entropy_gradient, gradient_descent, tanh_backward,
    train)

SHEET_ID = "tuda-sml-ss23-hw4"


# 4.1

def softmax_jacobian_from_output(s) -> np.ndarray:
    """J = diag(s) - s s^T, in terms of the softmax outputs only."""
    s = common.as_array(s)
    return np.diag(s) - np.outer(s, s)


def cross_entropy_jacobian(z, t) -> np.ndarray:
    """dL/dz for L = -sum t ln z: -t / z (a 1 x C row)."""
    return -common.as_array(t) / common.as_array(z)


FORMULAS: dict[str, Formula] = {
    "4.1.a.jacobian": Formula(
        "diag(s) - outer(s, s)",
        softmax_jacobian_from_output,
        {"s": Variable(("C",), kind="simplex")},
        "softmax Jacobian from the softmax outputs s",
        (FormulaMistake("softmax-diagonal", "diag(s * (1 - s))", "only the diagonal s_i (1 - s_i): softmax couples its outputs, so the "
                        "off-diagonal entries are not zero", lambda s: np.diag(s * (1 - s))),),
        vectors="row",  # the sheet writes x, s, v, z and t as 1 x C rows
    ),
    "4.1.b.z": Formula(
        "s * (v - v @ s)",
        lambda v, s: common.softmax_backward(v, s),
        {"v": Variable(("C",)), "s": Variable(("C",), kind="simplex")},
        "v times the softmax Jacobian without forming it",
        (FormulaMistake("softmax-diagonal", "s * (1 - s) * v", "only the Jacobian's diagonal s (1 - s) is used: softmax couples its "
                        "outputs", lambda v, s: s * (1 - s) * v),),
        vectors="row",  # the sheet writes x, s, v, z and t as 1 x C rows
    ),
    "4.1.d.jacobian": Formula(
        "-t / z",
        cross_entropy_jacobian,
        {"z": Variable(("C",), kind="simplex"), "t": Variable(("C",), kind="simplex")},
        "Jacobian of L(z, t) = -sum t ln z",
        (FormulaMistake("cross-entropy-sign", "t / z", "the minus of L = -sum t ln z is lost", lambda z, t: t / z),
         FormulaMistake("fused-cross-entropy-gradient", "z - t", "this is the fused softmax + cross-entropy gradient with "
                        "respect to the softmax's input; 4.1.d asks for the derivative with respect to z itself",
                        lambda z, t: z - t)),
        vectors="row",  # the sheet writes x, s, v, z and t as 1 x C rows
    ),
    "4.1.e.derivative": Formula(
        "1 - tanh(x)**2",
        common.tanh_derivative,
        {"x": Variable()},
        "derivative of tanh",
        (FormulaMistake("sigmoid-derivative-form", "tanh(x) * (1 - tanh(x))",
                        "this is the sigmoid's derivative form s (1 - s), applied to tanh",
                        lambda x: np.tanh(x) * (1 - np.tanh(x))),
         FormulaMistake("tanh-derivative-sign", "1 + tanh(x)**2", "the sign inside is flipped: tanh flattens out, so its derivative "
                        "is at most 1", lambda x: 1 + np.tanh(x) ** 2)),
    ),
}


class Training42(GivenModel):
    probe_seed: int = 0
    probe_batch: int = 5
    probe_in: int = 4
    probe_out: int = 3
    init_in: int = 300
    init_out: int = 200
    dataset: str = "sklearn-digits"
    subset: int | None = None
    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 0.01
    seed: int = 0
    min_accuracy_linear: float = 0.9
    min_accuracy_deep: float = 0.9

    @model_validator(mode="after")
    def _positive(self):
        if self.epochs < 1 or self.batch_size < 1 or self.learning_rate <= 0:
            raise ValueError("epochs, batch_size and learning_rate must be positive")
        return self


GIVEN_MODELS = {"4.2": Training42, "4.3": Notebook43}


@settled
def run_experiment(name: str, g: Training42, data: datasets.Digits) -> dict[str, Any]:
    rng = np.random.default_rng(g.seed)
    model = NNModel(ARCHITECTURES[name](data.x_train.shape[1], data.classes, rng))
    _, curve = train(model, CrossEntropyLoss(), data.x_train, data.t_train, g.epochs, g.batch_size, g.learning_rate,
                     np.random.RandomState(g.seed).permutation)
    return {"loss_curve": curve, "test_accuracy": classification_accuracy(model.fprop(data.x_test), data.t_test)}


LARGE_LOGITS = 1000.0  # exp(1000) overflows float64: only a softmax with the max shift is finite there


def probe(g: Training42) -> dict[str, Any]:
    """Fixed small inputs for module checks, and what each reference module makes of them."""
    rng = np.random.default_rng(g.probe_seed)
    n, d, c = g.probe_batch, g.probe_in, g.probe_out
    X = rng.normal(size=(n, d))
    W = rng.normal(size=(d, c))
    b = rng.normal(size=c)
    G = rng.normal(size=(n, c))
    Z = rng.normal(scale=3.0, size=(n, c))
    T = np.eye(c)[rng.integers(0, c, size=n)]
    lin = LinearModule(d, c)
    lin.initialize_parameters()
    lin.W, lin.b = W.copy(), b.copy()
    sm, tanh, ce = SoftMaxModule(), TanhModule(), CrossEntropyLoss()
    dW, db = (lin.fprop(X), lin.get_batch_gradient_parameters(G))[1]
    P = sm.fprop(Z)
    ce.set_target_values(T)
    model = NNModel([(LinearModule, {"number_input_neurons": d, "number_output_neurons": c}), (SoftMaxModule, {})])
    model.initialize_neural_network()
    model.nn_modules[0].W, model.nn_modules[0].b = W.copy(), b.copy()
    return {
        "4.2.probe.X": X, "4.2.probe.W": W, "4.2.probe.b": b, "4.2.probe.G": G, "4.2.probe.Z": Z, "4.2.probe.T": T,
        "4.2.probe.linear_out": lin.fprop(X),
        "4.2.probe.linear_dW": dW,
        "4.2.probe.linear_db": db,
        "4.2.probe.linear_back": lin.bprop(G),
        "4.2.probe.softmax_out": P,
        "4.2.probe.softmax_back": sm.bprop(G),
        # 4.1.c: "for stability reasons" the softmax subtracts the row maximum; logits around 1000 show whether
        "4.2.probe.Z_large": Z + LARGE_LOGITS,
        "4.2.probe.softmax_out_large": SoftMaxModule().fprop(Z + LARGE_LOGITS),
        "4.2.probe.tanh_out": tanh.fprop(Z),
        "4.2.probe.tanh_back": tanh.bprop(G),
        "4.2.probe.ce_loss": ce.calculate_loss(P),
        "4.2.probe.ce_gradient": ce.calculate_loss_gradient(),
        "4.2.probe.model_out": model.fprop(X),
        "4.2.init.in": g.init_in,
        "4.2.init.out": g.init_out,
        "4.2.init.weight_std": float(np.sqrt(2.0 / (g.init_in + g.init_out))),
    }


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    key: dict[str, Any] = {name: f.text for name, f in FORMULAS.items()}
    g = Training42.model_validate(given["4.2"])
    key.update(probe(g))
    data = datasets.load(g.dataset, g.subset)
    key["4.2.data.train_samples"] = int(len(data.x_train))
    key["4.2.data.test_samples"] = int(len(data.x_test))
    key["4.2.data.features"] = int(data.x_train.shape[1])
    key["4.2.data.classes"] = int(data.classes)
    # Inputs of the training checks: the student's framework trains on the same data in the child.
    key["4.2.data.x_train"], key["4.2.data.t_train"] = data.x_train, data.t_train
    key["4.2.data.x_test"], key["4.2.data.t_test"] = data.x_test, data.t_test
    key["4.2.epochs"], key["4.2.batch_size"] = g.epochs, g.batch_size
    key["4.2.learning_rate"], key["4.2.seed"] = g.learning_rate, g.seed
    key["4.2.learning_rate_given"] = g.learning_rate  # the rubric's, where a student's main.py sets its own
    for name in ARCHITECTURES:
        result = run_experiment(name, g, data)
        key[f"4.2.{name}.loss_curve"] = result["loss_curve"]
        key[f"4.2.{name}.test_accuracy"] = result["test_accuracy"]
    key["4.2.min_accuracy_linear"] = g.min_accuracy_linear
    key["4.2.min_accuracy_deep"] = g.min_accuracy_deep
    n = Notebook43.model_validate(given.get("4.3", {}))
    key.update(notebook_data(data, n))
    key["4.3.learning_rate"], key["4.3.relu_as_activation"] = n.learning_rate, n.relu_as_activation
    key["4.3.batch_size"] = n.batch_size
    key["4.data.source"] = datasets.describe(g.dataset)
    key["4.3.mlp_shapes"] = [list(shape) for shape in flax_networks.MLP_SHAPES]
    key["4.3.cnn_shapes"] = [list(shape) for shape in flax_networks.CNN_SHAPES]
    return key


# --- typical mistakes of 4.2's modules, as the values they produce ---------------------------------

def _probe_mistakes(given: dict[str, Any]) -> dict[str, dict[str, Any]]:
    key = probe(Training42.model_validate(given["4.2"]))
    X, G, Z, T = key["4.2.probe.X"], key["4.2.probe.G"], key["4.2.probe.Z"], key["4.2.probe.T"]
    P = common.softmax(Z, axis=-1)
    n = X.shape[0]
    return {
        "softmax-diagonal": {"4.2.probe.softmax_back": P * (1 - P) * G},
        "fused-cross-entropy-gradient": {"4.2.probe.ce_gradient": P - T},
        "gradient-averaged": {"4.2.probe.linear_dW": X.T @ G / n, "4.2.probe.linear_db": G.sum(axis=0) / n},
        "tanh-derivative-of-output": {"4.2.probe.tanh_back": (1 - np.tanh(np.tanh(Z)) ** 2) * G},
        "tanh-derivative-of-input": {"4.2.probe.tanh_back": (1 - Z ** 2) * G},
        "softmax-pass-through": {"4.2.probe.softmax_back": G},
        "softmax-overflow": {"4.2.probe.softmax_out_large": _unshifted_softmax(key["4.2.probe.Z_large"])},
        # the same without the shift inside a log-sum-exp: exp(z - inf) is 0 everywhere
        "softmax-overflow-logsumexp": {"4.2.probe.softmax_out_large": np.zeros_like(key["4.2.probe.Z_large"])},
    }


def _unshifted_softmax(Z: np.ndarray) -> np.ndarray:
    """The softmax without 4.1.c's max shift: nan where exp overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(Z)
        return e / e.sum(axis=-1, keepdims=True)


MISTAKES = [
    Mistake("softmax-diagonal", "only the Jacobian's diagonal s (1 - s) is used: softmax couples its outputs, "
            "the backward pass is s * (v - sum(v * s))", lambda g: _probe_mistakes(g)["softmax-diagonal"]),
    Mistake("fused-cross-entropy-gradient", "this is the fused softmax + cross-entropy gradient p - t; the "
            "loss module alone returns dL/dp = -t / p", lambda g: _probe_mistakes(g)["fused-cross-entropy-gradient"]),
    Mistake("gradient-averaged", "the parameter gradients are averaged over the batch; the framework "
            "accumulates (sums) them", lambda g: _probe_mistakes(g)["gradient-averaged"]),
    Mistake("tanh-derivative-of-output", "tanh's derivative is applied to the stored output: 1 - tanh(z)^2 "
            "uses the input z, or 1 - y^2 with the output y", lambda g: _probe_mistakes(g)["tanh-derivative-of-output"]),
    Mistake("tanh-derivative-of-input", "1 - x^2 is written in the input x: that form of tanh's derivative needs "
            "the output y = tanh(x), so keep y from fprop", lambda g: _probe_mistakes(g)["tanh-derivative-of-input"]),
    Mistake("softmax-pass-through", "the softmax's backward pass returns the gradient unchanged: that only works "
            "paired with a loss returning the fused p - t; on its own the module multiplies by its Jacobian",
            lambda g: _probe_mistakes(g)["softmax-pass-through"]),
    Mistake("softmax-overflow", "exp() overflows for logits around 1000: subtract each row's maximum before exp(), "
            "as 4.1.c shows you may", lambda g: _probe_mistakes(g)["softmax-overflow"]),
    Mistake("softmax-overflow", "exp() overflows for logits around 1000 inside the log-sum-exp: subtract each row's "
            "maximum before exp(), as 4.1.c shows you may", lambda g: _probe_mistakes(g)["softmax-overflow-logsumexp"]),
    Combination("softmax-wrong-axis", "softmax normalises the columns (over the batch): each row, one sample, "
                "must sum to 1", (Slip("softmax", "wrong-axis", label="axis 0"),)),
]
