# SML homework 4 - Nina Berger 2731106, Jan Roth 2735520
import numpy as np


class NNModel:
    def __init__(self, module_specifications):
        self.module_specifications = module_specifications
        self.initialize_neural_network()

    def initialize_neural_network(self):
        self.modules = []
        for spec in self.module_specifications:
            module_class, parameters = spec[0], spec[1]
            self.modules.append(module_class(**parameters))
        self.grads = []

    def fprop(self, input):
        for m in self.modules:
            input = m.fprop(input)
        return input

    def bprop(self, output_gradient):
        self.grads = []
        for m in self.modules[::-1]:
            self.grads.insert(0, m.get_batch_gradient_parameters(output_gradient))
            output_gradient = m.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for m, g in zip(self.modules, self.grads):
            m.apply_parameter_updates(g, update_function)
