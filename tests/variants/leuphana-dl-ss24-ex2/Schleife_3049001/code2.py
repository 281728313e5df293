# Deep Learning SS 2024 - Exercise 2 (code2.py)
# Jonas Schleife, 3049001
#
# We wrote everything with plain loops first, so that we understand every index.
import math

import numpy as np
import matplotlib.pyplot as plt


# ----------------------------- Task 6, Part 1 (i) -----------------------------

class ReLU:
    def evaluate(self, z):
        z = np.asarray(z, dtype=float)
        out = np.zeros(z.shape)
        for idx in np.ndindex(z.shape):
            if z[idx] > 0:
                out[idx] = z[idx]
        return out

    def gradient(self, z):
        z = np.asarray(z, dtype=float)
        out = np.zeros(z.shape)
        for idx in np.ndindex(z.shape):
            if z[idx] > 0:
                out[idx] = 1.0
        return out


class sigmoid:
    def evaluate(self, z):
        z = np.asarray(z, dtype=float)
        out = np.zeros(z.shape)
        for idx in np.ndindex(z.shape):
            v = z[idx]
            if v >= 0:
                out[idx] = 1.0 / (1.0 + math.exp(-v))
            else:                      # math.exp(-v) could overflow for very negative v
                e = math.exp(v)
                out[idx] = e / (1.0 + e)
        return out

    def gradient(self, z):
        s = self.evaluate(z)
        out = np.zeros(s.shape)
        for idx in np.ndindex(s.shape):
            out[idx] = s[idx] * (1.0 - s[idx])
        return out


# ------------------------ Task 6, Part 1 (ii) and Part 2 ------------------------

class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        num_layers = len(neurons_per_layer) - 1
        if activations is None:
            activations = []
            for l in range(num_layers):
                activations.append(sigmoid())
        self.activation = activations

        self.weight = []
        self.bias = []
        for l in range(num_layers):
            d_in = neurons_per_layer[l]
            d_out = neurons_per_layer[l + 1]
            sigma = math.sqrt(2.0 / (d_in + d_out))
            W = np.zeros((d_out, d_in))
            for i in range(d_out):
                for j in range(d_in):
                    W[i, j] = np.random.normal(0.0, sigma)
            b = np.zeros((d_out, 1))
            self.weight.append(W)
            self.bias.append(b)

        self._s = []
        self._x = []

    def forward(self, x):
        x = np.asarray(x, dtype=float)
        N = x.shape[1]
        self._x = [x]
        self._s = []
        for l in range(len(self.weight)):
            W = self.weight[l]
            b = self.bias[l]
            x_prev = self._x[l]
            d_out, d_in = W.shape
            s = np.zeros((d_out, N))
            for k in range(N):
                for i in range(d_out):
                    total = b[i, 0]
                    for j in range(d_in):
                        total += W[i, j] * x_prev[j, k]
                    s[i, k] = total
            self._s.append(s)
            self._x.append(self.activation[l].evaluate(s))
        return self._x[-1]

    def loss(self, y_prediction, y):
        """E = 1/2 * sum of squared errors (over outputs and samples), and dE/dy_prediction."""
        value = 0.0
        grad = np.zeros(y_prediction.shape)
        for idx in np.ndindex(y_prediction.shape):
            d = y_prediction[idx] - y[idx]
            value += 0.5 * d * d
            grad[idx] = d
        return value, grad

    def backprop(self, x, y):
        y_prediction = self.forward(x)
        E, dE_dx = self.loss(y_prediction, y)
        num_layers = len(self.weight)
        N = self._x[0].shape[1]
        weight_gradients = [None] * num_layers
        bias_gradients = [None] * num_layers
        for l in range(num_layers - 1, -1, -1):
            W = self.weight[l]
            d_out, d_in = W.shape
            act_grad = self.activation[l].gradient(self._s[l])
            # delta = dE/ds for this layer
            delta = np.zeros((d_out, N))
            for i in range(d_out):
                for k in range(N):
                    delta[i, k] = dE_dx[i, k] * act_grad[i, k]
            gW = np.zeros((d_out, d_in))
            gb = np.zeros((d_out, 1))
            for i in range(d_out):
                for k in range(N):
                    gb[i, 0] += delta[i, k]
                    for j in range(d_in):
                        gW[i, j] += delta[i, k] * self._x[l][j, k]
            # dE/dx of the layer below
            dx = np.zeros((d_in, N))
            for j in range(d_in):
                for k in range(N):
                    for i in range(d_out):
                        dx[j, k] += W[i, j] * delta[i, k]
            weight_gradients[l] = gW
            bias_gradients[l] = gb
            dE_dx = dx
        return weight_gradients, bias_gradients, E

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for it in range(iterations):
            weight_gradients, bias_gradients, E = self.backprop(x, y)
            for l in range(len(self.weight)):
                d_out, d_in = self.weight[l].shape
                for i in range(d_out):
                    for j in range(d_in):
                        self.weight[l][i, j] -= eta * weight_gradients[l][i, j]
                    self.bias[l][i, 0] -= eta * bias_gradients[l][i, 0]
            losses.append(E)
        return losses


