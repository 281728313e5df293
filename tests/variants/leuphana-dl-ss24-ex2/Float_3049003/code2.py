# Exercise 2 - code2.py
# Ben Float (3049003)
# Like in PyTorch we keep the parameters in float32.
import numpy as np
import matplotlib.pyplot as plt

DTYPE = np.float32


class ReLU:
    def evaluate(self, z):
        return np.maximum(z, 0)

    def gradient(self, z):
        return np.greater(z, 0).astype(DTYPE)


class sigmoid:
    def evaluate(self, z):
        # overflow-safe: exp is only ever taken of a non-positive number
        z = np.asarray(z)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    def gradient(self, z):
        sig = self.evaluate(z)
        return sig * (1 - sig)


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        self.activation = activations or [sigmoid() for _ in neurons_per_layer[1:]]
        self.weight = []
        self.bias = []
        for d_in, d_out in zip(neurons_per_layer[:-1], neurons_per_layer[1:]):
            std = np.sqrt(2 / (d_in + d_out))
            self.weight.append((std * np.random.randn(d_out, d_in)).astype(DTYPE))
            self.bias.append(np.zeros((d_out, 1), dtype=DTYPE))
        self._s = []
        self._x = []

    def forward(self, x):
        x = np.asarray(x, dtype=DTYPE)
        self._s, self._x = [], [x]
        for l in range(len(self.weight)):
            s = self.weight[l] @ x + self.bias[l]
            x = self.activation[l].evaluate(s)
            self._s.append(s)
            self._x.append(x)
        return x

    def loss(self, y_prediction, y):
        """Only the value E = 1/2 sum (y_pred - y)^2; the derivative (y_pred - y) is used in backprop."""
        return 0.5 * float(np.sum((y_prediction - y) ** 2))

    def backprop(self, x, y):
        out = self.forward(x)
        E = self.loss(out, y)
        dW = [np.zeros_like(W) for W in self.weight]
        db = [np.zeros_like(b) for b in self.bias]
        delta = (out - y) * self.activation[-1].gradient(self._s[-1])
        for l in range(len(self.weight) - 1, -1, -1):
            dW[l] = delta @ self._x[l].T
            db[l] = delta.sum(axis=1, keepdims=True)
            if l > 0:
                delta = (self.weight[l].T @ delta) * self.activation[l - 1].gradient(self._s[l - 1])
        return dW, db, E

    def train(self, x, y, eta=.01, iterations=100, verbose=False, print_every=50):
        losses = []
        for i in range(iterations):
            dW, db, E = self.backprop(x, y)
            for l in range(len(self.weight)):
                self.weight[l] -= eta * dW[l]
                self.bias[l] -= eta * db[l]
            losses.append(E)
            if verbose and i % print_every == 0:
                print(f"iteration {i:4d}  loss {E:.5f}")
        return losses


# test against Task 5
check = NeuralNetwork([2, 3, 2])
check.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]], dtype=DTYPE),
                np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]], dtype=DTYPE)]
check.bias = [np.array([[0.3], [-0.1], [1.2]], dtype=DTYPE), np.array([[-0.6], [0.5]], dtype=DTYPE)]
dW, db, E = check.backprop(np.array([[1], [2]]), np.array([[0], [1]]))
print("x2 =", check._x[2].ravel(), "E =", E)

# toy data
np.random.seed(0)
N = 100
data = np.random.randn(2, 2 * N).astype(DTYPE)
data[:, :N] += 1.5
labels = np.zeros((1, 2 * N), dtype=DTYPE)
labels[:, :N] = 1
toy_net = NeuralNetwork([2, 3, 1])
curve = toy_net.train(data, labels, eta=0.05, iterations=300, verbose=True, print_every=100)
plt.scatter(data[0], data[1], c=(toy_net.forward(data) > 0.5).ravel())
plt.title("classification of the toy data")
plt.show()


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
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    """Returns a list with one value per point."""
    return [float(np.sum(lambda_ * np.maximum(0, xi - b_))) for xi in np.ravel(x)]


plt.figure()
grid = np.linspace(a, b, 200)
plt.plot(grid, f(grid), grid, approx(grid))
plt.show()
