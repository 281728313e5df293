# Homework 4, task 4.2 -- Beides (2739008)
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

        # we initialise right away so that the layer can be used on its own
        self.initialize_parameters()

    def initialize_parameters(self):
        # Xavier Glorot uniform
        bound = np.sqrt(6 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(-bound, bound, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input_cache = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        dW = self.input_cache.T @ output_gradient
        db = output_gradient.sum(axis=0)
        return dW, db

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


class SoftMaxModule(NNModuleParameterFree):
    # Module implements the softmax activation

    def __init__(self):
        self.output_cache = None

    def fprop(self, input):
        exp = np.exp(input - input.max(axis=1, keepdims=True))
        self.output_cache = exp / exp.sum(axis=1, keepdims=True)
        return self.output_cache

    def bprop(self, output_gradient):
        s = self.output_cache
        return s * (output_gradient - (output_gradient * s).sum(axis=1, keepdims=True))


class TanhModule(NNModuleParameterFree):
    # Module implements the tanh activation

    def __init__(self):
        self.output_cache = None

    def fprop(self, input):
        self.output_cache = np.tanh(input)
        return self.output_cache

    def bprop(self, output_gradient):
        return output_gradient * (1 - self.output_cache ** 2)


class CrossEntropyLoss(LossModule):
    # Module implements the cross-entropy loss

    def calculate_loss(self, input):
        self.input_cache = np.clip(input, 1e-15, None)
        return -np.sum(self.targets * np.log(self.input_cache), axis=1)

    def calculate_loss_gradient(self):
        return -self.targets / self.input_cache
