import numpy as np
import matplotlib.pyplot as plt

# Exercise 2  |  Paul Demo 3049007
# (the file shows all plots when it is run; close the windows to continue)

np.random.seed(1234)


class ReLU:
    def evaluate(self, z):
        return np.maximum(z, 0.0)

    def gradient(self, z):
        g = np.zeros_like(z, dtype=float)
        g[z > 0] = 1.0
        return g


class sigmoid:
    def evaluate(self, z):
        return 1.0 / (1.0 + np.exp(-z))

    def gradient(self, z):
        return np.exp(-z) / (1.0 + np.exp(-z)) ** 2


zs = np.linspace(-6, 6, 300)
fig, axs = plt.subplots(2, 2, figsize=(8, 6))
for row, act in enumerate([ReLU(), sigmoid()]):
    axs[row, 0].plot(zs, act.evaluate(zs))
    axs[row, 0].set_title(type(act).__name__)
    axs[row, 1].plot(zs, act.gradient(zs))
    axs[row, 1].set_title(type(act).__name__ + " gradient")
plt.tight_layout()
plt.show()


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        self.activation = [sigmoid()] * (len(neurons_per_layer) - 1) if activations is None else activations
        self.weight = []
        self.bias = []
        for l in range(1, len(neurons_per_layer)):
            fan_in, fan_out = neurons_per_layer[l - 1], neurons_per_layer[l]
            self.weight.append(np.random.randn(fan_out, fan_in) * (2.0 / (fan_in + fan_out)) ** 0.5)
            self.bias.append(np.zeros(fan_out).reshape(fan_out, 1))
        self._s = []
        self._x = []

    def forward(self, x):
        self._x = [x]
        self._s = []
        a = x
        for W, b, act in zip(self.weight, self.bias, self.activation):
            s = W @ a + b
            a = act.evaluate(s)
            self._s += [s]
            self._x += [a]
        return a

    def loss(self, y_prediction, y):
        d = y_prediction - y
        return 0.5 * np.linalg.norm(d) ** 2, d

    def backprop(self, x, y):
        pred = self.forward(x)
        E, dE = self.loss(pred, y)
        L = len(self.weight)
        gW, gb = [0] * L, [0] * L
        delta = dE * self.activation[-1].gradient(self._s[-1])
        for l in reversed(range(L)):
            gW[l] = delta @ self._x[l].T
            gb[l] = delta.sum(1, keepdims=True)
            if l:
                delta = self.activation[l - 1].gradient(self._s[l - 1]) * (self.weight[l].T @ delta)
        return gW, gb, E

    def train(self, x, y, eta=.01, iterations=100, callback=None, log_every=0):
        losses = []
        for it in range(1, iterations + 1):
            gW, gb, E = self.backprop(x, y)
            self.weight = [W - eta * dW for W, dW in zip(self.weight, gW)]
            self.bias = [b - eta * db for b, db in zip(self.bias, gb)]
            losses.append(E)
            if log_every and it % log_every == 0:
                print("iteration", it, "loss", E)
            if callback is not None:
                callback(self, it)
        return losses


# Task 5 numbers
nn5 = NeuralNetwork([2, 3, 2])
nn5.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
nn5.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
gW, gb, E = nn5.backprop(np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]]))
print("x1 =", nn5._x[1].T, "x2 =", nn5._x[2].T)
print("E =", E)
print("dE/dW2 =\n", gW[1], "\ndE/db2 =", gb[1].T, "\ndE/dW1 =\n", gW[0], "\ndE/db1 =", gb[0].T)

# Part 2 (iii): circle-free linearly separable toy data, with a snapshot of the boundary while training
N = 250
X = np.random.uniform(-3, 3, (2, N))
Y = (X[0] - 0.5 * X[1] > 0.3).astype(float).reshape(1, N)
snapshots = []
model = NeuralNetwork([2, 3, 1])
loss_curve = model.train(X, Y, eta=0.05, iterations=400, log_every=100,
                         callback=lambda net, it: snapshots.append(net.forward(X)) if it % 100 == 0 else None)
fig, axs = plt.subplots(1, len(snapshots) + 1, figsize=(16, 3))
axs[0].plot(loss_curve)
axs[0].set_title("loss")
for ax, snap in zip(axs[1:], snapshots):
    ax.scatter(X[0], X[1], c=snap.ravel() > 0.5, cmap="coolwarm", s=6)
plt.show()


# Task 7
f = np.sin
a = 0
b = 6
t = np.linspace(a, b, 1000)
plt.figure()
plt.plot(t, f(t), "k", lw=2, label="sin")
# experiment with n; the last n in the list is the one we keep
for n in [20, 10, 5]:
    x = np.linspace(a, b, n)
    h = x[1] - x[0]
    b_ = x - h
    f_ = f(x)
    A = np.zeros((n, n))
    for i in range(n):
        A[i, : i + 1] = np.arange(i + 1, 0, -1)
    lambda_ = np.linalg.solve(h * A, f_)

    def approx(x, lam=lambda_, offsets=b_):
        return np.maximum(0.0, np.asarray(x)[:, None] - offsets) @ lam

    print(f"n = {n}: max error {np.max(np.abs(approx(t) - f(t))):.4f}")
    plt.plot(t, approx(t), label=f"n = {n}")
plt.legend()
plt.show()
