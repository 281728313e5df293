# Exercise sheet 6 -- Clara Loops (2590103)
# I wrote everything with loops so I understand what happens element by element.
import math
import numpy as np


def _sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(x):
    arr = np.asarray(x, dtype=float)
    out = np.zeros(arr.shape)
    for idx, v in np.ndenumerate(arr):
        out[idx] = _sig(v)
    return out


def tanh(x):
    arr = np.asarray(x, dtype=float)
    out = np.zeros(arr.shape)
    for idx, v in np.ndenumerate(arr):
        out[idx] = math.tanh(v)
    return out


def relu(x):
    arr = np.asarray(x, dtype=float)
    out = np.zeros(arr.shape)
    for idx, v in np.ndenumerate(arr):
        out[idx] = v if v > 0 else 0.0
    return out


def _softmax_row(row):
    m = max(row)
    exps = [math.exp(v - m) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


def softmax(x):
    arr = np.asarray(x, dtype=float)
    flat = arr.reshape(-1, arr.shape[-1])       # rows along the last axis
    out = np.zeros(flat.shape)
    for r in range(flat.shape[0]):
        out[r] = _softmax_row(list(flat[r]))
    return out.reshape(arr.shape)


def sigmoid_derivative(x):
    arr = np.asarray(x, dtype=float)
    out = np.zeros(arr.shape)
    for idx, v in np.ndenumerate(arr):
        out[idx] = _sig(v) * _sig(-v)
    return out


def tanh_derivative(x):
    arr = np.asarray(x, dtype=float)
    out = np.zeros(arr.shape)
    for idx, v in np.ndenumerate(arr):
        out[idx] = 1.0 - math.tanh(v) ** 2
    return out


def forward(x, W1, W2):
    x = list(np.ravel(x))
    n_in, n_hidden, n_out = len(W1), len(W1[0]), len(W2[0])
    h = []
    for j in range(n_hidden):
        s = 0.0
        for i in range(n_in):
            s += x[i] * W1[i][j]
        h.append(s if s > 0 else 0.0)
    z = []
    for k in range(n_out):
        s = 0.0
        for j in range(n_hidden):
            s += h[j] * W2[j][k]
        z.append(s)
    return np.array(_softmax_row(z))
