import numpy as np
import abstract_nn_modules as anm
NNModule = anm.NNModule


class LinearModule(anm.NNModule):
    """Fully connected layer: y = x W + b, W of shape (in, out)."""

    def __init__(self, number_input_neurons, number_output_neurons):
        super().__init__()
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        self.W = None
        self.b = None
        self.grads = None

    def _glorot_std(self):
        return np.sqrt(2.0 / (self.number_input_neurons + self.number_output_neurons))

    def initialize_parameters(self):
        self.W = np.random.normal(0.0, self._glorot_std(), (self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros((self.number_output_neurons,))

    def fprop(self, input):
        self._cache = input.copy()
        return np.dot(input, self.W) + self.b

    def bprop(self, output_gradient):
        return np.dot(output_gradient, self.W.T)

    def get_batch_gradient_parameters(self, output_gradient):
        self.grads = (np.dot(self._cache.T, output_gradient), np.sum(output_gradient, axis=0))
        return self.grads

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        new_W = update_function(self.W, batch_gradient_parameters[0])
        new_b = update_function(self.b, batch_gradient_parameters[1])
        self.W, self.b = new_W, new_b

    def __repr__(self):
        return f"Linear({self.number_input_neurons}, {self.number_output_neurons})"


class SoftMaxModule(anm.NNModuleParameterFree):
    def fprop(self, input):
        z = input - np.max(input, axis=1)[:, None]
        ez = np.exp(z)
        self.sigma = ez / np.sum(ez, axis=1)[:, None]
        return self.sigma

    def bprop(self, output_gradient):
        # z_i = s_i (v_i - v s^T)   (task 4.1b)
        vs = np.einsum('ij,ij->i', output_gradient, self.sigma)[:, None]
        return self.sigma * (output_gradient - vs)


class TanhModule(anm.NNModuleParameterFree):
    def fprop(self, input):
        self.x = input
        return np.tanh(input)

    def bprop(self, output_gradient):
        return output_gradient * (1 - np.tanh(self.x) ** 2)


class CrossEntropyLoss(anm.LossModule):
    def calculate_loss(self, input):
        self.prediction = input
        return -np.einsum('ij,ij->i', self.targets, np.log(np.maximum(input, 1e-300)))

    def calculate_loss_gradient(self):
        return -self.targets / np.maximum(self.prediction, 1e-300)
