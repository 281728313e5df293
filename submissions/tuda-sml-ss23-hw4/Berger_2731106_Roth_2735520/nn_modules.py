# SML homework 4 - Nina Berger 2731106, Jan Roth 2735520
import numpy as np
from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    def __init__(self, number_input_neurons, number_output_neurons):
        self.n_in = number_input_neurons
        self.n_out = number_output_neurons
        self.W, self.b = None, None

    def initialize_parameters(self):
        # Xavier: variance 1 / n_in
        self.W = np.random.randn(self.n_in, self.n_out) * np.sqrt(1.0 / self.n_in)
        self.b = np.zeros((1, self.n_out))

    def fprop(self, input):
        self.x = input
        return np.dot(input, self.W) + self.b

    def bprop(self, output_gradient):
        return np.dot(output_gradient, self.W.T)

    def get_batch_gradient_parameters(self, output_gradient):
        return np.dot(self.x.T, output_gradient), output_gradient.sum(axis=0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        self.W = update_function(self.W, batch_gradient_parameters[0])
        self.b = update_function(self.b, batch_gradient_parameters[1])


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        e = np.exp(input - input.max(axis=1, keepdims=True))
        self.s = e / e.sum(axis=1, keepdims=True)
        return self.s

    def bprop(self, output_gradient):
        # derivative of the softmax: s (1 - s)
        return output_gradient * self.s * (1 - self.s)


class TanhModule(NNModuleParameterFree):
    def fprop(self, input):
        self.x = input
        return np.tanh(input)

    def bprop(self, output_gradient):
        return output_gradient * (1 - self.x ** 2)


class CrossEntropyLoss(LossModule):
    def calculate_loss(self, input):
        self.z = input
        return np.mean(-np.sum(self.targets * np.log(input), axis=1))

    def calculate_loss_gradient(self):
        return -self.targets / self.z
