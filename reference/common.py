"""Numpy building blocks shared by the sheet references.

Every sheet module composes these instead of re-deriving them, so a bug in
softmax or a derivative shows up in every sheet's tests at once rather than
hiding in one of them.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def as_array(value) -> Array:
    """Plain float64 copy: the reference never works on caller-owned buffers."""
    return np.array(value, dtype=np.float64)


def sigmoid(x) -> Array:
    """Logistic function, evaluated without overflow for large |x|."""
    x = as_array(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def sigmoid_derivative(x) -> Array:
    """sigma(x) sigma(-x): equal to sigma (1 - sigma) but without the cancellation in
    1 - sigma(x) that makes the latter 0 from x ~ 37 on."""
    x = as_array(x)
    return sigmoid(x) * sigmoid(-x)


def tanh(x) -> Array:
    return np.tanh(as_array(x))


def tanh_derivative(x) -> Array:
    t = np.tanh(as_array(x))
    return 1.0 - t * t


def relu(x) -> Array:
    return np.maximum(as_array(x), 0.0)


def relu_derivative(x) -> Array:
    """Subgradient 0 at the kink, the convention of every sheet here."""
    return (as_array(x) > 0).astype(np.float64)


def leaky_relu(x, alpha: float) -> Array:
    x = as_array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, alpha: float) -> Array:
    return np.where(as_array(x) > 0, 1.0, alpha)


def softplus(x) -> Array:
    """log(1 + exp(x)) without overflow."""
    x = as_array(x)
    return np.logaddexp(0.0, x)


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
    return s * (v - np.sum(v * s, axis=-1, keepdims=True))


def cross_entropy(p, t, log: Callable[[Array], Array] = np.log) -> float:
    """-sum t log p over everything given (the sheets sum, they do not average)."""
    return float(-np.sum(as_array(t) * log(as_array(p))))


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
