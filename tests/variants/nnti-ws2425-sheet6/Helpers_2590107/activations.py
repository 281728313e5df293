# NNTI 24/25, sheet 6 -- Greta Helpers (2590107)
import numpy as np

np.set_printoptions(precision=4, suppress=True)


def _arr(x):
    """Helper: everything as float64 arrays."""
    return np.asarray(x, dtype=np.float64)


def _logsumexp(x, axis=-1):
    """Stable log(sum(exp(x))) along an axis, keeping the axis for broadcasting."""
    m = np.max(x, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def _as_row(x):
    """Accept (3,), (3, 1) or (1, 3) and give a (1, 3) row."""
    return _arr(x).reshape(1, -1)


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -_arr(x)))


def tanh(x):
    x = _arr(x)
    return np.sinh(x) / np.cosh(x) if np.all(np.abs(x) < 300) else np.tanh(x)


def relu(x):
    x = _arr(x)
    return np.maximum(x, np.zeros_like(x))


def softmax(x):
    x = _arr(x)
    return np.exp(x - _logsumexp(x, axis=-1))


def sigmoid_derivative(x):
    x = _arr(x)
    return np.exp(-np.logaddexp(0.0, -x) - np.logaddexp(0.0, x))


def tanh_derivative(x):
    x = _arr(x)
    return 4.0 * sigmoid(2 * x) * sigmoid(-2 * x)


def forward(x, W1, W2):
    """Returns a (1, 2) row for a row input."""
    h = relu(np.matmul(_as_row(x), _arr(W1)))
    return softmax(np.matmul(h, _arr(W2)))


def predict(x, W1, W2):
    return int(np.argmax(forward(x, W1, W2)))


W1 = _arr([[2, -1], [1, -3], [-2, 5]])
W2 = _arr([[6, 2], [-1, 8]])
x = _arr([1, 2, 1])
print("forward:", forward(x, W1, W2), "class", predict(x, W1, W2))
for v in (-1000.0, 0.0, 1000.0):
    print(f"sigmoid({v}) = {sigmoid(v)}")
