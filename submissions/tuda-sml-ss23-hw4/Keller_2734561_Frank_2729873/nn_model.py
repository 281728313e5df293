# Homework 4, task 4.2d -- Sarah Keller (2734561), Lukas Frank (2729873)


class NNModel:
    """A stack of NNModules built from (ModuleClass, kwargs) specifications."""

    def __init__(self, module_specifications):
        self.module_specifications = module_specifications
        self.modules = []
        self.gradient_parameters = []
        self.initialize_neural_network()

    def initialize_neural_network(self):
        self.modules = [module_class(**kwargs) for module_class, kwargs in self.module_specifications]
        for module in self.modules:
            module.initialize_parameters()
        self.gradient_parameters = [None] * len(self.modules)

    def fprop(self, input):
        output = input
        for module in self.modules:
            output = module.fprop(output)
        return output

    def bprop(self, output_gradient):
        gradient = output_gradient
        for i in reversed(range(len(self.modules))):
            # parameter gradients first: they need the gradient at the module's output
            self.gradient_parameters[i] = self.modules[i].get_batch_gradient_parameters(gradient)
            gradient = self.modules[i].bprop(gradient)

    def update_internal_parameters(self, update_function):
        for module, gradient_parameters in zip(self.modules, self.gradient_parameters):
            module.apply_parameter_updates(gradient_parameters, update_function)
