# Exercise 6 -- Felix Classes (2590106)
import numpy as np


class Sigmoid:
    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + z), z / (1 + z))

    def derivative(self, x):
        return self(x) * self(-np.asarray(x, dtype=float))


class Tanh:
    def __call__(self, x):
        return np.tanh(np.asarray(x, dtype=float))

    def derivative(self, x):
        return 1 - self(x) ** 2


class ReLU:
    def __call__(self, x):
        return np.maximum(0, np.asarray(x, dtype=float))


class Softmax:
    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        e = np.exp(x - np.amax(x, axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


class FFNN:
    """3-2-2 network of exercise 6.3, weights (in, out), no biases."""

    def __init__(self, W1=None, W2=None):
        self.W1, self.W2 = W1, W2
        self.relu, self.softmax = ReLU(), Softmax()

    def forward(self, x, W1=None, W2=None):
        W1 = self.W1 if W1 is None else np.asarray(W1, dtype=float)
        W2 = self.W2 if W2 is None else np.asarray(W2, dtype=float)
        self.h = self.relu(np.asarray(x, dtype=float) @ W1)
        self.o = self.softmax(self.h @ W2)
        return self.o


# module-level names as the sheet asks for
sigmoid = Sigmoid()
tanh = Tanh()
relu = ReLU()
softmax = Softmax()
sigmoid_derivative = sigmoid.derivative
tanh_derivative = tanh.derivative
forward = FFNN().forward


if __name__ == "__main__":
    W1 = np.array([[2., -1.], [1., -3.], [-2., 5.]])
    W2 = np.array([[6., 2.], [-1., 8.]])
    net = FFNN(W1, W2)
    o = net.forward(np.array([1., 2., 1.]))
    print("h:", net.h, "o:", o, "class:", int(np.argmax(o)))
