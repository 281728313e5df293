# Homework 4, task 4.2d -- Einfach (2739003)
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
        for m in self.nn_modules:
            m.initialize_parameters()

    def fprop(self, input):
        x = np.asarray(input, dtype=np.float32)
        for m in self.nn_modules:
            x = m.fprop(x)
        return x

    def bprop(self, output_gradient):
        g = np.asarray(output_gradient, dtype=np.float32)
        for i in reversed(range(len(self.nn_modules))):
            m = self.nn_modules[i]
            self.bprop_buffer[f"layer{i}"] = m.get_batch_gradient_parameters(g)
            g = m.bprop(g)

    def update_internal_parameters(self, update_function):
        for i, m in enumerate(self.nn_modules):
            m.apply_parameter_updates(self.bprop_buffer.get(f"layer{i}"), update_function)
