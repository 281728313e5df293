import math


def neuron(x, w, b):
    return 1 / (1 + math.exp(-(sum(xi * wi for xi, wi in zip(x, w)) + b)))
