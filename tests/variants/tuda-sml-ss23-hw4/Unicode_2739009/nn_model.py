# Homework 4, task 4.2d -- Unicode (2739009)
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
        Backpropagate through the stack; bprop_buffer[i] holds the parameter gradients of module i
        """
        gradient = output_gradient
        for i in range(len(self.nn_modules) - 1, -1, -1):
            self.bprop_buffer[i] = self.nn_modules[i].get_batch_gradient_parameters(gradient)
            gradient = self.nn_modules[i].bprop(gradient)

    def update_internal_parameters(self, update_function):
        """
        Apply update_function(parameter, gradient) to every parameter
        """
        for i, nn_module in enumerate(self.nn_modules):
            if self.bprop_buffer.get(i) is not None:
                nn_module.apply_parameter_updates(self.bprop_buffer[i], update_function)
