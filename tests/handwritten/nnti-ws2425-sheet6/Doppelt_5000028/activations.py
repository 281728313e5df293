"""
Neural Networks: Theory and Implementation -- Sheet 6
Eva Tanh 2590105
"""
import numpy as np


def sigmoid(x):
    # sigma(x) = (1 + tanh(x/2)) / 2, no overflow possible
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def tanh(x):
    return np.tanh(np.asarray(x, dtype=float))


def relu(x):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.0)


def softmax(x):
    x = np.asarray(x, dtype=float)
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def sigmoid_derivative(x):
    s = sigmoid(x)          # in terms of the output
    return s * (1 - s)


def tanh_derivative(x):
    t = tanh(x)             # in terms of the output
    return 1 - tanh(t) ** 2


def forward(x, W1, W2):
    """Column convention like in the lecture: x is a column (3, 1), h = relu(W1^T x),
    o = softmax(W2^T h). Returns a column (2, 1)."""
    x = np.asarray(x, dtype=float).reshape(-1, 1)
    h = relu(np.asarray(W1, dtype=float).T @ x)
    z = np.asarray(W2, dtype=float).T @ h
    return softmax(z.T).T


# ---- quick checks -------------------------------------------------------
x = np.array([[1.0], [2.0], [1.0]])
W1 = np.array([[2, -1], [1, -3], [-2, 5]], dtype=float)
W2 = np.array([[6, 2], [-1, 8]], dtype=float)
print("h =", relu(W1.T @ x).ravel())
print("o =", forward(x, W1, W2).ravel())
print("sigma(-3) + sigma(3) =", sigmoid(-3) + sigmoid(3))
print("tanh(1) vs 2 sigma(2) - 1:", tanh(1.0), 2 * sigmoid(2.0) - 1)
print("softmax([1000, 1001]) =", softmax(np.array([1000.0, 1001.0])))
