import numpy as np
import nn_modules


class NNModel:
    def __init__(self, module_specifications):
        self.nn_modules = [Module(**kw) for Module, kw in module_specifications
                           if issubclass(Module, nn_modules.NNModule)]
        self.layers = self.nn_modules  # my own name for them
        self.bprop_buffer = {}

    def initialize_neural_network(self):
        for layer in self.layers:
            layer.initialize_parameters()

    def fprop(self, input):
        out = input
        for layer in self.layers:
            out = layer.fprop(out)
        return out

    def bprop(self, output_gradient):
        g = output_gradient
        for idx in range(len(self.layers) - 1, -1, -1):
            self.bprop_buffer[idx] = self.layers[idx].get_batch_gradient_parameters(g)
            g = self.layers[idx].bprop(g)

    def update_internal_parameters(self, update_function):
        for idx, layer in enumerate(self.layers):
            layer.apply_parameter_updates(self.bprop_buffer[idx], update_function)
