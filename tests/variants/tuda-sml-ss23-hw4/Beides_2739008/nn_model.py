# Homework 4, task 4.2d -- Beides (2739008)
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

        # shorter name, same list
        self.modules = self.nn_modules
        # ready to train right after construction
        self.initialize_neural_network()

    def initialize_neural_network(self):
        for nn_module in self.modules:
            nn_module.initialize_parameters()

    def fprop(self, input):
        for nn_module in self.modules:
            input = nn_module.fprop(input)
        return input

    def bprop(self, output_gradient):
        for i in reversed(range(len(self.modules))):
            self.bprop_buffer[i] = self.modules[i].get_batch_gradient_parameters(output_gradient)
            output_gradient = self.modules[i].bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for i, nn_module in enumerate(self.modules):
            nn_module.apply_parameter_updates(self.bprop_buffer[i], update_function)
