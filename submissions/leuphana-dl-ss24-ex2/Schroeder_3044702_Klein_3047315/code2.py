# Exercise 2 - Deep Learning SS24
# Julia Schroeder 3044702, David Klein 3047315
import numpy as np
import matplotlib.pyplot as plt


class ReLU:
    def evaluate(self, z):
        return np.maximum(z, 0)

    def gradient(self, z):
        return np.where(z > 0, 1.0, 0.0)


class Sigmoid:
    def evaluate(self, z):
        return 1.0 / (1.0 + np.exp(-z))

    def gradient(self, z):
        return self.evaluate(z) * (1.0 - self.evaluate(z))


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        L = len(neurons_per_layer) - 1
        self.activation = activations if activations is not None else [Sigmoid() for _ in range(L)]
        # TODO (a): initialise the weights
        self.weight = [np.random.randn(neurons_per_layer[l + 1], neurons_per_layer[l]) * np.sqrt(1.0 / neurons_per_layer[l])
                       for l in range(L)]
        # TODO (b): initialise the biases
        self.bias = [np.zeros((neurons_per_layer[l + 1], 1)) for l in range(L)]
        self._s = []
        self._x = []

    def forward(self, x):
        # TODO (c): forward pass
        self._x = [x]
        self._s = []
        for W, b, act in zip(self.weight, self.bias, self.activation):
            self._s.append(W @ self._x[-1] + b)
            self._x.append(act.evaluate(self._s[-1]))
        return self._x[-1]

    def loss(self, y_prediction, y):
        return 0.5 * np.sum((y_prediction - y) ** 2), y_prediction - y

    def backprop(self, x, y):
        out = self.forward(x)
        E, dE = self.loss(out, y)
        L = len(self.weight)
        dW = [None] * L
        db = [None] * L
        delta = dE            # output layer: dE/ds = x2 - y
        for l in range(L - 1, -1, -1):
            dW[l] = delta @ self._x[l].T
            db[l] = delta.sum(axis=1, keepdims=True)
            if l > 0:
                delta = (self.weight[l].T @ delta) * self.activation[l - 1].gradient(self._s[l - 1])
        return dW, db, E

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for i in range(iterations):
            dW, db, E = self.backprop(x, y)
            self.weight = [W - eta * g for W, g in zip(self.weight, dW)]
            self.bias = [b - eta * g for b, g in zip(self.bias, db)]
            losses.append(E)
        return losses


# test with Task 5
nn = NeuralNetwork([2, 3, 2])
nn.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
nn.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
print(nn.forward(np.array([[1.], [2.]])))
print(nn._s, nn._x)

# toy data
np.random.seed(0)
X = np.hstack([np.random.randn(2, 100) * 0.7 + np.array([[1.0], [0.8]]),
               np.random.randn(2, 100) * 0.7 - np.array([[1.0], [0.8]])])
Y = np.hstack([np.ones((1, 100)), np.zeros((1, 100))])
model = NeuralNetwork([2, 3, 1])
losses = model.train(X, Y, eta=0.05, iterations=300)
plt.plot(losses)
plt.title("loss")
plt.show()
pred = model.forward(X)
plt.scatter(X[0], X[1], c=(pred[0] > 0.5), cmap="bwr")
plt.title("predicted classes")
plt.show()


# Task 7
f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = x.copy()          # ReLU offsets at the grid points
f_ = f(x)
A = np.array([[i - j + 1 if j <= i else 0 for j in range(n)] for i in range(n)], dtype=float)
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    return [np.sum(lambda_ * np.maximum(0, xi - b_)) for xi in np.atleast_1d(x)]


xs = np.linspace(a, b, 300)
plt.plot(xs, f(xs), label="sin")
plt.plot(xs, approx(xs), label="approx")
plt.legend()
plt.show()
