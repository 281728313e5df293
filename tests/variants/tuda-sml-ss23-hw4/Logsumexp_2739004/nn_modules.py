# Homework 4, task 4.2 -- Logsumexp (2739004)
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


def logsumexp(x, axis=-1):
    """log(sum(exp(x))) along axis without overflow (keeps the axis)."""
    m = np.max(x, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


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
        # classical Xavier Glorot (uniform); the bias is a 1 x out row like the outputs
        limit = np.sqrt(6.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(low=-limit, high=limit,
                                   size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros((1, self.number_output_neurons))

    def fprop(self, input):
        self.input_cache = input
        return np.matmul(input, self.W) + self.b

    def bprop(self, output_gradient):
        return np.matmul(output_gradient, np.transpose(self.W))

    def get_batch_gradient_parameters(self, output_gradient):
        dW = np.matmul(np.transpose(self.input_cache), output_gradient)
        db = np.sum(output_gradient, axis=0, keepdims=True)   # (1, out) like b
        return [dW, db]

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        self.W = update_function(self.W, batch_gradient_parameters[0])
        self.b = update_function(self.b, batch_gradient_parameters[1])


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        # softmax = exp(x - logsumexp(x)), stable for large inputs
        self.sm = np.exp(input - logsumexp(input, axis=1))
        return self.sm

    def bprop(self, output_gradient):
        inner = np.sum(output_gradient * self.sm, axis=1, keepdims=True)
        return self.sm * output_gradient - self.sm * inner


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.th = np.tanh(input)
        return self.th

    def bprop(self, output_gradient):
        return output_gradient * (1 - self.th) * (1 + self.th)


class CrossEntropyLoss(LossModule):
    EPS = 1e-12   # never take log(0)

    def calculate_loss(self, input):
        self.z = np.clip(input, self.EPS, 1.0)
        return -np.sum(self.targets * np.log(self.z), axis=1)

    def calculate_loss_gradient(self):
        return -self.targets / self.z
