"""
code2.py -- Exercise 2 (Deep Learning, Leuphana SS24)
Nora Skalar, matriculation number 3049008
"""
import math

import numpy as np
import matplotlib.pyplot as plt


class ReLU:
    def evaluate(self, z):
        return np.maximum(0, z)

    def gradient(self, z):
        return np.where(z > 0, 1.0, 0.0)


class sigmoid:
    def evaluate(self, z):
        return 1 / (1 + np.exp(-z))

    def gradient(self, z):
        return self.evaluate(z) * self.evaluate(-z)


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        n_layers = len(neurons_per_layer) - 1
        self.activation = activations if activations is not None else [sigmoid() for _ in range(n_layers)]
        self.weight = []
        self.bias = []
        for l in range(n_layers):
            d_in, d_out = neurons_per_layer[l], neurons_per_layer[l + 1]
            self.weight.append(np.random.normal(loc=0.0, scale=math.sqrt(2 / (d_in + d_out)), size=(d_out, d_in)))
            self.bias.append(np.zeros((d_out, 1)))
        self._s = []
        self._x = []

    def forward(self, x):
        self._s = []
        self._x = [x]
        for l in range(len(self.weight)):
            self._s.append(self.weight[l] @ self._x[l] + self.bias[l])
            self._x.append(self.activation[l].evaluate(self._s[l]))
        return self._x[-1]

    def loss(self, y_prediction, y):
        # squared loss, summed over the batch
        return np.sum((y_prediction - y) ** 2) / 2

    def backprop(self, x, y):
        """dE/dW and dE/db for every layer (as two lists)."""
        y_prediction = self.forward(x)
        grad_x = y_prediction - y          # dE/dx^(L)
        grads_w = []
        grads_b = []
        for l in reversed(range(len(self.weight))):
            grad_s = grad_x * self.activation[l].gradient(self._s[l])
            grads_w.insert(0, grad_s @ self._x[l].T)
            grads_b.insert(0, grad_s.sum(axis=1, keepdims=True))
            grad_x = self.weight[l].T @ grad_s
        return grads_w, grads_b

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for it in range(iterations):
            losses.append(self.loss(self.forward(x), y))
            grads_w, grads_b = self.backprop(x, y)
            for l in range(len(self.weight)):
                self.weight[l] -= eta * grads_w[l]
                self.bias[l] -= eta * grads_b[l]
        return losses


# Task 5 check
nw = NeuralNetwork([2, 3, 2])
nw.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
nw.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
print(nw.forward(np.array([[1.0], [2.0]])).T, nw.backprop(np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])))

# toy problem
rs = np.random.RandomState(99)
x_toy = np.c_[rs.normal(-1, 0.8, (2, 100)), rs.normal(1, 0.8, (2, 100))]
y_toy = np.r_[np.zeros(100), np.ones(100)][None, :]
net = NeuralNetwork([2, 3, 1])
losses = net.train(x_toy, y_toy, eta=0.05, iterations=300)
plt.subplot(121)
plt.plot(losses)
plt.subplot(122)
plt.scatter(x_toy[0], x_toy[1], c=net.forward(x_toy)[0], cmap="RdYlGn")
plt.colorbar()
plt.show()


# Task 7: our own f, written for one number at a time
def f(t):
    return math.exp(-t / 2) * math.sin(2 * t)


n = 25
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = x - h
f_ = np.array([f(xi) for xi in x])
A = np.tril(np.arange(1, n + 1)[:, None] - np.arange(n)[None, :])
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    x = np.asarray(x, dtype=float)
    return np.array([np.dot(lambda_, np.maximum(0, xi - b_)) for xi in x.ravel()]).reshape(x.shape)


grid = np.linspace(a, b, 500)
plt.figure()
plt.plot(grid, [f(g) for g in grid], label="f")
plt.plot(grid, approx(grid), label=f"ReLU network, n = {n}")
plt.legend()
plt.show()
