"""Saarland NNTI winter 2023/24, sheet 7, exercises 7.2 and 7.3.

A 2-3-2 network without biases: h = leaky_relu(W_hidden^T x), p = softmax(W_out^T h),
L = -sum y log p (natural log). Weights are given (in, out), so every gradient is
returned in that orientation: dL/dW_hidden is 2x3 and dL/dW_out is 3x2.

7.3 is the project's own notebook (the course's is not public): the same network
on a batch, one sample per row, so Z_hidden = X W_hidden (which is W_hidden^T x for
one sample) and the loss is the mean cross-entropy over the batch.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import model_validator

from reference import common
from reference.given import GivenModel, Matrix, Vector
from reference.mistakes import Combination, Mistake, Slip
from reference.steps import settled, step

SHEET_ID = "nnti-ws2324-sheet7"


class Network72(GivenModel):
    x: Vector
    y: Vector
    W_hidden: Matrix
    W_out: Matrix
    alpha: float = 0.01
    learning_rate: float = 0.1

    @model_validator(mode="after")
    def _shapes_agree(self):
        wh, wo = np.array(self.W_hidden), np.array(self.W_out)
        if wh.shape[0] != len(self.x):
            raise ValueError(f"W_hidden has {wh.shape[0]} rows but x has {len(self.x)} entries (weights are (in, out))")
        if wo.shape[0] != wh.shape[1]:
            raise ValueError(f"W_out has {wo.shape[0]} rows but W_hidden has {wh.shape[1]} columns")
        if wo.shape[1] != len(self.y):
            raise ValueError(f"W_out has {wo.shape[1]} columns but y has {len(self.y)} entries")
        return self


class Notebook73(GivenModel):
    z: Vector  # inputs of the activation functions
    logits: Matrix  # inputs of softmax, one row per sample; large entries test the max shift
    targets: Matrix  # one-hot targets of the logits' rows, for the cross-entropy on its own
    X: Matrix  # the batch, one sample per row
    Y: Matrix  # one-hot targets, one row per sample
    alpha: float = 0.01
    learning_rate: float = 0.05
    epochs: int = 100

    @model_validator(mode="after")
    def _shapes_agree(self):
        if np.shape(self.X)[0] != np.shape(self.Y)[0]:
            raise ValueError(f"X has {np.shape(self.X)[0]} rows but Y has {np.shape(self.Y)[0]}")
        if not np.allclose(np.sum(self.Y, axis=1), 1.0):
            raise ValueError("every row of Y must be one-hot")
        if np.shape(self.logits) != np.shape(self.targets):
            raise ValueError("logits and targets need the same shape")
        return self


GIVEN_MODELS = {"7.2": Network72, "7.3": Notebook73}
OPTIONAL_GIVEN = {"7.3"}  # a rubric without the notebook tasks needs no notebook data


def batch_forward(X, W_hidden, W_out, alpha: float) -> dict[str, np.ndarray]:
    X = common.as_array(X)
    z_hidden = common.linear(X, W_hidden, where="hidden layer")
    h = common.leaky_relu(z_hidden, alpha, where="hidden layer")
    z_out = common.linear(h, W_out, where="output layer")
    return {"z_hidden": z_hidden, "h": h, "z_out": z_out, "p": common.softmax(z_out, axis=1, where="output layer")}


def batch_loss(p, Y) -> float:
    """Mean over the rows of -sum_k y_k log p_k."""
    p, Y = common.as_array(p), common.as_array(Y)
    per_sample = -common.total(Y * common.natural_log(p), axis=1, where="over the classes")
    return float(common.mean(per_sample, where="over the batch"))


def batch_backward(X, Y, W_hidden, W_out, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(dL/dW_hidden, dL/dW_out) of the mean loss: the single-sample chain rule of 7.2 averaged over rows."""
    X, Y, W_out = common.as_array(X), common.as_array(Y), common.as_array(W_out)
    fwd = batch_forward(X, W_hidden, W_out, alpha)
    inputs, pre = [X, fwd["h"]], [None, fwd["z_hidden"]]
    dz_out = softmax_cross_entropy_gradient(fwd["p"], Y) / X.shape[0]
    dW_out = common.linear(common.layer_input(inputs, 1, pre, where="output layer").T, dz_out)
    dz_hidden = dz_out @ W_out.T * common.leaky_relu_derivative(fwd["z_hidden"], alpha, where="hidden layer")
    return common.linear(common.layer_input(inputs, 0, pre, where="hidden layer").T, dz_hidden), dW_out


@settled
def train(X, Y, W_hidden, W_out, alpha: float, learning_rate: float, epochs: int) -> list[float]:
    """Full-batch gradient descent; the loss of the weights before each step."""
    W_hidden, W_out = common.as_array(W_hidden), common.as_array(W_out)
    losses = []
    for _ in range(epochs):
        losses.append(batch_loss(batch_forward(X, W_hidden, W_out, alpha)["p"], Y))
        dW_hidden, dW_out = batch_backward(X, Y, W_hidden, W_out, alpha)
        W_hidden = common.update(W_hidden, dW_hidden, learning_rate, where="W_hidden")
        W_out = common.update(W_out, dW_out, learning_rate, where="W_out")
    return losses


