# Homework 4, task 4.2d -- Konstruktor (2739007)


class NNModel:
    """Stack of NNModules; ready to use after construction."""

    def __init__(self, module_specifications):
        self.modules = [Module(**kwargs) for Module, kwargs in module_specifications]
        self.grads = []
        self.initialize_neural_network()

    def initialize_neural_network(self):
        for m in self.modules:
            m.initialize_parameters()
        self.grads = [None for _ in self.modules]

    def fprop(self, input):
        for m in self.modules:
            input = m.fprop(input)
        return input

    def bprop(self, output_gradient):
        g = output_gradient
        for k in range(len(self.modules) - 1, -1, -1):
            self.grads[k] = self.modules[k].get_batch_gradient_parameters(g)
            g = self.modules[k].bprop(g)

    def update_internal_parameters(self, update_function):
        for m, g in zip(self.modules, self.grads):
            m.apply_parameter_updates(g, update_function)
