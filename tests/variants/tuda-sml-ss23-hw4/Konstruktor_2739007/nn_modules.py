# Homework 4, task 4.2 -- Konstruktor (2739007)
# Our layers are usable right after construction (the constructor initialises them).
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    """y = x W + b with W of shape (in, out)."""

    def __init__(self, number_input_neurons, number_output_neurons):
        self.n_in = number_input_neurons
        self.n_out = number_output_neurons
        self.x = None
        self.initialize_parameters()

    def initialize_parameters(self):
        # Glorot/Xavier normal
        sigma = np.sqrt(2.0 / (self.n_in + self.n_out))
        self.W = sigma * np.random.standard_normal((self.n_in, self.n_out))
        self.b = np.zeros(self.n_out)

    def fprop(self, input):
        self.x = input
        return self.x.dot(self.W) + self.b

    def bprop(self, output_gradient):
        return output_gradient.dot(self.W.T)

    def get_batch_gradient_parameters(self, output_gradient):
        return self.x.T.dot(output_gradient), output_gradient.sum(0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        self.W = update_function(self.W, batch_gradient_parameters[0])
        self.b = update_function(self.b, batch_gradient_parameters[1])


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        z = input - input.max(axis=1)[:, np.newaxis]
        p = np.exp(z)
        p /= p.sum(axis=1)[:, np.newaxis]
        self.p = p
        return p

    def bprop(self, output_gradient):
        return self.p * (output_gradient - (output_gradient * self.p).sum(axis=1)[:, np.newaxis])


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.a = np.tanh(input)
        return self.a

    def bprop(self, output_gradient):
        return output_gradient - output_gradient * self.a ** 2


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        self.p = input
        return -np.sum(self.targets * np.log(input), axis=1)

    def calculate_loss_gradient(self):
        return -self.targets / self.p
