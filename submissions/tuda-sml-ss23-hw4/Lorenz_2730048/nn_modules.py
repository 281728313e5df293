"""SML SoSe 2023, Homework 4 -- Tim Lorenz, 2730048"""
import numpy as np
from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        self.initialize_parameters()

    def initialize_parameters(self):
        limit = np.sqrt(6 / (self.number_input_neurons + self.number_output_neurons))
        self.W = np.random.uniform(low=-limit, high=limit, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.last_input = input
        return input @ self.W + self.b

    def bprop(self, output_gradient):
        return output_gradient @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        return self.last_input.T @ output_gradient, output_gradient.sum(axis=0)

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        grad_W, grad_b = batch_gradient_parameters
        self.W = update_function(self.W, grad_W)
        self.b = update_function(self.b, grad_b)


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        shifted = input - np.max(input, axis=-1, keepdims=True)
        self.output = np.exp(shifted) / np.sum(np.exp(shifted), axis=-1, keepdims=True)
        return self.output

    def bprop(self, output_gradient):
        dot = np.sum(output_gradient * self.output, axis=-1, keepdims=True)
        return self.output * (output_gradient - dot)


class CrossEntropyLoss(LossModule):
    def calculate_loss(self, input):
        self.prediction = input
        return -np.sum(self.targets * np.log(input), axis=-1)

    def calculate_loss_gradient(self):
        # TODO
        raise NotImplementedError()

# TODO 4.2e: TanhModule
