"""
Deep Learning, summer term 2024 - Exercise 2 (code part)
Lisa Jung 3048021 / Moritz Hahn 3042277
"""
import numpy as np
import matplotlib.pyplot as plt


######## Task 6 Part 1 (i) ########

class ReLU:
    def evaluate(self, z):
        return z * (z > 0)

    def gradient(self, z):
        return (z > 0).astype(np.float64)


class sigmoid:
    def evaluate(self, z):
        return np.exp(-np.logaddexp(0, -z))

    def gradient(self, z):
        sig = self.evaluate(z)
        return sig * (1 - sig)


######## Task 6 Part 1 (ii) + Part 2 ########

class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        n_layers = len(neurons_per_layer) - 1
        self.activation = [sigmoid() for _ in range(n_layers)] if activations is None else activations
        self.weight = []
        self.bias = []
        for d_in, d_out in zip(neurons_per_layer, neurons_per_layer[1:]):
            std = (2 / (d_in + d_out)) ** 0.5
            self.weight.append(std * np.random.randn(d_out, d_in))
            self.bias.append(np.zeros(shape=(d_out, 1)))
        self._s = []
        self._x = []

    def forward(self, x):
        self._x = [x]
        self._s = []
        for W, b, act in zip(self.weight, self.bias, self.activation):
            s = np.dot(W, self._x[-1]) + b
            self._s.append(s)
            self._x.append(act.evaluate(s))
        return self._x[-1]

    def loss(self, y_prediction, y):
        # E = 1/2 * sum over all samples ||y_pred - y||^2
        e = y_prediction - y
        return 0.5 * np.sum(e * e), e

    def backprop(self, x, y):
        E, dE_dx = self.loss(self.forward(x), y)
        grads_W, grads_b = [], []
        for l in range(len(self.weight) - 1, -1, -1):
            dE_ds = dE_dx * self.activation[l].gradient(self._s[l])
            grads_W.insert(0, np.dot(dE_ds, self._x[l].T))
            grads_b.insert(0, np.sum(dE_ds, axis=1, keepdims=True))
            dE_dx = np.dot(self.weight[l].T, dE_ds)
        return grads_W, grads_b, E

    def train(self, x, y, eta=.01, iterations=100):
        history = []
        for _ in range(iterations):
            grads_W, grads_b, E = self.backprop(x, y)
            self.weight = [W - eta * gW for W, gW in zip(self.weight, grads_W)]
            self.bias = [b - eta * gb for b, gb in zip(self.bias, grads_b)]
            history.append(E)
        return history


# check against Task 5
test_net = NeuralNetwork([2, 3, 2])
test_net.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
test_net.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
test_net.forward(np.array([[1.], [2.]]))
for l, (s, xl) in enumerate(zip(test_net._s, test_net._x[1:]), start=1):
    print(f"s{l} = {s.ravel()}, x{l} = {xl.ravel()}")

# Part 2 (iii): two Gaussian clouds
np.random.seed(42)
N = 100
X_train = np.concatenate([np.random.normal([[1.0], [1.0]], 0.7, (2, N)),
                          np.random.normal([[-1.0], [-1.0]], 0.7, (2, N))], axis=1)
Y_train = np.concatenate([np.ones((1, N)), np.zeros((1, N))], axis=1)
classifier = NeuralNetwork([2, 3, 1])
losses = classifier.train(X_train, Y_train, eta=0.05, iterations=300)

xx, yy = np.meshgrid(np.linspace(-3.5, 3.5, 150), np.linspace(-3.5, 3.5, 150))
zz = classifier.forward(np.c_[xx.ravel(), yy.ravel()].T).reshape(xx.shape)
plt.contourf(xx, yy, zz > 0.5, alpha=0.3, cmap="RdBu")
plt.scatter(X_train[0], X_train[1], c=Y_train[0], cmap="RdBu", s=10)
plt.title("decision regions")
plt.show()

plt.figure()
plt.semilogy(loss_history)
plt.title("training loss")
plt.show()


######## Task 7 ########

# our own choice (the sheet allows any f, a, b, n): a smooth bump on [-2, 3]
def f(x):
    return np.exp(-x ** 2)


n = 9
a = -2
b = 3
x = np.linspace(a, b, n)
h = x[1] - x[0]
b_ = np.array([a + (j - 1) * h for j in range(n)])     # b_j = a + (j - 2) h with j starting at 1
f_ = f(x)
A = np.zeros((n, n))
for i in range(n):
    A[i, :i + 1] = np.arange(i + 1, 0, -1)
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(0, x[..., None] - b_) @ lambda_


grid = np.linspace(a, b, 400)
plt.plot(grid, f(grid), label="f(x) = sin(x)")
plt.plot(grid, approx(grid), label="NN(x)")
plt.legend()
plt.show()

for n_try in (5, 10, 20, 50):
    xs = np.linspace(a, b, n_try)
    hs = xs[1] - xs[0]
    As = np.tril(np.arange(n_try)[:, None] - np.arange(n_try)[None, :] + 1.0)
    lam = np.linalg.solve(hs * As, f(xs))
    err = np.max(np.abs(f(grid) - np.maximum(0, grid[:, None] - (xs - hs)) @ lam))
    print(f"n = {n_try}: max error = {err:.4f}")