def notebook_key(g: Notebook73, W_hidden: np.ndarray, W_out: np.ndarray) -> dict[str, Any]:
    z, logits = common.as_array(g.z), common.as_array(g.logits)
    fwd = batch_forward(g.X, W_hidden, W_out, g.alpha)
    dW_hidden, dW_out = batch_backward(g.X, g.Y, W_hidden, W_out, g.alpha)
    losses = train(g.X, g.Y, W_hidden, W_out, g.alpha, g.learning_rate, g.epochs)
    softmax_logits = common.softmax(logits, axis=1)
    key = {f"7.3.{name}": common.as_array(getattr(g, name)) for name in ("z", "logits", "targets", "X", "Y")}
    key.update({
        "7.3.alpha": g.alpha, "7.3.learning_rate": g.learning_rate, "7.3.epochs": g.epochs,
        "7.3.leaky_relu": common.leaky_relu(z, g.alpha),
        "7.3.leaky_relu_grad": common.leaky_relu_derivative(z, g.alpha),
        "7.3.softmax": softmax_logits,
        "7.3.cross_entropy": batch_loss(softmax_logits, g.targets),
        **{f"7.3.{name}": value for name, value in fwd.items()},
        "7.3.loss": batch_loss(fwd["p"], g.Y),
        "7.3.dW_hidden": dW_hidden, "7.3.dW_out": dW_out,
        "7.3.W_hidden_new": common.update(W_hidden, dW_hidden, g.learning_rate, where="W_hidden"),
        "7.3.W_out_new": common.update(W_out, dW_out, g.learning_rate, where="W_out"),
        "7.3.initial_loss": losses[0], "7.3.final_loss": losses[-1],
    })
    return key


def forward(x, W_hidden, W_out, alpha: float) -> dict[str, np.ndarray]:
    x = common.as_array(x).reshape(-1)
    W_hidden = common.as_array(W_hidden)
    W_out = common.as_array(W_out)
    z_hidden = common.linear(W_hidden.T, x, where="hidden layer")
    h = common.leaky_relu(z_hidden, alpha, where="hidden layer")
    z_out = common.linear(W_out.T, h, where="output layer")
    p = common.softmax(z_out, where="output layer")
    return {"x": x, "z_hidden": z_hidden, "h": h, "z_out": z_out, "p": p}


@step("loss-gradient", formula="p - y")
def softmax_cross_entropy_gradient(p, y) -> np.ndarray:
    """dL/dz of softmax followed by the cross-entropy, fused: p - y."""
    return common.as_array(p) - common.as_array(y)


def loss(p, y) -> float:
    return common.cross_entropy(p, y)


def backward(fwd: dict[str, np.ndarray], y, W_out, alpha: float) -> dict[str, np.ndarray]:
    """Chain rule through softmax + cross-entropy (fused: dL/dz_out = p - y)."""
    y = common.as_array(y).reshape(-1)
    W_out = common.as_array(W_out)
    inputs, pre = [fwd["x"], fwd["h"]], [None, fwd["z_hidden"]]
    dL_dz_out = softmax_cross_entropy_gradient(fwd["p"], y)
    dL_dW_out = np.outer(common.layer_input(inputs, 1, pre, where="output layer"), dL_dz_out)
    dL_dh = W_out @ dL_dz_out
    dL_dz_hidden = dL_dh * common.leaky_relu_derivative(fwd["z_hidden"], alpha, where="hidden layer")
    dL_dW_hidden = np.outer(common.layer_input(inputs, 0, pre, where="hidden layer"), dL_dz_hidden)
    return {
        "dL_dz_out": dL_dz_out,
        "dL_dW_out": dL_dW_out,
        "dL_dh": dL_dh,
        "dL_dz_hidden": dL_dz_hidden,
        "dL_dW_hidden": dL_dW_hidden,
    }


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    g = Network72.model_validate(given["7.2"])
    x = common.as_array(g.x)
    y = common.as_array(g.y)
    W_hidden = common.as_array(g.W_hidden)
    W_out = common.as_array(g.W_out)
    fwd = forward(x, W_hidden, W_out, g.alpha)
    L1 = loss(fwd["p"], y)
    grads = backward(fwd, y, W_out, g.alpha)
    W_out_new = common.update(W_out, grads["dL_dW_out"], g.learning_rate, where="W_out")
    W_hidden_new = common.update(W_hidden, grads["dL_dW_hidden"], g.learning_rate, where="W_hidden")
    fwd2 = forward(x, W_hidden_new, W_out_new, g.alpha)
    L2 = loss(fwd2["p"], y)
    key: dict[str, Any] = {
        "7.2.x": x,
        "7.2.y": y,
        "7.2.W_hidden": W_hidden,
        "7.2.W_out": W_out,
        "7.2.z_hidden": fwd["z_hidden"],
        "7.2.h": fwd["h"],
        "7.2.z_out": fwd["z_out"],
        "7.2.p": fwd["p"],
        "7.2.L1": L1,
    }
    key.update({f"7.2.{name}": value for name, value in grads.items()})
    key.update(
        {
            "7.2.W_out_new": W_out_new,
            "7.2.W_hidden_new": W_hidden_new,
            "7.2.z_hidden_2": fwd2["z_hidden"],
            "7.2.h_2": fwd2["h"],
            "7.2.z_out_2": fwd2["z_out"],
            "7.2.p_2": fwd2["p"],
            "7.2.L2": L2,
            "7.2.loss_decreased": bool(L2 < L1),
        }
    )
    if "7.3" in given:
        key.update(notebook_key(Notebook73.model_validate(given["7.3"]), W_hidden, W_out))
    return key


