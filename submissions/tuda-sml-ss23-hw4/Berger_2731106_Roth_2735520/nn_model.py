# SML homework 4 - Nina Berger 2731106, Jan Roth 2735520
import numpy as np


class NNModel:
    def __init__(self, module_specifications):
        self.nn_modules = []
        for spec in module_specifications:
            module_class, parameters = spec[0], spec[1]
            self.nn_modules.append(module_class(**parameters))
        self.bprop_buffer = {}
        self.grads = []

    def initialize_neural_network(self):
        for m in self.nn_modules:
            m.initialize_parameters()

    def fprop(self, input):
        for m in self.nn_modules:
            input = m.fprop(input)
        return input

    def bprop(self, output_gradient):
        self.grads = []
        for m in self.nn_modules[::-1]:
            self.grads.insert(0, m.get_batch_gradient_parameters(output_gradient))
            output_gradient = m.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for m, g in zip(self.nn_modules, self.grads):
            m.apply_parameter_updates(g, update_function)
