"""NNTI sheet 6 -- Uwe Ungerade 25920009"""
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(np.minimum(x, 0)) / (1 + np.exp(-np.abs(x)))


def tanh(x):
    return np.tanh(x)


def relu(x):
    return np.maximum(x, 0.0)


def softmax(x):
    z = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def sigmoid_derivative(x):
    return sigmoid(x) * (1 - sigmoid(x))


def tanh_derivative(x):
    return 1 - np.tanh(x) ** 2


def forward(x, W1, W2):
    h = relu(np.asarray(x, dtype=float) @ np.asarray(W1, dtype=float))
    return softmax(h @ np.asarray(W2, dtype=float))
