import numpy as np
from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        a = np.sqrt(6.0 / (number_input_neurons + number_output_neurons))
        self.W = np.random.uniform(-a, a, size=(number_input_neurons, number_output_neurons))
        self.b = np.zeros(number_output_neurons)
        self.input = None

    def initialize_parameters(self):
        raise NotImplementedError  # ToDo
        # classical Xavier Glorot (uniform)
        a = np.sqrt(6.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(-a, a, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        dW = self.input.T @ output_gradient
        db = np.sum(output_gradient, axis=0)
        return dW, db

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


def logsumexp(x):
    m = np.max(x, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        self.output = np.exp(input - logsumexp(input))
        return self.output

    def bprop(self, output_gradient):
        s = self.output
        J = np.einsum('ni,ij->nij', s, np.eye(s.shape[1])) - np.einsum('ni,nj->nij', s, s)
        return np.einsum('ni,nij->nj', output_gradient, J)


class CrossEntropyLoss(LossModule):
    def calculate_loss(self, input):
        self.input = np.clip(input, 1e-12, 1.0)
        return -np.sum(self.targets * np.log(self.input), axis=1)

    def calculate_loss_gradient(self):
        return -self.targets / self.input


class TanhModule(NNModuleParameterFree):
    def fprop(self, input):
        self.output = np.tanh(input)
        return self.output

    def bprop(self, output_gradient):
        return output_gradient * (1 - self.output ** 2)
