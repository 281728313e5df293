"""NNTI sheet 6 -- Sara Skalar 25920003. The functions take a real number x, as in 6.1 ("for x in R")."""
import math


def sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def tanh(x):
    return math.tanh(x)


def relu(x):
    return x if x > 0 else 0.0


def sigmoid_derivative(x):
    return sigmoid(x) * sigmoid(-x)


def tanh_derivative(x):
    return 1.0 / math.cosh(x) ** 2 if abs(x) < 350 else 0.0


def softmax(y):
    m = max(y)
    e = [math.exp(v - m) for v in y]
    s = sum(e)
    return [v / s for v in e]


def forward(x, W1, W2):
    hidden = len(W1[0])
    h = [relu(sum(x[i] * W1[i][j] for i in range(len(x)))) for j in range(hidden)]
    z = [sum(h[j] * W2[j][k] for j in range(hidden)) for k in range(len(W2[0]))]
    return softmax(z)
