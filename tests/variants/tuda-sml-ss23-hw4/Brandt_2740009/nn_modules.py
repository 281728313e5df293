import numpy as np
from abstract_nn_modules import *

DTYPE = np.float32


class LinearModule(NNModule):
    def __init__(self, number_input_neurons, number_output_neurons):
        self.n_in = number_input_neurons
        self.n_out = number_output_neurons
        self.W = None
        self.b = None

    def initialize_parameters(self):
        std = np.sqrt(2 / (self.n_in + self.n_out))
        self.W = (np.random.randn(self.n_in, self.n_out) * std).astype(DTYPE)
        self.b = np.zeros(self.n_out, dtype=DTYPE)

    def fprop(self, input):
        self.x = np.asarray(input, dtype=DTYPE)
        return self.x @ self.W + self.b

    def bprop(self, output_gradient):
        return (output_gradient @ self.W.T).astype(DTYPE)

    def get_batch_gradient_parameters(self, output_gradient):
        return (self.x.T @ output_gradient).astype(DTYPE), output_gradient.sum(axis=0).astype(DTYPE)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        self.W = update_function(self.W, batch_gradient_parameters[0]).astype(DTYPE)
        self.b = update_function(self.b, batch_gradient_parameters[1]).astype(DTYPE)


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        x = np.asarray(input, dtype=DTYPE)
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        self.s = e / e.sum(axis=-1, keepdims=True)
        return self.s

    def bprop(self, output_gradient):
        return self.s * (output_gradient - np.sum(output_gradient * self.s, axis=-1, keepdims=True))


class CrossEntropyLoss(LossModule):
    eps = 0.0

    def calculate_loss(self, input):
        self.z = input
        return -np.sum(self.targets * np.log(input + self.eps), axis=-1)

    def calculate_loss_gradient(self):
        return -self.targets / (self.z + self.eps)


class TanhModule(NNModuleParameterFree):
    def fprop(self, input):
        self.y = np.tanh(np.asarray(input, dtype=DTYPE))
        return self.y

    def bprop(self, output_gradient):
        return output_gradient * (1.0 - self.y * self.y)
