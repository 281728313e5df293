"""Saarland NNTI winter 2023/24, sheet 7, exercise 7.2.

A 2-3-2 network without biases: h = leaky_relu(W_hidden^T x), p = softmax(W_out^T h),
L = -sum y log p (natural log). Weights are given (in, out), so every gradient is
returned in that orientation: dL/dW_hidden is 2x3 and dL/dW_out is 3x2.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import model_validator

from reference import common
from reference.given import GivenModel, Matrix, Vector

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


GIVEN_MODELS = {"7.2": Network72}


def forward(x, W_hidden, W_out, alpha: float) -> dict[str, np.ndarray]:
    x = common.as_array(x).reshape(-1)
    W_hidden = common.as_array(W_hidden)
    W_out = common.as_array(W_out)
    z_hidden = W_hidden.T @ x
    h = common.leaky_relu(z_hidden, alpha)
    z_out = W_out.T @ h
    p = common.softmax(z_out)
    return {"x": x, "z_hidden": z_hidden, "h": h, "z_out": z_out, "p": p}


def loss(p, y) -> float:
    return common.cross_entropy(p, y)


def backward(fwd: dict[str, np.ndarray], y, W_out, alpha: float) -> dict[str, np.ndarray]:
    """Chain rule through softmax + cross-entropy (fused: dL/dz_out = p - y)."""
    y = common.as_array(y).reshape(-1)
    W_out = common.as_array(W_out)
    dL_dz_out = fwd["p"] - y
    dL_dW_out = np.outer(fwd["h"], dL_dz_out)
    dL_dh = W_out @ dL_dz_out
    dL_dz_hidden = dL_dh * common.leaky_relu_derivative(fwd["z_hidden"], alpha)
    dL_dW_hidden = np.outer(fwd["x"], dL_dz_hidden)
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
    W_out_new = W_out - g.learning_rate * grads["dL_dW_out"]
    W_hidden_new = W_hidden - g.learning_rate * grads["dL_dW_hidden"]
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
    return key
