#!/usr/bin/env python3
"""Deep Learning (Leuphana, SS 2024), exercise sheet 2.

Author: Tim Hauptblock (3049005)

Run `python code2.py` to see the checks, the toy problem and the Task 7 plots; importing the file
only defines the classes and the Task 7 quantities.
"""
import numpy as np
import matplotlib.pyplot as plt


class ReLU:
    def evaluate(self, z):
        return np.clip(z, 0, None)

    def gradient(self, z):
        return np.heaviside(z, 0.0)


class sigmoid:
    def evaluate(self, z):
        # sigma(z) = (1 + tanh(z/2)) / 2 never overflows
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))

    def gradient(self, z):
        s = self.evaluate(z)
        return s - s ** 2


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None, seed=None):
        self.neurons_per_layer = tuple(neurons_per_layer)
        depth = len(self.neurons_per_layer) - 1
        if activations is None:
            activations = [sigmoid() for _ in range(depth)]
        assert len(activations) == depth, "one activation per layer"
        self.activation = list(activations)
        rng = np.random.default_rng(seed)
        self.weight, self.bias = [], []
        for d_in, d_out in zip(self.neurons_per_layer, self.neurons_per_layer[1:]):
            self.weight.append(rng.standard_normal((d_out, d_in)) * np.sqrt(2.0 / (d_in + d_out)))
            self.bias.append(np.zeros((d_out, 1)))
        self._s, self._x = [], []

    def forward(self, x):
        x = np.atleast_2d(np.asarray(x, dtype=float))
        self._x, self._s = [x], []
        for W, b, phi in zip(self.weight, self.bias, self.activation):
            self._s.append(np.matmul(W, self._x[-1]) + b)
            self._x.append(phi.evaluate(self._s[-1]))
        return self._x[-1]

    def loss(self, y_prediction, y):
        residual = np.asarray(y_prediction) - np.asarray(y)
        return 0.5 * np.sum(np.square(residual)), residual

    def backprop(self, x, y):
        value, upstream = self.loss(self.forward(x), y)
        weight_gradients, bias_gradients = [], []
        for W, s, x_in, phi in reversed(list(zip(self.weight, self._s, self._x[:-1], self.activation))):
            delta = upstream * phi.gradient(s)
            weight_gradients.append(np.matmul(delta, x_in.T))
            bias_gradients.append(delta.sum(axis=1, keepdims=True))
            upstream = np.matmul(W.T, delta)
        return weight_gradients[::-1], bias_gradients[::-1], value

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for _ in range(iterations):
            dW, db, value = self.backprop(x, y)
            self.weight = [W - eta * g for W, g in zip(self.weight, dW)]
            self.bias = [b - eta * g for b, g in zip(self.bias, db)]
            losses.append(float(value))
        return losses


# ---------------------------------------------------------------- Task 7
f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = a + (np.arange(1, n + 1) - 2) * h
f_ = f(x)
A = np.fromfunction(lambda i, j: np.where(j <= i, i - j + 1, 0), (n, n), dtype=int).astype(float)

# forward substitution, row by row: h * (A[i, :i] @ lambda[:i] + A[i, i] * lambda[i]) = f_[i]
lambda_ = np.empty(n)
for i in range(n):
    lambda_[i] = (f_[i] / h - A[i, :i] @ lambda_[:i]) / A[i, i]


def approx(x):
    x = np.asarray(x, dtype=float)
    return (lambda_ * np.maximum(0.0, x[..., np.newaxis] - b_)).sum(axis=-1)


def max_error(fun, lo, hi, m):
    grid = np.linspace(lo, hi, m)
    step = grid[1] - grid[0]
    M = np.fromfunction(lambda i, j: np.where(j <= i, i - j + 1, 0), (m, m), dtype=int)
    lam = np.linalg.solve(step * M, fun(grid))
    t = np.linspace(lo, hi, 2001)
    return np.abs(fun(t) - np.maximum(0, t[:, None] - (grid - step)) @ lam).max()


def main():
    # Task 5 check
    net = NeuralNetwork([2, 3, 2])
    net.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
    net.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
    dW, db, E = net.backprop([[1.0], [2.0]], [[0.0], [1.0]])
    for l, (s, xl) in enumerate(zip(net._s, net._x[1:]), 1):
        print(f"s{l} = {s.ravel()}   x{l} = {xl.ravel()}")
    print("E =", E, "\ndW =", dW, "\ndb =", db)

    # toy problem
    rng = np.random.default_rng(2024)
    X = rng.uniform(-2, 2, size=(2, 300))
    Y = (X[0] + X[1] > 0).astype(float)[None, :]
    clf = NeuralNetwork([2, 3, 1], seed=1)
    losses = clf.train(X, Y, eta=0.05, iterations=1000)
    print("accuracy:", np.mean((clf.forward(X) > 0.5) == (Y > 0.5)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    ax1.semilogy(losses)
    ax2.scatter(X[0], X[1], c=clf.forward(X).ravel(), cmap="viridis", s=8)
    plt.show()

    # Task 7
    t = np.linspace(a, b, 400)
    plt.plot(t, f(t), t, approx(t))
    plt.show()
    for m in (5, 10, 20, 40, 80):
        print(f"n = {m:2d}: max error {max_error(f, a, b, m):.2e}")


if __name__ == "__main__":
    main()
