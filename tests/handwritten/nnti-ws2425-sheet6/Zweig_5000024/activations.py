# Ida Dot, 2590109 -- NNTI exercise sheet 6
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(-x) / (1.0 + np.exp(-x)))


def tanh(x):
    x = np.asarray(x, dtype=float)
    return np.tanh(x)


def relu(x):
    x = np.array(x, dtype=float, copy=True)
    x[x < 0] = 0.0
    return x


def _softmax_1d(v):
    v = v - np.max(v)
    e = np.exp(v)
    return e / np.sum(e)


def softmax(x):
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return np.ones_like(x)
    return np.apply_along_axis(_softmax_1d, -1, x)


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * sigmoid(-np.asarray(x, dtype=float))


def tanh_derivative(x):
    return 1.0 - np.tanh(np.asarray(x, dtype=float)) ** 2


def forward(x, W1, W2):
    """One sample (3,) -> (2,); a batch (N, 3) -> (N, 2), one sample at a time."""
    x = np.asarray(x, dtype=float)
    W1, W2 = np.asarray(W1, dtype=float), np.asarray(W2, dtype=float)
    if x.ndim == 1:
        return softmax(np.dot(relu(np.dot(x, W1)), W2))
    return np.stack([forward(row, W1, W2) for row in x])
