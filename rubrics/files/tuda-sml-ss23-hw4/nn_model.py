"""Homework 4, task 4.2d: the neural network, a stack of the modules of nn_modules.py (fill in every # ToDo)."""
import nn_modules


class NNModel:
    """A neural network built from module specifications: a list of (ModuleClass, parameters), e.g.

        NNModel([(nn_modules.LinearModule, {"number_input_neurons": 784, "number_output_neurons": 10}),
                 (nn_modules.SoftMaxModule, {})])
    """

    def __init__(self, module_specifications):
        self.nn_modules = []
        for Module, *parameters in module_specifications:
            assert issubclass(Module, nn_modules.NNModule), f"{Module} is not an NNModule"
            if len(parameters) == 1 and isinstance(parameters[0], dict):
                self.nn_modules.append(Module(**parameters[0]))
            else:
                self.nn_modules.append(Module(*parameters))
        # what bprop computes for update_internal_parameters, e.g. every module's parameter gradients
        self.bprop_buffer = {}

    def initialize_neural_network(self):
        # ToDo: initialise the parameters of every module
        raise NotImplementedError

    def fprop(self, input):
        # ToDo: propagate the batch `input` through all modules; return the network's output
        raise NotImplementedError

    def bprop(self, output_gradient):
        # ToDo: propagate the loss gradient back through all modules and store in self.bprop_buffer
        # what update_internal_parameters needs (returns nothing)
        raise NotImplementedError

    def update_internal_parameters(self, update_function):
        # ToDo: update the parameters of every module with the gradients stored by bprop
        raise NotImplementedError
