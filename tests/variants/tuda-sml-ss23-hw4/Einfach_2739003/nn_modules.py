# Homework 4, task 4.2 -- Einfach (2739003)
# MNIST images are 8 bit, so single precision is plenty: every module works in float32
# (half the memory, faster matmuls on the CPU).
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule

DTYPE = np.float32


def as_f32(a):
    return np.asarray(a, dtype=DTYPE)


class LinearModule(NNModule):
    # Module implements a linear layer

    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons

        # Internal parameter
        self.W = None
        self.b = None

        # Cache input for backprop
        self.input_cache = None

    def initialize_parameters(self):
        # Glorot normal: std = sqrt(2 / (n_in + n_out))
        std = np.sqrt(2.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = (np.random.randn(self.number_input_neurons, self.number_output_neurons) * std).astype(DTYPE)
        self.b = np.zeros(self.number_output_neurons, dtype=DTYPE)

    def fprop(self, input):
        x = as_f32(input)
        self.input_cache = x
        return x @ as_f32(self.W) + as_f32(self.b)

    def bprop(self, output_gradient):
        return as_f32(output_gradient) @ as_f32(self.W).T

    def get_batch_gradient_parameters(self, output_gradient):
        g = as_f32(output_gradient)
        return self.input_cache.T @ g, g.sum(axis=0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = as_f32(update_function(self.W, dW))
        self.b = as_f32(update_function(self.b, db))


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        x = as_f32(input)
        x = x - x.max(axis=1, keepdims=True)
        e = np.exp(x)
        self.out = e / e.sum(axis=1, keepdims=True)
        return self.out

    def bprop(self, output_gradient):
        v = as_f32(output_gradient)
        s = self.out
        return s * v - s * (s * v).sum(axis=1, keepdims=True)


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.out = np.tanh(as_f32(input))
        return self.out

    def bprop(self, output_gradient):
        return as_f32(output_gradient) * (DTYPE(1) - self.out * self.out)


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        self.z = as_f32(input)
        return -(as_f32(self.targets) * np.log(self.z)).sum(axis=1)

    def calculate_loss_gradient(self):
        return -1 * as_f32(self.targets) / self.z
