"""Exercise 2 -- Deep Learning SS24
Clara Einsum (3049002)

Everything is written with np.einsum, index letters: i = output unit, j = input unit, n = sample.
"""
import numpy as np
import matplotlib.pyplot as plt
from scipy.special import expit
from scipy.linalg import toeplitz


class ReLU:
    def evaluate(self, z):
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, z, 0.0)

    def gradient(self, z):
        return np.where(np.asarray(z) > 0, 1.0, 0.0)


class sigmoid:
    def evaluate(self, z):
        return expit(z)          # scipy's numerically stable logistic function

    def gradient(self, z):
        return expit(z) * expit(-z)   # = sigma(z) (1 - sigma(z))


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = list(neurons_per_layer)
        L = len(self.neurons_per_layer) - 1
        self.activation = activations if activations is not None else [sigmoid() for _ in range(L)]
        rng = np.random.default_rng()
        shapes = list(zip(self.neurons_per_layer[1:], self.neurons_per_layer[:-1]))   # (d_out, d_in)
        self.weight = [rng.normal(0.0, np.sqrt(2.0 / (d_out + d_in)), size=(d_out, d_in)) for d_out, d_in in shapes]
        self.bias = [np.zeros((d_out, 1)) for d_out, _ in shapes]
        self._s = []
        self._x = []

    def forward(self, x):
        self._x = [x]
        self._s = []
        for W, b, act in zip(self.weight, self.bias, self.activation):
            s = np.einsum("ij,jn->in", W, self._x[-1]) + b
            self._s.append(s)
            self._x.append(act.evaluate(s))
        return self._x[-1]

    def loss(self, y_prediction, y):
        r = y_prediction - y
        return 0.5 * np.einsum("in,in->", r, r), r

    def backprop(self, x, y):
        """Returns (dE/dW for every layer, dE/db for every layer)."""
        _, g = self.loss(self.forward(x), y)
        dW, db = [], []
        for l in reversed(range(len(self.weight))):
            delta = g * self.activation[l].gradient(self._s[l])
            dW.insert(0, np.einsum("in,jn->ij", delta, self._x[l]))
            db.insert(0, np.einsum("in->i", delta)[:, None])
            g = np.einsum("ij,in->jn", self.weight[l], delta)
        return dW, db

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for _ in range(iterations):
            losses.append(self.loss(self.forward(x), y)[0])
            dW, db = self.backprop(x, y)
            for l in range(len(self.weight)):
                self.weight[l] = self.weight[l] - eta * dW[l]
                self.bias[l] = self.bias[l] - eta * db[l]
        return losses


# --- sanity check with the numbers of Task 5 ---
nn = NeuralNetwork([2, 3, 2])
nn.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
nn.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
print(nn.forward(np.array([[1.0], [2.0]])).ravel())
print(nn.backprop(np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])))

# --- toy data: XOR-free two moons-ish blobs ---
rng = np.random.default_rng(7)
X = np.concatenate([rng.normal(1.2, 0.6, (2, 150)), rng.normal(-1.2, 0.6, (2, 150))], axis=1)
Y = np.concatenate([np.ones((1, 150)), np.zeros((1, 150))], axis=1)
model = NeuralNetwork([2, 3, 1])
hist = model.train(X, Y, eta=0.05, iterations=300)
u, v = np.meshgrid(np.linspace(-3, 3, 100), np.linspace(-3, 3, 100))
P = model.forward(np.stack([u.ravel(), v.ravel()])).reshape(u.shape)
fig, ax = plt.subplots(1, 2)
ax[0].plot(hist)
ax[1].contourf(u, v, P, cmap="PiYG", alpha=0.5)
ax[1].scatter(*X, c=Y.ravel(), cmap="PiYG", s=8)
plt.show()


# --- Task 7 ---
f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = np.linspace(a - h, b - h, n)
f_ = f(x)
A = np.tril(toeplitz(np.arange(1, n + 1)))          # first column 1..n, constant diagonals
lambda_ = np.linalg.lstsq(h * A, f_, rcond=None)[0]


def approx(x):
    return np.einsum("j,...j->...", lambda_, np.maximum(0.0, np.asarray(x, dtype=float)[..., None] - b_))


for m in (5, 10, 20, 40):
    xm = np.linspace(a, b, m)
    hm = xm[1] - xm[0]
    lam = np.linalg.lstsq(hm * np.tril(toeplitz(np.arange(1, m + 1))), f(xm), rcond=None)[0]
    t = np.linspace(a, b, 1000)
    err = np.abs(f(t) - np.einsum("j,tj->t", lam, np.maximum(0, t[:, None] - (xm - hm)))).max()
    print(m, err)
