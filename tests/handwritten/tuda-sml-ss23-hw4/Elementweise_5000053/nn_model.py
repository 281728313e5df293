# Homework 4, task 4.2d -- Einsum (2739001)
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
        for module in self.nn_modules:
            module.initialize_parameters()
        self.bprop_buffer.clear()

    def fprop(self, input):
        out = input
        for module in self.nn_modules:
            out = module.fprop(out)
        return out

    def bprop(self, output_gradient):
        # go backwards through the stack; keep the parameter gradients of every module
        grad = output_gradient
        for idx in range(len(self.nn_modules) - 1, -1, -1):
            module = self.nn_modules[idx]
            self.bprop_buffer[idx] = module.get_batch_gradient_parameters(grad)
            grad = module.bprop(grad)

    def update_internal_parameters(self, update_function):
        for idx, module in enumerate(self.nn_modules):
            module.apply_parameter_updates(self.bprop_buffer[idx], update_function)
