import numpy as np


def neuron(x, w, b):
    return np.dot(w, x) + b  # the activation is missing
