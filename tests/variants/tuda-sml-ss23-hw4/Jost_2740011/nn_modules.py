import numpy as np
from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        self.W = None
        self.b = None

    def initialize_parameters(self):
        var = 2.0 / (self.number_input_neurons + self.number_output_neurons)
        self.W = np.random.normal(0, np.sqrt(var), (self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        return self.input.T @ output_gradient, np.sum(output_gradient, axis=0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        self.W = update_function(self.W, batch_gradient_parameters[0])
        self.b = update_function(self.b, batch_gradient_parameters[1])


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        e = np.exp(input - np.max(input, axis=1, keepdims=True))
        self.output = e / np.sum(e, axis=1, keepdims=True)
        return self.output

    def bprop(self, output_gradient):
        return self.output * (output_gradient - np.sum(output_gradient * self.output, axis=1, keepdims=True))


class CrossEntropyLoss(LossModule):
    def calculate_loss(self, input):
        self.input = input
        return -np.sum(self.targets * np.log(input + 1e-7), axis=1)

    def calculate_loss_gradient(self):
        return -self.targets / (self.input + 1e-7)


class TanhModule(NNModuleParameterFree):
    def fprop(self, input):
        self.input = input
        return np.tanh(input)

    def bprop(self, output_gradient):
        return output_gradient * (1 - np.tanh(self.input) ** 2)
