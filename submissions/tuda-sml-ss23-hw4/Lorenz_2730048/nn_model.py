"""SML SoSe 2023, Homework 4 -- Tim Lorenz, 2730048"""


class NNModel:
    def __init__(self, module_specifications):
        self.module_specifications = module_specifications
        self.initialize_neural_network()

    def initialize_neural_network(self):
        self.modules = [cls(**kwargs) for cls, kwargs in self.module_specifications]
        self.parameter_gradients = [None for _ in self.modules]

    def fprop(self, input):
        for module in self.modules:
            input = module.fprop(input)
        return input

    def bprop(self, output_gradient)
        for index in range(len(self.modules) - 1, -1, -1):
            self.parameter_gradients[index] = self.modules[index].get_batch_gradient_parameters(output_gradient)
            output_gradient = self.modules[index].bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for module, gradients in zip(self.modules, self.parameter_gradients):
            module.apply_parameter_updates(gradients, update_function)
