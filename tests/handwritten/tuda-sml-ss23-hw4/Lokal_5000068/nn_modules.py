# Homework 4, task 4.2 -- Helfer (2739006)
# Extra helpers: glorot_uniform(), a CachedActivation base class for the parameter-free
# modules and an IdentityModule we used for debugging the model.
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


def glorot_uniform(n_in, n_out):
    """Xavier Glorot (2010): U[-sqrt(6/(n_in+n_out)), +sqrt(6/(n_in+n_out))], shape (n_in, n_out)."""
    a = np.sqrt(6.0 / (n_in + n_out))
    return (2.0 * np.random.rand(n_in, n_out) - 1.0) * a


class CachedActivation(NNModuleParameterFree):
    """Activation that remembers its last output; subclasses give f and df (in terms of the output)."""

    def f(self, x):
        raise NotImplementedError

    def backward_from_output(self, y, output_gradient):
        raise NotImplementedError

    def fprop(self, input):
        self.y = self.f(input)
        return self.y

    def bprop(self, output_gradient):
        return self.backward_from_output(self.y, output_gradient)


class IdentityModule(CachedActivation):
    def f(self, x):
        return x

    def backward_from_output(self, y, output_gradient):
        return output_gradient


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
        self.W = glorot_uniform(self.number_input_neurons, self.number_output_neurons)
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input_cache = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        grad_W = self.input_cache.T @ output_gradient     # summed over the batch
        grad_b = output_gradient.sum(axis=0)
        return grad_W, grad_b

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        grad_W, grad_b = batch_gradient_parameters
        W = update_function(self.W, grad_W)
        self.b = update_function(self.b, grad_b)


class SoftMaxModule(CachedActivation):
    def f(self, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward_from_output(self, y, output_gradient):
        return y * output_gradient - y * (y * output_gradient).sum(axis=-1, keepdims=True)


class TanhModule(CachedActivation):
    def f(self, x):
        return np.tanh(x)

    def backward_from_output(self, y, output_gradient):
        return (1.0 - np.square(y)) * output_gradient


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        self.last_input = input
        return -(self.targets * np.log(input)).sum(axis=-1)

    def calculate_loss_gradient(self):
        return -self.targets * (1.0 / self.last_input)
