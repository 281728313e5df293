# Homework 4, task 4.2 -- Jacobi (2739005)
# Softmax via scipy; its backward pass multiplies with the full Jacobian of every sample (4.1a).
import numpy as np
from scipy.special import softmax

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
        # Xavier/Glorot normal, var = 2 / (fan_in + fan_out)
        fan_in, fan_out = self.number_input_neurons, self.number_output_neurons
        self.W = np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / (fan_in + fan_out))
        self.b = np.zeros(fan_out)

    def fprop(self, input):
        self.input_cache = input
        return np.dot(input, self.W) + self.b

    def bprop(self, output_gradient):
        return np.dot(output_gradient, self.W.T)

    def get_batch_gradient_parameters(self, output_gradient):
        return np.dot(self.input_cache.T, output_gradient), output_gradient.sum(axis=0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        grad_W, grad_b = batch_gradient_parameters
        self.W = update_function(self.W, grad_W)
        self.b = update_function(self.b, grad_b)


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        self.s = softmax(input, axis=1)
        return self.s

    def jacobian(self):
        # one C x C matrix per sample: diag(s) - s^T s
        s = self.s
        C = s.shape[1]
        return np.einsum('ni,ij->nij', s, np.eye(C)) - np.einsum('ni,nj->nij', s, s)

    def bprop(self, output_gradient):
        # z = v J for every sample
        return np.einsum('ni,nij->nj', output_gradient, self.jacobian())


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.x = input
        return np.tanh(input)

    def bprop(self, output_gradient):
        return output_gradient / np.cosh(self.x) ** 2   # sech^2


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        self.prediction = input
        return -(self.targets * np.log(input)).sum(axis=-1)

    def calculate_loss_gradient(self):
        return -(self.targets / self.prediction)