# --- typical mistakes of 7.2 and 7.3, as the values they produce ---------------------------------

def _with(given: dict[str, Any], section: str, **changes: Any) -> dict[str, Any]:
    return {**given, section: {**given[section], **changes}}


def _section(key: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k: v for k, v in key.items() if k.startswith(prefix)}


def _summed_over_batch(given: dict[str, Any]) -> dict[str, Any]:
    """The batch loss and its gradients summed over the rows where the notebook asks for the mean."""
    key = answer_key(given)
    n = len(key["7.3.X"])
    rows = len(key["7.3.targets"])
    return {"7.3.cross_entropy": rows * key["7.3.cross_entropy"], "7.3.loss": n * key["7.3.loss"],
            "7.3.dW_hidden": n * key["7.3.dW_hidden"], "7.3.dW_out": n * key["7.3.dW_out"]}


def _softmax_overflow(given: dict[str, Any]) -> dict[str, Any]:
    """exp() without the max shift: nan where a logit is near 1000, exact elsewhere."""
    logits = common.as_array(Notebook73.model_validate(given["7.3"]).logits)
    with np.errstate(all="ignore"):
        e = np.exp(logits)
        return {"7.3.softmax": e / e.sum(axis=1, keepdims=True)}


def _slope(given: dict[str, Any], alpha: float) -> dict[str, Any]:
    """Both parts computed with another leaky-ReLU slope: 7.2 by hand and the 7.3 notebook's functions (plain
    ReLU keeps to 7.2: in 7.3, ReLU's derivative alone has a combination of its own, relu-derivative)."""
    key = answer_key(_with(_with(given, "7.2", alpha=alpha), "7.3", alpha=alpha))  # both parts in one run
    return {k: v for k, v in key.items() if k.startswith(("7.2.", "7.3.")) and k != "7.3.alpha"}


MISTAKES = [
    Mistake("plain-relu", "this is what plain ReLU gives: the hidden layer is a leaky ReLU with slope 0.01 for "
            "negative inputs", lambda given: _section(answer_key(_with(given, "7.2", alpha=0.0)), "7.2.")),
    Mistake("leaky-slope", "this is what a leaky-ReLU slope of 0.1 gives: the sheet's slope is 0.01",
            lambda given: _slope(given, 0.1)),
    Combination("log10", "the cross-entropy uses log base 10: use the natural log",
                (Slip("natural_log", "log-base", label="10"),)),
    Combination("log2", "the cross-entropy uses log base 2: use the natural log",
                (Slip("natural_log", "log-base", label="2"),)),
    Combination("missing-activation-derivative", "the backward pass drops the activation's derivative: multiply "
                "dL/dh by leaky_relu'(z_hidden) before going to the hidden weights",
                (Slip("leaky_relu_derivative", "drop-activation-derivative"),), through_training=True),
    Combination("gradient-ascent", "the update adds the gradient (ascent): gradient descent subtracts learning "
                "rate times gradient", (Slip("update", "update-sign"),)),
    Combination("update-twice", "the update is applied twice: one step subtracts learning rate times gradient "
                "once", (Slip("update", "update-twice"),)),
    Combination("update-without-learning-rate", "the whole gradient is subtracted: multiply it by the learning "
                "rate", (Slip("update", "drop-learning-rate"),)),
    Mistake("summed-over-batch", "the loss or its gradient is summed over the batch; the notebook's loss is the "
            "mean over the rows, so divide by the batch size", _summed_over_batch),
    Mistake("softmax-overflow", "exp() overflows for logits near 1000: subtract each row's maximum before exp() "
            "(softmax does not change)", _softmax_overflow),
    Combination("softmax-wrong-axis", "softmax normalises the columns: each row (one sample) must sum to 1",
                (Slip("softmax", "wrong-axis", label="axis 0"),)),
    Combination("relu-derivative", "this is ReLU's derivative: leaky ReLU's is alpha, not 0, for z <= 0",
                (Slip("leaky_relu_derivative", "sibling-function", label="relu"),)),
]
