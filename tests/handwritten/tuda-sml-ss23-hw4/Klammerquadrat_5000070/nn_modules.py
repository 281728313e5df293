# Homework 4, task 4.2 -- Schleife (2739002)
# We go through the batch sample by sample (easier to check against 4.1 by hand).
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
        # Xavier Glorot, uniform version: U(-r, r) with r = sqrt(6 / (fan_in + fan_out))
        r = np.sqrt(6.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(-r, r, (self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input_cache = input
        batch_size = input.shape[0]
        output = np.zeros((batch_size, self.number_output_neurons))
        for n in range(batch_size):
            output[n] = input[n] @ self.W + self.b
        return output

    def bprop(self, output_gradient):
        batch_size = output_gradient.shape[0]
        input_gradient = np.zeros((batch_size, self.number_input_neurons))
        for n in range(batch_size):
            input_gradient[n] = self.W @ output_gradient[n]
        return input_gradient

    def get_batch_gradient_parameters(self, output_gradient):
        dW = np.zeros_like(self.W)
        db = np.zeros_like(self.b)
        for n in range(output_gradient.shape[0]):
            dW += np.outer(self.input_cache[n], output_gradient[n])
            db += output_gradient[n]
        return dW, db

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


class SoftMaxModule(NNModuleParameterFree):

    def fprop(self, input):
        self.s = np.zeros(input.shape)
        for n in range(input.shape[0]):
            x = input[n] - np.max(input[n])   # 4.1c: shift does not change the result
            e = np.exp(x)
            self.s[n] = e / np.sum(e)
        return self.s

    def bprop(self, output_gradient):
        z = np.zeros(output_gradient.shape)
        for n in range(output_gradient.shape[0]):
            v, s = output_gradient[n], self.s[n]
            z[n] = s * (v - np.dot(v, s))   # 4.1b
        return z


class TanhModule(NNModuleParameterFree):

    def fprop(self, input):
        self.y = np.zeros(input.shape)
        for n in range(input.shape[0]):
            self.y[n] = np.tanh(input[n])
        return self.y

    def bprop(self, output_gradient):
        g = np.zeros(output_gradient.shape)
        for n in range(output_gradient.shape[0]):
            g[n] = output_gradient[n] * (1 - self.y[n]) ** 2
        return g


class CrossEntropyLoss(LossModule):

    def calculate_loss(self, input):
        self.z = input
        losses = np.zeros(input.shape[0])
        for n in range(input.shape[0]):
            losses[n] = -np.sum(self.targets[n] * np.log(input[n]))
        return losses

    def calculate_loss_gradient(self):
        grad = np.zeros(self.z.shape)
        for n in range(self.z.shape[0]):
            grad[n] = -self.targets[n] / self.z[n]
        return grad
