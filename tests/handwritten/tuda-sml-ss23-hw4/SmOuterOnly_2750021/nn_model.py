import nn_modules


class NNModel:
    def __init__(self, module_specifications):
        self.nn_modules = []
        for Module, kwargs in module_specifications:
            assert issubclass(Module, nn_modules.NNModule)
            self.nn_modules.append(Module(**kwargs))
        self.bprop_buffer = {}

    def initialize_neural_network(self):
        for module in self.nn_modules:
            module.initialize_parameters()

    def fprop(self, input):
        for module in self.nn_modules:
            input = module.fprop(input)
        return input

    def bprop(self, output_gradient):
        for i in reversed(range(len(self.nn_modules))):
            module = self.nn_modules[i]
            self.bprop_buffer[i] = module.get_batch_gradient_parameters(output_gradient)
            output_gradient = module.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for i, module in enumerate(self.nn_modules):
            module.apply_parameter_updates(self.bprop_buffer[i], update_function)
