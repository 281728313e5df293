"""TU Berlin machine learning, sheet 1: Laplace NLL, shared parameters, layered sigmoid nets.

The sheet gives no numbers, only derivations. The answers are formulas (graded
at random sample points) and, so a tutor can check a hand calculation, their
values at sample points the rubric states.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import model_validator

from reference import common
from reference.formula import Formula, FormulaMistake, Variable, call_with
from reference.given import GivenModel, Matrix, Vector

SHEET_ID = "tub-ml-sheet1"


# Exercise 1: Laplace negative log-likelihood, l(mu, t) = log(2 sigma) + |t - mu| / sigma

def laplace_nll(mu, t, sigma) -> np.ndarray:
    return np.log(2.0 * np.asarray(sigma, dtype=float)) + np.abs(np.asarray(t) - np.asarray(mu)) / sigma


def laplace_nll_grad_mu(mu, t, sigma) -> np.ndarray:
    """d l / d mu = sign(mu - t) / sigma (undefined at mu = t; sign gives 0 there)."""
    return np.sign(np.asarray(mu, dtype=float) - t) / sigma


def laplace_nll_grad_w(w, x, t, sigma) -> np.ndarray:
    """Chain rule through mu = w^T x: dl/dw = dl/dmu * dmu/dw = sign(w^T x - t) / sigma * x."""
    w = common.as_array(w)
    x = common.as_array(x)
    return laplace_nll_grad_mu(w @ x, t, sigma) * x


# Exercise 2: z3 = x1 w13, z4 = x2 w24, a = z^2 / 2, y = a3 + a4, l = (y - t)^2 / 2

def shared_forward(x1, x2, w13, w24) -> dict[str, float]:
    z3, z4 = x1 * w13, x2 * w24
    a3, a4 = 0.5 * z3**2, 0.5 * z4**2
    return {"z3": z3, "z4": z4, "a3": a3, "a4": a4, "y": a3 + a4}


def shared_loss(x1, x2, w13, w24, t) -> float:
    return 0.5 * (shared_forward(x1, x2, w13, w24)["y"] - t) ** 2


def shared_grad_w13(x1, x2, w13, w24, t):
    """dl/dw13 = (y - t) * da3/dz3 * dz3/dw13 = (y - t) * z3 * x1."""
    y = shared_forward(x1, x2, w13, w24)["y"]
    return (y - t) * x1**2 * w13


def shared_grad_w24(x1, x2, w13, w24, t):
    y = shared_forward(x1, x2, w13, w24)["y"]
    return (y - t) * x2**2 * w24


def w13_of_v(v):
    return common.softplus(v)


def w24_of_v(v):
    return -common.softplus(-np.asarray(v, dtype=float))


def shared_grad_v_from_partials(dl_dw13, dl_dw24, v):
    """Multivariate chain rule: dw13/dv = sigmoid(v), dw24/dv = sigmoid(-v)."""
    return dl_dw13 * common.sigmoid(v) + dl_dw24 * common.sigmoid(-np.asarray(v, dtype=float))


def shared_grad_v(x1, x2, v, t):
    w13, w24 = w13_of_v(v), w24_of_v(v)
    return shared_grad_v_from_partials(
        shared_grad_w13(x1, x2, w13, w24, t), shared_grad_w24(x1, x2, w13, w24, t), v
    )


# Exercise 3: a_next = sigmoid(a_prev @ W + b), W is d x h

def layer_forward(a_prev, W, b) -> np.ndarray:
    return common.sigmoid(common.as_array(a_prev) @ common.as_array(W) + common.as_array(b))


def dl_dz(a_next, dl_da_next) -> np.ndarray:
    """Relation (a): dl/dz_j = a_j (1 - a_j) dl/da_j."""
    a_next = common.as_array(a_next)
    return a_next * (1.0 - a_next) * common.as_array(dl_da_next)


def dl_da_prev(W, a_next, dl_da_next) -> np.ndarray:
    """Relation (b): dl/da^(l) = W (a^(l+1) * (1 - a^(l+1)) * dl/da^(l+1)), W is d x h."""
    return common.as_array(W) @ dl_dz(a_next, dl_da_next)


# Typical wrong formulas, named in the feedback when a student's formula agrees with one at every point.
LAPLACE_SIGN = "the derivative points the wrong way: check the inner derivative of |t - mu| with respect to mu"
_SQUARED = FormulaMistake("squared-error-gradient", "(mu - t) / sigma", "this is the gradient of a squared error (mu - t); the Laplace "
                          "NLL has |t - mu|, whose derivative is a sign", lambda mu, t, sigma: (mu - t) / sigma)
_ONE_PATH = "v is shared by w13 and w24: the multivariate chain rule adds the paths through both"
_SIGMOID_OF_OUTPUT = ("sigma' is applied to the output a: a already is sigma(z), so the derivative is written "
                      "in a alone")

def _shared_weight_mistakes(i: str, j: str, w: str, grad) -> tuple[FormulaMistake, ...]:
    """The chain-rule slips of dl/dw for the path x_i -> z_j = x_i w -> a_j = z_j^2 / 2 -> y of exercise 2."""
    y_minus_t = "(0.5*(x1*w13)**2 + 0.5*(x2*w24)**2 - t)"
    x = f"x{i}"
    return (
        FormulaMistake("missing-half", f"(x1**2*w13**2 + x2**2*w24**2 - 2*t) * {x}**2 * {w}",
                       "off by a factor 2: the loss (y - t)^2 / 2 carries a 1/2 that cancels the 2",
                       lambda **v: 2 * call_with(grad, v)),
        FormulaMistake("missing-activation-derivative", f"{y_minus_t} * {x}",
                       f"da{j}/dz{j} is missing: a{j} = z{j}^2 / 2 has the derivative z{j}",
                       lambda **v: call_with(grad, v) / (v[x] * v[w])),
        FormulaMistake("missing-inner-derivative", f"{y_minus_t} * {x} * {w}", f"dz{j}/d{w} = {x} is missing",
                       lambda **v: call_with(grad, v) / v[x]),
    )


# The names the sheet defines from its primitive variables: a formula may use them or write them out.
_SHARED = {"z3": lambda x1, w13: x1 * w13, "z4": lambda x2, w24: x2 * w24,
           "a3": lambda z3: 0.5 * z3**2, "a4": lambda z4: 0.5 * z4**2, "y": lambda a3, a4: a3 + a4}
_SHARED_V = {"w13": w13_of_v, "w24": w24_of_v, **_SHARED,
             "dl_dw13": shared_grad_w13, "dl_dw24": shared_grad_w24}
_LAYER = {"z": lambda a: np.log(a / (1.0 - a))}  # a = sigmoid(z)

FORMULAS: dict[str, Formula] = {
    "1.a.dl_dmu": Formula(
        "sign(mu - t) / sigma",
        laplace_nll_grad_mu,
        {"mu": Variable(), "t": Variable(), "sigma": Variable(kind="positive")},
        "gradient of the Laplace NLL with respect to the network output mu",
        (FormulaMistake("laplace-sign", "sign(t - mu) / sigma", LAPLACE_SIGN, lambda mu, t, sigma: np.sign(t - mu) / sigma),
         FormulaMistake("missing-scale", "sign(mu - t)", "the factor 1/sigma of |t - mu| / sigma is missing",
                        lambda mu, t, sigma: np.sign(mu - t) + 0 * sigma),
         _SQUARED),
    ),
    "1.b.dl_dw": Formula(
        "sign(w @ x - t) / sigma * x",
        laplace_nll_grad_w,
        {"w": Variable(("d",)), "x": Variable(("d",)), "t": Variable(), "sigma": Variable(kind="positive")},
        "gradient with respect to w for mu = w^T x",
        (FormulaMistake("laplace-sign", "sign(t - w @ x) / sigma * x", LAPLACE_SIGN, lambda w, x, t, sigma: np.sign(t - w @ x) / sigma * x),
         FormulaMistake("missing-inner-derivative", "sign(w @ x - t) / sigma", "dmu/dw = x is missing: the chain rule multiplies dl/dmu by it",
                        lambda w, x, t, sigma: np.sign(w @ x - t) / sigma)),
        defined={"mu": lambda w, x: w @ x},
    ),
    "2.b.dl_dw13": Formula(
        "(0.5*(x1*w13)**2 + 0.5*(x2*w24)**2 - t) * x1**2 * w13",
        shared_grad_w13,
        {n: Variable() for n in ("x1", "x2", "w13", "w24", "t")},
        mistakes=_shared_weight_mistakes("1", "3", "w13", shared_grad_w13),
        defined=_SHARED,
    ),
    "2.b.dl_dw24": Formula(
        "(0.5*(x1*w13)**2 + 0.5*(x2*w24)**2 - t) * x2**2 * w24",
        shared_grad_w24,
        {n: Variable() for n in ("x1", "x2", "w13", "w24", "t")},
        mistakes=_shared_weight_mistakes("2", "4", "w24", shared_grad_w24),
        defined=_SHARED,
    ),
    "2.c.dl_dv": Formula(
        "dl_dw13 * sigmoid(v) + dl_dw24 * sigmoid(-v)",
        shared_grad_v_from_partials,
        {n: Variable() for n in ("x1", "x2", "t", "v")},
        "multivariate chain rule through w13 = softplus(v), w24 = -softplus(-v); in dl_dw13, dl_dw24 and v, or "
        "written out in x1, x2, t and v",
        (FormulaMistake("shared-parameter-one-path", "dl_dw13 * sigmoid(v)", _ONE_PATH,
                        lambda dl_dw13, dl_dw24, v: dl_dw13 * common.sigmoid(v) + 0 * dl_dw24),
         FormulaMistake("shared-parameter-one-path", "dl_dw24 * sigmoid(-v)", _ONE_PATH,
                        lambda dl_dw13, dl_dw24, v: dl_dw24 * common.sigmoid(-v) + 0 * dl_dw13),
         FormulaMistake("shared-parameter-sign", "dl_dw13 * sigmoid(v) - dl_dw24 * sigmoid(-v)", "the two minus signs of w24 = -softplus(-v) cancel: dw24/dv is "
                        "positive", lambda dl_dw13, dl_dw24, v: dl_dw13 * common.sigmoid(v) - dl_dw24 * common.sigmoid(-v))),
        defined=_SHARED_V,
    ),
    "3.a.dl_dz": Formula(
        "a * (1 - a) * dl_da",
        lambda a, dl_da: dl_dz(a, dl_da),
        {"a": Variable(("h",), kind="unit"), "dl_da": Variable(("h",))},
        "a = a^(l+1), dl_da = dl/da^(l+1)",
        (FormulaMistake("missing-activation-derivative", "dl_da", "the sigmoid's derivative is missing: dl/dz = dl/da "
                        "times da/dz", lambda a, dl_da: dl_da + 0 * a),
         FormulaMistake("sigmoid-derivative-of-output", "sigmoid(a) * (1 - sigmoid(a)) * dl_da", _SIGMOID_OF_OUTPUT,
                        lambda a, dl_da: common.sigmoid(a) * (1 - common.sigmoid(a)) * dl_da)),
        defined=_LAYER,
        activation_inputs={"a": "z"},
    ),
    "3.b.dl_da_prev": Formula(
        "W @ (a * (1 - a) * dl_da)",
        lambda W, a, dl_da: dl_da_prev(W, a, dl_da),
        {"W": Variable(("d", "h")), "a": Variable(("h",), kind="unit"), "dl_da": Variable(("h",))},
        "W is d x h; a = a^(l+1), dl_da = dl/da^(l+1)",
        (FormulaMistake("missing-activation-derivative", "W @ dl_da", "the sigmoid's derivative between layer l+1's a and z "
                        "is missing", lambda W, a, dl_da: W @ dl_da + 0 * a.sum()),
         FormulaMistake("sigmoid-derivative-of-output", "W @ (sigmoid(a) * (1 - sigmoid(a)) * dl_da)", _SIGMOID_OF_OUTPUT,
                        lambda W, a, dl_da: W @ (common.sigmoid(a) * (1 - common.sigmoid(a)) * dl_da))),
        defined=_LAYER,
        activation_inputs={"a": "z"},
    ),
}

class LaplacePoint(GivenModel):
    w: Vector
    x: Vector
    t: float
    sigma: float

    @model_validator(mode="after")
    def _check(self):
        if len(self.w) != len(self.x):
            raise ValueError(f"w has {len(self.w)} entries but x has {len(self.x)}")
        if self.sigma <= 0:
            raise ValueError("sigma must be positive (it is the Laplace scale)")
        return self


class SharedPoint(GivenModel):
    x1: float
    x2: float
    t: float
    v: float


class LayerPoint(GivenModel):
    a_prev: Vector
    W: Matrix
    b: Vector
    dl_da_next: Vector

    @model_validator(mode="after")
    def _check(self):
        d, h = len(self.W), len(self.W[0])
        if len(self.a_prev) != d:
            raise ValueError(f"W is {d}x{h} (d x h) but a_prev has {len(self.a_prev)} entries")
        if len(self.b) != h or len(self.dl_da_next) != h:
            raise ValueError(f"W is {d}x{h} (d x h): b and dl_da_next need {h} entries")
        return self


GIVEN_MODELS = {"1": LaplacePoint, "2": SharedPoint, "3": LayerPoint}


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    key: dict[str, Any] = {name: f.text for name, f in FORMULAS.items()}

    g1 = LaplacePoint.model_validate(given["1"])
    w, x = common.as_array(g1.w), common.as_array(g1.x)
    mu = float(w @ x)
    key.update(
        {
            "1.sample.mu": mu,
            "1.sample.nll": float(laplace_nll(mu, g1.t, g1.sigma)),
            "1.sample.dl_dmu": float(laplace_nll_grad_mu(mu, g1.t, g1.sigma)),
            "1.sample.dl_dw": laplace_nll_grad_w(w, x, g1.t, g1.sigma),
        }
    )

    g2 = SharedPoint.model_validate(given["2"])
    w13, w24 = float(w13_of_v(g2.v)), float(w24_of_v(g2.v))
    fwd = shared_forward(g2.x1, g2.x2, w13, w24)
    key.update({"2.sample.w13": w13, "2.sample.w24": w24})
    key.update({f"2.sample.{k}": float(v) for k, v in fwd.items()})
    key.update(
        {
            "2.sample.loss": float(shared_loss(g2.x1, g2.x2, w13, w24, g2.t)),
            "2.sample.dl_dw13": float(shared_grad_w13(g2.x1, g2.x2, w13, w24, g2.t)),
            "2.sample.dl_dw24": float(shared_grad_w24(g2.x1, g2.x2, w13, w24, g2.t)),
            "2.sample.dl_dv": float(shared_grad_v(g2.x1, g2.x2, g2.v, g2.t)),
        }
    )

    g3 = LayerPoint.model_validate(given["3"])
    a_next = layer_forward(g3.a_prev, g3.W, g3.b)
    key.update(
        {
            "3.sample.a_next": a_next,
            "3.sample.dl_dz": dl_dz(a_next, g3.dl_da_next),
            "3.sample.dl_da_prev": dl_da_prev(g3.W, a_next, g3.dl_da_next),
        }
    )
    return key
