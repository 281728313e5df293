"""Numpy building blocks shared by the sheet references.

Every sheet module composes these instead of re-deriving them, so a bug in
softmax or a derivative shows up in every sheet's tests at once rather than
hiding in one of them.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reference.steps import step

Array = np.ndarray


def as_array(value) -> Array:
    """Plain float64 copy: the reference never works on caller-owned buffers."""
    return np.array(value, dtype=np.float64)


@step("activation", formula="1 / (1 + exp(-x))")
def sigmoid(x) -> Array:
    """Logistic function, evaluated without overflow for large |x|."""
    x = as_array(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


@step("derivative", formula="sigmoid(x) * sigmoid(-x)")
def sigmoid_derivative(x) -> Array:
    """sigma(x) sigma(-x): equal to sigma (1 - sigma) but without the cancellation in
    1 - sigma(x) that makes the latter 0 from x ~ 37 on."""
    x = as_array(x)
    return sigmoid(x) * sigmoid(-x)


@step("activation", formula="2 * sigmoid(2 * x) - 1")
def tanh(x) -> Array:
    return np.tanh(as_array(x))


@step("derivative", formula="1 - tanh(x)**2")
def tanh_derivative(x) -> Array:
    t = np.tanh(as_array(x))
    return 1.0 - t * t


@step("activation")
def relu(x) -> Array:
    return np.maximum(as_array(x), 0.0)


@step("derivative")
def relu_derivative(x) -> Array:
    """Subgradient 0 at the kink, the convention of every sheet here."""
    return (as_array(x) > 0).astype(np.float64)


@step("activation", formula="maximum(x, alpha * x)")
def leaky_relu(x, alpha: float) -> Array:
    x = as_array(x)
    return np.where(x > 0, x, alpha * x)


@step("derivative")
def leaky_relu_derivative(x, alpha: float) -> Array:
    return np.where(as_array(x) > 0, 1.0, alpha)


@step("activation")
def softplus(x) -> Array:
    """log(1 + exp(x)) without overflow."""
    x = as_array(x)
    return np.logaddexp(0.0, x)


@step("activation")
def softmax(x, axis: int = -1) -> Array:
    """Stable softmax: the max shift keeps exp() finite for inputs like 1000."""
    x = as_array(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_backward(v, s) -> Array:
    """v @ J without forming J: z_i = s_i (v_i - v . s), row-wise for batches."""
    v = as_array(v)
    s = as_array(s)
    return s * (v - total(v * s, axis=-1, keepdims=True))


def cross_entropy(p, t, log: Callable[[Array], Array] | None = None) -> float:
    """-sum t log p over everything given (the sheets sum, they do not average)."""
    log = log or natural_log
    return float(-total(as_array(t) * log(as_array(p))))


@step("linear")
def linear(a, b, bias=None) -> Array:
    """a @ b + bias: the affine map of a layer, in whichever orientation the sheet writes it (W x + b for a
    column, X W + b for a batch of rows)."""
    product = as_array(a) @ as_array(b)
    return product if bias is None else product + as_array(bias)


@step("reduction")
def mean(x, axis=None, keepdims: bool = False) -> Array:
    return np.mean(as_array(x), axis=axis, keepdims=keepdims)


@step("reduction")
def total(x, axis=None, keepdims: bool = False) -> Array:
    """The sum over an axis (named so that it does not shadow Python's sum)."""
    return np.sum(as_array(x), axis=axis, keepdims=keepdims)


@step("log")
def natural_log(x) -> Array:
    return np.log(as_array(x))


@step("layer-input")
def layer_input(values, index: int, pre=None) -> Array:
    """The input of layer `index` in a gradient: values[index], where values[0] is the network's input and
    pre[i], when given, is the pre-activation that values[i] is the activation of."""
    return values[index]


@step("update")
def update(parameter, gradient, learning_rate: float) -> Array:
    """One gradient-descent step."""
    return as_array(parameter) - learning_rate * as_array(gradient)


def central_difference(f: Callable[[Array], float], x, eps: float = 1e-6) -> Array:
    """Gradient of a scalar function by central differences, one entry at a time.

    Used by the tests to check every analytic gradient independently, and later
    by the gradient check on the student's own forward pass.
    """
    x = as_array(x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        plus = x.copy()
        minus = x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        grad[idx] = (f(plus) - f(minus)) / (2.0 * eps)
    return grad


def to_plain(value):
    """numpy values -> JSON-ready Python values (nested lists, floats, ints, bools)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value
