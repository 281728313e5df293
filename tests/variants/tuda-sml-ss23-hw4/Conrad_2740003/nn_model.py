import nn_modules


class NNModel:
    def __init__(self, module_specifications):
        self.nn_modules = []
        for Module, args in module_specifications:
            if not issubclass(Module, nn_modules.NNModule):
                raise ValueError("not a module: " + str(Module))
            self.nn_modules.append(Module(**args))

    def initialize_neural_network(self):
        for m in self.nn_modules:
            m.initialize_parameters()

    def fprop(self, input):
        for m in self.nn_modules:
            input = m.fprop(input)
        return input

    def predict(self, input):
        return self.fprop(input).argmax(axis=1)

    def bprop(self, output_gradient):
        # each module keeps its own gradients (module.last_grads) until the update
        for m in self.nn_modules[::-1]:
            m.last_grads = m.get_batch_gradient_parameters(output_gradient)
            output_gradient = m.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for m in self.nn_modules:
            m.apply_parameter_updates(m.last_grads, update_function)

    def number_of_parameters(self):
        return sum(m.W.size + m.b.size for m in self.nn_modules if getattr(m, "W", None) is not None)
