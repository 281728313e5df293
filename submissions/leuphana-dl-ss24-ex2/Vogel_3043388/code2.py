# Exercise 2 -- Tobias Vogel, 3043388
import numpy as np
import matplotlib.pyplot as plt


class Relu:
    def evaluate(self, z):
        return np.maximum(0.0, z)

    def gradient(self, z):
        return 1.0 * (z > 0)


class sigmoid:
    def evaluate(self, z):
        return 1.0 / (1.0 + np.exp(-z))

    def gradient(self, z):
        s = 1.0 / (1.0 + np.exp(-z))
        return s * (1.0 - s)


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        self.weight = []
        self.bias = []
        for d_in, d_out in zip(neurons_per_layer[:-1], neurons_per_layer[1:]):
            self.weight.append(np.random.normal(0.0, np.sqrt(2.0 / (d_in + d_out)), (d_out, d_in)))
            self.bias.append(np.zeros((d_out, 1)))
        if activations is None:
            self.activation = [sigmoid() for _ in self.weight]
        else:
            self.activation = activations
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
        return 0.5 * np.sum((y_prediction - y) ** 2), (y_prediction - y)

    def backprop(self, x, y):
        # TODO: Part 2 (i)
        raise NotImplementedError

    def train(self, x, y, eta=.01, iterations=100):
        # TODO: Part 2 (ii)
        raise NotImplementedError


net = NeuralNetwork([2, 3, 2])
net.weight[0] = np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]])
net.weight[1] = np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])
net.bias[0] = np.array([[0.3], [-0.1], [1.2]])
net.bias[1] = np.array([[-0.6], [0.5]])
out = net.forward(np.array([[1.0], [2.0]]))
print("x2 =", out.ravel())

# Part 2 (iii): TODO once backprop works
# net = NeuralNetwork([2, 3, 1])
# losses = net.train(X, Y, eta=0.05, iterations=300)


# Task 7
f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = x - h
f_ = f(x)
A = np.tril(np.fromfunction(lambda i, j: i - j + 1, (n, n)))
# TODO: solve h * A * lambda = f_ and write approx(x)
