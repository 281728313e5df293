# Homework 4, task 4.2d -- Jacobi (2739005)
# bprop_buffer keeps the gradient w.r.t. each module's OUTPUT; the parameter gradients are
# computed from it in update_internal_parameters.
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
        self.bprop_buffer = dict()

    def fprop(self, input):
        output = input
        for nn_module in self.nn_modules:
            output = nn_module.fprop(output)
        return output

    def bprop(self, output_gradient):
        gradient = output_gradient
        for nn_module in self.nn_modules[::-1]:
            self.bprop_buffer[nn_module] = gradient   # gradient w.r.t. the module's output
            gradient = nn_module.bprop(gradient)

    def update_internal_parameters(self, update_function):
        for nn_module in self.nn_modules:
            batch_gradients = nn_module.get_batch_gradient_parameters(self.bprop_buffer[nn_module])
            nn_module.apply_parameter_updates(batch_gradients, update_function)
