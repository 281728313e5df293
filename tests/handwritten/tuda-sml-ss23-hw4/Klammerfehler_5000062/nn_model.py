# Homework 4, task 4.2d -- Schleife (2739002)
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
        """
        Initialize the internal parameters of the neural network
        """
        for nn_module in self.nn_modules:
            nn_module.initialize_parameters()

    def fprop(self, input):
        """
        Run the forward pass through the entire module stack
        """
        for nn_module in self.nn_modules:
            input = nn_module.fprop(input)
        return input

    def bprop(self, output_gradient):
        """
        Backpropagate the gradients through the complete module stack; the parameter gradients
        of every module are kept in bprop_buffer (key: the module itself)
        """
        for nn_module in reversed(self.nn_modules):
            self.bprop_buffer[nn_module] = nn_module.get_batch_gradient_parameters(output_gradient)
            output_gradient = nn_module.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        """
        Update all the internal parameters inside the neural network
        """
        for nn_module in self.nn_modules:
            nn_module.apply_parameter_updates(self.bprop_buffer[nn_module], update_function)
