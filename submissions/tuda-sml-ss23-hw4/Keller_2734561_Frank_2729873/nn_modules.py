# Homework 4, task 4.2 -- Sarah Keller (2734561), Lukas Frank (2729873)
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    """Fully connected layer: output = input @ W + b, W is (in, out)."""

    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        self.input = None
        self.W = None  # created by initialize_parameters()
        self.b = None

    def initialize_parameters(self):
        # classical Xavier/Glorot initialisation: U(-a, a), a = sqrt(6 / (n_in + n_out))
        a = np.sqrt(6.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(-a, a, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        # dL/dinput = dL/doutput @ W^T
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        # gradients summed over the samples of the batch
        dW = self.input.T @ output_gradient
        db = np.sum(output_gradient, axis=0)
        return dW, db

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        # subtract the row maximum for numerical stability (task 4.1c)
        exps = np.exp(input - np.max(input, axis=1, keepdims=True))
        self.output = exps / np.sum(exps, axis=1, keepdims=True)
        return self.output

    def bprop(self, output_gradient):
        # z_i = s_i (v_i - v . s) for every row (task 4.1b)
        s = self.output
        return s * (output_gradient - np.sum(output_gradient * s, axis=1, keepdims=True))


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.output = np.tanh(input)
        return self.output

    def bprop(self, output_gradient):
        # tanh'(x) = 1 - tanh(x)^2 (task 4.1e)
        return output_gradient * (1.0 - self.output ** 2)


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        # one loss per sample: L = -sum_i t_i ln z_i
        self.input = input
        return -np.sum(self.targets * np.log(input), axis=1)

    def calculate_loss_gradient(self):
        # dL/dz = -t / z (task 4.1d)
        return -self.targets / self.input
