# Homework 4, task 4.2d -- Sarah Keller (2734561), Lukas Frank (2729873)
import nn_modules


class NNModel:
    """A stack of NNModules built from (ModuleClass, kwargs) specifications, as the handout's template."""

    def __init__(self, module_specifications):
        self.nn_modules = []
        for Module, kwargs in module_specifications:
            assert issubclass(Module, nn_modules.NNModule), f"{Module} is not an NNModule"
            self.nn_modules.append(Module(**kwargs))
        # the gradients of every module's parameters, filled by bprop, used by the update
        self.bprop_buffer = {}

    def initialize_neural_network(self):
        for module in self.nn_modules:
            module.initialize_parameters()

    def fprop(self, input):
        output = input
        for module in self.nn_modules:
            output = module.fprop(output)
        return output

    def bprop(self, output_gradient):
        gradient = output_gradient
        for i in reversed(range(len(self.nn_modules))):
            # parameter gradients first: they need the gradient at the module's output
            self.bprop_buffer[i] = self.nn_modules[i].get_batch_gradient_parameters(gradient)
            gradient = self.nn_modules[i].bprop(gradient)

    def update_internal_parameters(self, update_function):
        for i, module in enumerate(self.nn_modules):
            module.apply_parameter_updates(self.bprop_buffer[i], update_function)
