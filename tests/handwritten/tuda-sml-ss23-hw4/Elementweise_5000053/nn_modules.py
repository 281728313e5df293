# Homework 4, task 4.2 -- Einsum (2739001)
# Everything written with np.einsum: n = sample, i = input unit, o = output unit.
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


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
        # Xavier Glorot (normal): W_ij ~ N(0, 2 / (n_in + n_out)), biases zero
        std = np.sqrt(2.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.normal(0.0, std, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input_cache = input
        return np.einsum('ni,io->no', input, self.W) + self.b

    def bprop(self, output_gradient):
        # dL/dx_ni = sum_o dL/dy_no W_io
        return np.einsum('no,io->ni', output_gradient, self.W)

    def get_batch_gradient_parameters(self, output_gradient):
        # accumulated over the batch
        dW = np.einsum('ni,no->io', self.input_cache, output_gradient)
        db = np.einsum('no->o', output_gradient)
        return dW, db

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


class SoftMaxModule(NNModuleParameterFree):

    def __init__(self):
        self.output_cache = None

    def fprop(self, input):
        shifted = input - np.max(input, axis=1, keepdims=True)  # 4.1c
        e = np.exp(shifted)
        self.output_cache = e / np.einsum('nc->n', e)[:, None]
        return self.output_cache

    def bprop(self, output_gradient):
        # 4.1b: z_i = s_i (v_i - v s^T), one row per sample
        s = self.output_cache
        vs = np.einsum('nc,nc->n', output_gradient, s)
        return s * (output_gradient - vs[:, None])


class TanhModule(NNModuleParameterFree):

    def __init__(self):
        self.output_cache = None

    def fprop(self, input):
        self.output_cache = np.tanh(input)
        return self.output_cache

    def bprop(self, output_gradient):
        # 4.1e: 1 - tanh^2
        return np.einsum('nc,nc->nc', output_gradient, 1.0 - self.output_cache ** 2)


class CrossEntropyLoss(LossModule):

    def __init__(self):
        self.input_cache = None

    def calculate_loss(self, input):
        self.input_cache = input
        return -np.einsum('nc,nc->n', self.targets, np.log(input))

    def calculate_loss_gradient(self):
        # 4.1d
        return -self.targets / self.input_cache
