"""NNTI exercise sheet 6 -- activation functions and the 3-2-2 network of exercise 6.3.

Group: Lea Krueger (2581234), Max Hartmann (2579911)
"""
import numpy as np


def sigmoid(x):
    """Logistic function; written so that exp never overflows."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))            # always <= 1
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(x):
    return np.tanh(np.asarray(x, dtype=float))


def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def softmax(x):
    """Softmax over the last axis. Subtracting the maximum does not change the
    result (exercise 6.1.4) but keeps exp() from overflowing."""
    x = np.asarray(x, dtype=float)
    e = np.exp(x - np.max(x, axis=-1))
    return e / np.sum(e, axis=-1, keepdims=True)


def sigmoid_derivative(x):
    # sigma'(x) = sigma(x) * (1 - sigma(x)) = sigma(x) * sigma(-x)
    return sigmoid(x) * sigmoid(-np.asarray(x, dtype=float))


def tanh_derivative(x):
    # tanh'(x) = 1 - tanh(x)^2
    t = tanh(x)
    return 1.0 - t * t


def forward(x, W1, W2):
    """Exercise 6.3: h = relu(x W1), o = softmax(h W2), weights (in, out), no biases."""
    h = relu(np.asarray(x, dtype=float) @ np.asarray(W1, dtype=float))
    return softmax(h @ np.asarray(W2, dtype=float))


if __name__ == "__main__":
    x = np.array([1.0, 2.0, 1.0])
    W1 = np.array([[2.0, -1.0], [1.0, -3.0], [-2.0, 5.0]])
    W2 = np.array([[6.0, 2.0], [-1.0, 8.0]])
    o = forward(x, W1, W2)
    print("h =", relu(x @ W1))
    print("o =", o, "-> class", np.argmax(o))
    print("softmax([1000, 1001]) =", softmax(np.array([1000.0, 1001.0])))