# Check with Task 5
net = NeuralNetwork([2, 3, 2])
net.weight[0] = np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]])
net.weight[1] = np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])
net.bias[0] = np.array([[0.3], [-0.1], [1.2]])
net.bias[1] = np.array([[-0.6], [0.5]])
x0 = np.array([[1.], [2.]])
y0 = np.array([[0.], [1.]])
out = net.forward(x0)
print("s1:", net._s[0].T, "x1:", net._x[1].T)
print("s2:", net._s[1].T, "x2:", net._x[2].T)
gW, gb, E = net.backprop(x0, y0)
print("E =", E)
print("dE/dW1 =", gW[0])
print("dE/dW2 =", gW[1])

# Part 2 (iii): small toy problem (two clouds), kept small because of the loops
np.random.seed(3)
pts = 60
X_toy = np.hstack([np.random.randn(2, pts // 2) * 0.6 + 1.0, np.random.randn(2, pts // 2) * 0.6 - 1.0])
Y_toy = np.hstack([np.ones((1, pts // 2)), np.zeros((1, pts // 2))])
clf = NeuralNetwork([2, 3, 1])
loss_curve = clf.train(X_toy, Y_toy, eta=0.1, iterations=100)
pred = clf.forward(X_toy)
correct = 0
for k in range(pts):
    if (pred[0, k] > 0.5) == (Y_toy[0, k] > 0.5):
        correct += 1
print("accuracy:", correct / pts)
plt.figure()
plt.scatter(X_toy[0], X_toy[1], c=pred[0], cmap="bwr")
plt.title("predicted probability of class 1")
plt.show()


# ------------------------------------ Task 7 ------------------------------------

f = np.sin
n = 5
a = 0
b = 6
x = np.linspace(a, b, n)
h = x[1] - x[0]

# b_1 = a - h, b_2 = a, ..., b_n = b - h   (our j starts at 0)
b_ = np.zeros(n)
for j in range(n):
    b_[j] = a + (j - 1) * h

f_ = np.zeros(n)
for i in range(n):
    f_[i] = f(x[i])

A = np.zeros((n, n))
for i in range(n):
    for j in range(n):
        if j <= i:
            A[i, j] = i - j + 1

# forward substitution for h * A * lambda = f_ (A is lower triangular with ones on the diagonal)
lambda_ = np.zeros(n)
for i in range(n):
    rest = f_[i] / h
    for j in range(i):
        rest -= A[i, j] * lambda_[j]
    lambda_[i] = rest / A[i, i]


def approx(x):
    values = []
    for t in np.atleast_1d(x):
        total = 0.0
        for j in range(n):
            total += lambda_[j] * max(0.0, t - b_[j])
        values.append(total)
    return values


t = np.linspace(a, b, 300)
plt.figure()
plt.plot(t, f(t), label="sin")
plt.plot(t, approx(t), label="ReLU net")
plt.legend()
plt.show()
