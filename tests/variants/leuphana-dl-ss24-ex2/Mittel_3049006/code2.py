# Deep Learning SS24, Exercise 2 -- Sophie Mittel (3049006)
# We use the mean squared error over the batch, E = 1/(2N) sum_n ||x2_n - y_n||^2,
# so that the step size does not depend on the number of samples.
import numpy as np
import matplotlib.pyplot as plt


class ReLU:
    def evaluate(self, z):
        return np.maximum(0, z)

    def gradient(self, z):
        return 1.0 * (z > 0)


class sigmoid:
    def evaluate(self, z):
        return 1 / (1 + np.exp(-z))

    def gradient(self, z):
        return self.evaluate(z) * (1 - self.evaluate(z))


class NeuralNetwork:
    def __init__(self, neurons_per_layer, activations=None):
        self.neurons_per_layer = neurons_per_layer
        self.activation = activations if activations else [sigmoid() for _ in range(len(neurons_per_layer) - 1)]
        self.weight = [np.random.normal(0, np.sqrt(2 / (i + o)), (o, i))
                       for i, o in zip(neurons_per_layer[:-1], neurons_per_layer[1:])]
        self.bias = [np.zeros((o, 1)) for o in neurons_per_layer[1:]]
        self._s = []
        self._x = []

    def forward(self, x):
        self._s = []
        self._x = [x]
        for W, b, g in zip(self.weight, self.bias, self.activation):
            self._s.append(W @ self._x[-1] + b)
            self._x.append(g.evaluate(self._s[-1]))
        return self._x[-1]

    def loss(self, y_prediction, y):
        N = y.shape[1]
        return np.sum((y_prediction - y) ** 2) / (2 * N), (y_prediction - y) / N

    def backprop(self, x, y):
        E, dx = self.loss(self.forward(x), y)
        dWs, dbs = [], []
        for l in range(len(self.weight) - 1, -1, -1):
            ds = dx * self.activation[l].gradient(self._s[l])
            dWs = [ds @ self._x[l].T] + dWs
            dbs = [ds.sum(axis=1, keepdims=True)] + dbs
            dx = self.weight[l].T @ ds
        return dWs, dbs, E

    def train(self, x, y, eta=.01, iterations=100):
        losses = []
        for _ in range(iterations):
            dWs, dbs, E = self.backprop(x, y)
            for l in range(len(self.weight)):
                self.weight[l] -= eta * dWs[l]
                self.bias[l] -= eta * dbs[l]
            losses.append(E)
        return losses


net = NeuralNetwork([2, 3, 2])
net.weight = [np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]]), np.array([[0.4, 0.2, 0.2], [0.1, 0.3, 0.5]])]
net.bias = [np.array([[0.3], [-0.1], [1.2]]), np.array([[-0.6], [0.5]])]
print(net.backprop(np.array([[1.], [2.]]), np.array([[0.], [1.]])))

# toy data; with the mean loss a larger step size is needed
np.random.seed(5)
X = np.random.randn(2, 200)
Y = (X[1] > 0.5 * X[0]).reshape(1, -1).astype(float)
clf = NeuralNetwork([2, 3, 1])
L = clf.train(X, Y, eta=5.0, iterations=2000)
print("accuracy", np.mean((clf.forward(X) > 0.5) == Y))
plt.scatter(X[0], X[1], c=clf.forward(X)[0] > 0.5)
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
A = np.tril(np.ones((n, n))).cumsum(axis=0) * np.tril(np.ones((n, n)))
lambda_ = np.linalg.solve(h * A, f_)


def approx(x):
    return np.sum(lambda_ * np.maximum(0, np.reshape(x, (-1, 1)) - b_), axis=1)
