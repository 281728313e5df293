# Deep Learning SS 2024 -- Exercise 2, code2.py
# Group: Hannah Braun (3045821), Elias Wolf (3046190)
import numpy as np
import matplotlib.pyplot as plt


# ---------------------------------------------------------------------------
# Task 6, Part 1 (i): activation functions
# ---------------------------------------------------------------------------

class ReLU:
    def evaluate(self, z):
        return np.maximum(0, z)

    def gradient(self, z):
        return (np.asarray(z) > 0).astype(float)


class sigmoid:
    def evaluate(self, z):
        return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))

    def gradient(self, z):
        s = self.evaluate(z)
        return s * (1 - s)


# ---------------------------------------------------------------------------
# Task 6, Part 1 (ii) and Part 2
# ---------------------------------------------------------------------------

class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        self.num_layers = len(neurons_per_layer) - 1
        if activations is None:
            activations = [sigmoid() for _ in range(self.num_layers)]
        self.activation = activations

        self.weight = []
        self.bias = []
        for l in range(self.num_layers):
            d_in, d_out = neurons_per_layer[l], neurons_per_layer[l + 1]
            # (a) Glorot normal: w_ij ~ N(0, sigma^2), sigma = sqrt(2 / (d_in + d_out))
            sigma = np.sqrt(2 / (d_in + d_out))
            self.weight.append(np.random.normal(0, sigma, size=(d_out, d_in)))
            # (b) biases are zero
            self.bias.append(np.ones((d_out, 1)))

        self._s = []   # pre-activations s^(l)
        self._x = []   # layer outputs x^(l), _x[0] is the input

    def forward(self, x):
        # (c) forward pass, one sample per column
        self._s = []
        self._x = [x]
        for l in range(self.num_layers):
            s = self.weight[l] @ self._x[l] + self.bias[l]
            self._s.append(s)
            self._x.append(self.activation[l].evaluate(s))
        return self._x[-1]

    def loss(self, y_prediction, y):
        """Squared loss E = 1/2 sum ||y_prediction - y||^2 and its gradient dE/dy_prediction."""
        diff = y_prediction - y
        return 0.5 * np.sum(diff ** 2), diff

    def backprop(self, x, y):
        y_prediction = self.forward(x)
        loss, grad = self.loss(y_prediction, y)
        weight_gradients = [None] * self.num_layers
        bias_gradients = [None] * self.num_layers
        for l in reversed(range(self.num_layers)):
            delta = grad * self.activation[l].gradient(self._s[l])    # dE/ds^(l+1)
            weight_gradients[l] = delta @ self._x[l].T
            bias_gradients[l] = np.sum(delta, axis=1, keepdims=True)
            grad = self.weight[l].T @ delta                           # dE/dx^(l)
        return weight_gradients, bias_gradients, loss

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for it in range(iterations):
            weight_gradients, bias_gradients, loss = self.backprop(x, y)
            for l in range(self.num_layers):
                self.weight[l] -= eta * weight_gradients[l]
                self.bias[l] -= eta * bias_gradients[l]
            losses.append(loss)
        return losses


# Checking the implementation with the values of Task 5
net = NeuralNetwork([2, 3, 2])
net.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]),
              np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
net.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
x0 = np.array([[1.], [2.]])
y0 = np.array([[0.], [1.]])
net.forward(x0)
print("s1 =", net._s[0].ravel())
print("x1 =", net._x[1].ravel())
print("s2 =", net._s[1].ravel())
print("x2 =", net._x[2].ravel())
dW, db, E = net.backprop(x0, y0)
print("E =", E)
for l in range(2):
    print(f"dE/dW{l + 1} =\n", dW[l], f"\ndE/db{l + 1} =", db[l].ravel())


# Part 2 (iii): binary classification on toy data (two blobs)
rng = np.random.default_rng(1)
n_samples = 200
labels = rng.integers(0, 2, size=n_samples)
X_toy = np.where(labels == 1, 1.0, -1.0) * np.array([[1.0], [0.8]]) + rng.normal(0, 0.7, size=(2, n_samples))
Y_toy = labels.reshape(1, -1).astype(float)

clf = NeuralNetwork([2, 3, 1])
losses = clf.train(X_toy, Y_toy, eta=0.05, iterations=300)
prediction = clf.forward(X_toy)
print("training accuracy:", np.mean((prediction >= 0.5) == (Y_toy >= 0.5)))

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(losses)
axes[0].set_xlabel("iteration")
axes[0].set_ylabel("E")
axes[0].set_title("training loss")
g1, g2 = np.meshgrid(np.linspace(-4, 4, 200), np.linspace(-4, 4, 200))
grid_prediction = clf.forward(np.vstack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
axes[1].contourf(g1, g2, grid_prediction, levels=20, cmap="coolwarm", alpha=0.6)
axes[1].contour(g1, g2, grid_prediction, levels=[0.5], colors="k")
axes[1].scatter(X_toy[0], X_toy[1], c=Y_toy[0], cmap="coolwarm", edgecolors="k", s=15)
axes[1].set_title("prediction (decision boundary at 0.5)")
plt.show()


# ---------------------------------------------------------------------------
# Task 7: approximating a function with ReLUs
# ---------------------------------------------------------------------------

f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]

b_ = x - h                                   # b_j = a + (j - 2) h
f_ = f(x)
A = np.zeros((n, n))
for i in range(n):
    for j in range(i + 1):
        A[i, j] = i - j + 1                  # lower triangular, A[i][j] = i - j + 1
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    return sum(lambda_[j] * np.maximum(0, x - b_[j]) for j in range(n))


t = np.linspace(a, b, 500)
plt.figure()
plt.plot(t, f(t), label="f")
plt.plot(t, approx(t), "--", label=f"ReLU approximation, n = {n}")
plt.scatter(x, f_, c="k", zorder=3)
plt.legend()
plt.show()


# experimenting with n: the maximum error shrinks roughly like h^2
def relu_approximation(f, a, b, n):
    grid = np.linspace(a, b, n)
    step = grid[1] - grid[0]
    offsets = grid - step
    M = np.tril(np.subtract.outer(np.arange(n), np.arange(n)) + 1.0)
    lam = np.linalg.solve(step * M, f(grid))
    return lambda s: np.maximum(0, np.asarray(s)[..., None] - offsets) @ lam


for n_test in [5, 10, 20, 40, 80]:
    nn_approx = relu_approximation(f, a, b, n_test)
    print(f"n = {n_test:3d}: max error {np.max(np.abs(f(t) - nn_approx(t))):.5f}")
