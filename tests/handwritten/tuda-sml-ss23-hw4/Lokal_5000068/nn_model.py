# Homework 4, task 4.2d -- Helfer (2739006)
import numpy as np

import nn_modules


class NNModel:
    # Model provides the needed functionalities to train and evaluate a generic stack of NNModules

    def __init__(self, module_specifications):
        self.nn_modules = []
        self.bprop_buffer = dict()

        # Build module stack for the given module specifications
        for (Module, args) in module_specifications:
            if not issubclass(Module, nn_modules.NNModule):
                raise Exception('Not a valid NNModule')

            nn_module = Module(**args)
            self.nn_modules.append(nn_module)

    def initialize_neural_network(self):
        for nn_module in self.nn_modules:
            nn_module.initialize_parameters()

    def fprop(self, input):
        activation = input
        for nn_module in self.nn_modules:
            activation = nn_module.fprop(activation)
        return activation

    def bprop(self, output_gradient):
        self.bprop_buffer = {}
        delta = output_gradient
        for position in reversed(range(len(self.nn_modules))):
            nn_module = self.nn_modules[position]
            parameter_gradients = nn_module.get_batch_gradient_parameters(delta)
            if parameter_gradients is not None:      # parameter-free modules return None
                self.bprop_buffer[position] = parameter_gradients
            delta = nn_module.bprop(delta)

    def update_internal_parameters(self, update_function):
        for position, parameter_gradients in self.bprop_buffer.items():
            self.nn_modules[position].apply_parameter_updates(parameter_gradients, update_function)
