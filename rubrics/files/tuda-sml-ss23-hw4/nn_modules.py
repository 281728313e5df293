"""Homework 4, task 4.2: the modules of the neural network (fill in every # ToDo).

Data are row-major: an input batch is (batch_size, features) and targets are one-hot rows
(batch_size, classes). The abstract classes in abstract_nn_modules.py (given, do not change)
say what every method receives and returns; experiment.train() calls them.
"""
import numpy as np

from abstract_nn_modules import NNModule, NNModuleParameterFree, LossModule


class LinearModule(NNModule):
    """Fully connected layer: output = input @ W + b, with W shaped (number_input_neurons, number_output_neurons)."""

    def __init__(self, number_input_neurons, number_output_neurons):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        # the parameters exist only after initialize_parameters()
        self.W = None
        self.b = None

    def initialize_parameters(self):
        # ToDo: Xavier/Glorot initialisation of self.W (shape (in, out)); self.b
        raise NotImplementedError

    def fprop(self, input):
        # ToDo: the layer's output for the batch `input`; store what bprop and the gradients need
        raise NotImplementedError

    def bprop(self, output_gradient):
        # ToDo: the gradient of the loss with respect to the layer's input
        raise NotImplementedError

    def get_batch_gradient_parameters(self, output_gradient):
        # ToDo: return (dW, db), the gradients of W and b summed over the batch
        raise NotImplementedError

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        # ToDo: update W and b with update_function(parameter, parameter_gradient)
        raise NotImplementedError


class SoftMaxModule(NNModuleParameterFree):
    """The softmax of every row of the input."""

    def fprop(self, input):
        # ToDo: the softmax of every row (numerically stable, task 4.1c)
        raise NotImplementedError

    def bprop(self, output_gradient):
        # ToDo: the gradient with respect to the input (task 4.1b)
        raise NotImplementedError


class TanhModule(NNModuleParameterFree):
    """The hyperbolic tangent, elementwise."""

    def fprop(self, input):
        # ToDo: tanh of the input
        raise NotImplementedError

    def bprop(self, output_gradient):
        # ToDo: the gradient with respect to the input (task 4.1e)
        raise NotImplementedError


class CrossEntropyLoss(LossModule):
    """The cross-entropy between the network's output (probabilities) and the targets set by set_target_values."""

    def calculate_loss(self, input):
        # ToDo: one loss per sample of the batch, using self.targets
        raise NotImplementedError

    def calculate_loss_gradient(self):
        # ToDo: the gradient of the loss with respect to the input of the last calculate_loss call (task 4.1d)
        raise NotImplementedError
