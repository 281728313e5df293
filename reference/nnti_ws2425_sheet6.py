"""Saarland NNTI winter 2024/25, sheet 6: activations, output/loss choices, a 3-2-2 forward pass.

The code part is a student file `activations.py` (sigmoid, tanh, relu, softmax over
the last axis, sigmoid_derivative, tanh_derivative, forward(x, W1, W2)). The
identities of 6.1 are checked on the student's own functions through PROPERTIES.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from reference import common
from reference.formula import Formula, FormulaMistake, OtherSolution, Variable
from reference.given import GivenModel, Matrix, Vector
from reference.mistakes import Combination, Mistake, Slip
from reference.properties import Property, bound_residual

SHEET_ID = "nnti-ws2425-sheet6"

# The student file's functions, by name, as the reference implements them.
FUNCTIONS = {
    "sigmoid": common.sigmoid,
    "tanh": common.tanh,
    "relu": common.relu,
    "softmax": common.softmax,
    "sigmoid_derivative": common.sigmoid_derivative,
    "tanh_derivative": common.tanh_derivative,
}


def _rows(x: np.ndarray, shift: float) -> np.ndarray:
    """Inputs for softmax properties: rows of 4 taken from x, optionally shifted."""
    n = (x.size // 4) * 4
    return x[:n].reshape(-1, 4) + shift


def _softmax_slip(x: np.ndarray, outputs) -> tuple[str, str] | None:
    """Overflow without the max shift, or rows and columns confused."""
    if any(not np.all(np.isfinite(o)) for o in outputs):
        return ("softmax-overflow", "exp() overflows for inputs near 1000: subtract each row's maximum before "
                                    "exp(); softmax does not change")
    first = np.asarray(outputs[0])
    if first.ndim == 2 and first.shape[0] > 1 and np.allclose(first.sum(axis=0), 1.0) \
            and not np.allclose(first.sum(axis=-1), 1.0):
        return ("softmax-wrong-axis", "softmax normalises the columns: each row (the last axis) must sum to 1")
    return None


PROPERTIES: dict[str, Property] = {
    p.name: replace(p, reference=FUNCTIONS)
    for p in [
        Property(
            "sigmoid_symmetry",
            "sigma(-x) = 1 - sigma(x)",
            lambda x: [("sigmoid", x), ("sigmoid", -x)],
            lambda x, o: o[1] - (1.0 - o[0]),
            domain=40.0,
            edge_inputs=(0.0, 1e-8, 700.0, -700.0),
        ),
        Property(
            "tanh_via_sigmoid",
            "tanh(x) = 2 sigma(2x) - 1",
            lambda x: [("tanh", x), ("sigmoid", 2.0 * x)],
            lambda x, o: o[0] - (2.0 * o[1] - 1.0),
            domain=20.0,
            edge_inputs=(0.0, 350.0, -350.0),
        ),
        Property(
            "sigmoid_derivative_identity",
            "sigma'(x) = (1 - sigma(x)) sigma(x) = sigma(-x) sigma(x)",
            lambda x: [("sigmoid_derivative", x), ("sigmoid", x), ("sigmoid", -x)],
            lambda x, o: np.concatenate([o[0] - (1.0 - o[1]) * o[1], o[0] - o[2] * o[1]]),
            domain=40.0,
        ),
        Property(
            "tanh_derivative_identity",
            "tanh'(x) = 4 (1 - sigma(2x)) sigma(2x)",
            lambda x: [("tanh_derivative", x), ("sigmoid", 2.0 * x)],
            lambda x, o: o[0] - 4.0 * (1.0 - o[1]) * o[1],
            domain=20.0,
        ),
        Property(
            "sigmoid_derivative_bounds",
            "0 < sigma'(x) <= 1/4",
            lambda x: [("sigmoid_derivative", x)],
            lambda x, o: bound_residual(o[0], 0.0, 0.25, common.sigmoid_derivative(x)),
            domain=30.0,  # beyond |x| ~ 745 the true value underflows to 0 in float64
            tol=1e-12,
        ),
        Property(
            "tanh_derivative_bounds",
            "0 < tanh'(x) <= 1",
            lambda x: [("tanh_derivative", x)],
            lambda x, o: bound_residual(o[0], 0.0, 1.0, common.tanh_derivative(x)),
            domain=15.0,  # 1 - tanh(x)^2 rounds to 0 in float64 from |x| ~ 19 on
            tol=1e-12,
        ),
        Property(
            "softmax_sums_to_one",
            "softmax rows are positive and sum to 1",
            lambda x: [("softmax", _rows(x, 0.0))],
            lambda x, o: np.concatenate([np.sum(o[0], axis=-1) - 1.0, bound_residual(o[0], 0.0, 1.0, common.softmax(_rows(x, 0.0))).ravel()]),
            domain=50.0,
            edge_inputs=(0.0, 0.0, 0.0, 0.0),
            diagnose=_softmax_slip,
            by_rows=True,  # the sheet's softmax(y) is a function of one vector y
        ),
        Property(
            "softmax_shift_invariance",
            "softmax(y + c) = softmax(y), also for c = 1000",
            lambda x: [("softmax", _rows(x, 0.0)), ("softmax", _rows(x, 3.5)), ("softmax", _rows(x, 1000.0)), ("softmax", _rows(x, -1000.0))],
            lambda x, o: np.concatenate([(o[i] - o[0]).ravel() for i in (1, 2, 3)]),
            domain=10.0,
            tol=1e-9,
            edge_inputs=(0.0, 1.0, 2.0, 3.0),
            diagnose=_softmax_slip,
            by_rows=True,  # the sheet's softmax(y) is a function of one vector y
        ),
        Property(
            "softmax_no_overflow",
            "softmax of inputs around 1000 is finite and correct",
            lambda x: [("softmax", _rows(x, 1000.0))],
            lambda x, o: (o[0] - common.softmax(_rows(x, 1000.0))).ravel(),
            domain=10.0,
            tol=1e-9,
            edge_inputs=(0.0, 1.0, 2.0, 3.0),
            diagnose=_softmax_slip,
            by_rows=True,  # the sheet's softmax(y) is a function of one vector y
        ),
    ]
}


def forward(x, W1, W2) -> dict[str, np.ndarray]:
    """h = relu(x W1), o = softmax(h W2); weights are (in, out), x is (3,) or a batch of rows."""
    z1 = common.linear(x, W1, where="hidden layer")
    h = common.relu(z1, where="hidden layer")
    z2 = common.linear(h, W2, where="output layer")
    return {"z1": z1, "h": h, "z2": z2, "o": common.softmax(z2, where="output layer")}


# 6.1.2: sigma(a) = (1 + tanh(a / 2)) / 2, so a sigmoid hidden layer equals a tanh one
# with halved first-layer parameters, halved output weights and shifted output biases.

def sigmoid_network(x, W1, b1, W2, b2) -> np.ndarray:
    """y_k = sigma(sum_j W2[k, j] h_j + b2[k]), h_j = sigma(sum_i W1[j, i] x_i + b1[j])."""
    h = common.sigmoid(common.as_array(W1) @ common.as_array(x) + common.as_array(b1))
    return common.sigmoid(common.as_array(W2) @ h + common.as_array(b2))


def tanh_network(x, W1, b1, W2, b2) -> np.ndarray:
    h = np.tanh(common.as_array(W1) @ common.as_array(x) + common.as_array(b1))
    return common.sigmoid(common.as_array(W2) @ h + common.as_array(b2))


def sigmoid_to_tanh(W1, b1, W2, b2) -> dict[str, np.ndarray]:
    W1, b1, W2, b2 = (common.as_array(a) for a in (W1, b1, W2, b2))
    return {"W1": W1 / 2.0, "b1": b1 / 2.0, "W2": W2 / 2.0, "b2": b2 + W2.sum(axis=1) / 2.0}


_NET_VARS = {
    "W1": Variable(("M", "D")),
    "b1": Variable(("M",)),
    "W2": Variable(("K", "M")),
    "b2": Variable(("K",)),
}
_SAME_FUNCTION = "but tanh(a) is not the same function of a as sigma(a)"
_RANGE = "but the hidden values now lie in (-1, 1) instead of (0, 1)"
_UNCHANGED = {"W1": f"the first layer's weights are taken over unchanged, {_SAME_FUNCTION}",
              "b1": f"the first layer's biases are taken over unchanged, {_SAME_FUNCTION}",
              "W2": f"the output weights are taken over unchanged, {_RANGE}"}
_FORMULA_MISTAKES: dict[str, tuple[FormulaMistake, ...]] = {
    name: (FormulaMistake("not-halved", name, message, (lambda name: lambda **v: common.as_array(v[name]))(name)),)
    for name, message in _UNCHANGED.items()
}
_FORMULA_MISTAKES["b2"] = (
    FormulaMistake("shift-sign", "b2 - sum(W2, 1) / 2", "the shift of b2 has the wrong sign",
                   lambda W1, b1, W2, b2: b2 - W2.sum(axis=1) / 2),
    FormulaMistake("not-halved", "b2 + sum(W2, 1)", "the shift of b2 has the wrong size",
                   lambda W1, b1, W2, b2: b2 + W2.sum(axis=1)),
    FormulaMistake("shift-missing", "b2", f"the output biases are taken over unchanged, {_RANGE}: the output's "
                   "input moves, and the bias has to make up for it", lambda W1, b1, W2, b2: b2 + 0 * W2.sum(axis=1)),
)
FORMULAS: dict[str, Formula] = {
    f"6.1.2.{name}": Formula(text, (lambda name: lambda **v: sigmoid_to_tanh(**v)[name])(name), _NET_VARS,
                             f"{name} of the equivalent tanh network, from the sigmoid network's W1, b1, W2, b2",
                             _FORMULA_MISTAKES[name])
    for name, text in {"W1": "W1 / 2", "b1": "b1 / 2", "W2": "W2 / 2", "b2": "b2 + sum(W2, 1) / 2"}.items()
}

# tanh is odd: the same network with every hidden unit's sign flipped (-W1/2, -b1/2, -W2/2, the same b2) is right too.
def sigmoid_to_flipped_tanh(W1, b1, W2, b2) -> dict[str, np.ndarray]:
    same = sigmoid_to_tanh(W1, b1, W2, b2)
    return {"W1": -same["W1"], "b1": -same["b1"], "W2": -same["W2"], "b2": same["b2"]}


def _flipped(name: str) -> Formula:
    text = FORMULAS[f"6.1.2.{name}"].text
    return replace(FORMULAS[f"6.1.2.{name}"], fn=lambda **v: sigmoid_to_flipped_tanh(**v)[name],
                   text=text if name == "b2" else f"-({text})", mistakes=())


OTHER_SOLUTIONS: tuple[OtherSolution, ...] = (OtherSolution(
    "the tanh network with every hidden unit's sign flipped (tanh is odd)",
    {f"6.1.2.{name}": _flipped(name) for name in ("W1", "b1", "W2", "b2")}),)


# 6.2: the expected output function and loss per scenario (canonical names; the rubric
# lists the synonyms a choice check accepts).
SCENARIOS = {
    "a": ("binary classification: misinformation or not", "sigmoid", "binary cross-entropy"),
    "b": ("multi-class classification: one fruit type per image", "softmax", "categorical cross-entropy"),
    "c": ("regression: distance to the nearest obstacle", "linear", "mean squared error"),
    "d": ("multi-label classification: several tags per video", "sigmoid", "binary cross-entropy"),
    "e": ("next-word prediction over a hierarchically organised 100k vocabulary", "hierarchical softmax",
          "categorical cross-entropy"),
}


class Network63(GivenModel):
    x: Vector = Field(description="assumed input: the sheet's figure is missing from the text")
    W1: Matrix
    W2: Matrix

    @model_validator(mode="after")
    def _shapes_agree(self):
        if len(self.W1) != len(self.x):
            raise ValueError(f"W1 has {len(self.W1)} rows but x has {len(self.x)} entries (weights are (in, out))")
        if len(self.W2) != len(self.W1[0]):
            raise ValueError(f"W2 has {len(self.W2)} rows but W1 has {len(self.W1[0])} columns")
        return self


class Equivalence612(GivenModel):
    """A sample sigmoid network (rows = units, as in the sheet's w_ji) to illustrate 6.1.2."""

    x: Vector
    W1: Matrix
    b1: Vector
    W2: Matrix
    b2: Vector

    @model_validator(mode="after")
    def _shapes_agree(self):
        M, D = len(self.W1), len(self.W1[0])
        if len(self.x) != D or len(self.b1) != M:
            raise ValueError(f"W1 is {M}x{D} (units x inputs): x needs {D} entries and b1 {M}")
        if len(self.W2[0]) != M or len(self.b2) != len(self.W2):
            raise ValueError(f"W2 must be K x {M} and b2 must have K entries")
        return self


GIVEN_MODELS = {"6.1.2": Equivalence612, "6.3": Network63}


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    key: dict[str, Any] = {f"property.{name}": p.statement for name, p in PROPERTIES.items()}
    key.update({name: f.text for name, f in FORMULAS.items()})

    e = Equivalence612.model_validate(given["6.1.2"])
    tanh_params = sigmoid_to_tanh(e.W1, e.b1, e.W2, e.b2)
    key.update({f"6.1.2.sample.tanh_{k}": v for k, v in tanh_params.items()})
    key["6.1.2.sample.y_sigmoid"] = sigmoid_network(e.x, e.W1, e.b1, e.W2, e.b2)
    key["6.1.2.sample.y_tanh"] = tanh_network(e.x, **tanh_params)

    for letter, (_, output, loss) in SCENARIOS.items():
        key[f"6.2.{letter}.output"] = output
        key[f"6.2.{letter}.loss"] = loss

    g = Network63.model_validate(given["6.3"])
    fwd = forward(g.x, g.W1, g.W2)
    key.update(
        {
            "6.3.x": common.as_array(g.x),
            "6.3.W1": common.as_array(g.W1),
            "6.3.W2": common.as_array(g.W2),
            "6.3.z1": fwd["z1"],
            "6.3.h": fwd["h"],
            "6.3.z2": fwd["z2"],
            "6.3.o": fwd["o"],
            "6.3.predicted_class": int(np.argmax(fwd["o"])),
        }
    )
    return key


# --- typical mistakes of 6.3, as the values they produce -----------------------------------------

MISTAKES = [
    Combination("missing-relu", "the hidden layer has no ReLU: h = relu(x W1)",
                (Slip("relu", "pre-activation", where="hidden layer"),)),
    Combination("sigmoid-output", "the output uses sigmoid per unit: softmax normalises over the classes",
                (Slip("softmax", "sibling-function", where="output layer", label="sigmoid"),)),
    Combination("missing-softmax", "the output is the raw score h W2: apply softmax to it",
                (Slip("softmax", "pre-activation", where="output layer"),)),
    Mistake("classes-from-one", "classes are counted from 1 here",
            lambda g: {"6.3.predicted_class": answer_key(g)["6.3.predicted_class"] + 1}),
]
