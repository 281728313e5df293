"""TU Darmstadt homework 4.2: the course's framework (NNModule, LossModule, NNModel, experiment.train) in
numpy with the handout's interface, written with the reference's named steps (reference/steps.py) so the
error model can slip them. Row-major data: X (batch, features), Linear computes X @ W + b with W (in, out),
gradients are accumulated (summed) over the batch, the loss is one value per sample.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from functools import partial
from typing import Any

import numpy as np

from reference import common
from reference.steps import step


class NNModule(ABC):
    @abstractmethod
    def fprop(self, input): ...

    @abstractmethod
    def bprop(self, output_gradient): ...

    @abstractmethod
    def initialize_parameters(self): ...

    @abstractmethod
    def get_batch_gradient_parameters(self, output_gradient): ...

    @abstractmethod
    def apply_parameter_updates(self, batch_gradient_parameters, update_function): ...


class NNModuleParameterFree(NNModule):
    def initialize_parameters(self):
        pass

    def get_batch_gradient_parameters(self, output_gradient):
        pass

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        pass


class LossModule(ABC):
    def set_target_values(self, targets):
        self.targets = targets

    @abstractmethod
    def calculate_loss(self, input): ...

    @abstractmethod
    def calculate_loss_gradient(self): ...


class LinearModule(NNModule):
    """As the handout has it: the constructor leaves W and b as None; initialize_parameters() creates them."""

    def __init__(self, number_input_neurons, number_output_neurons, rng: np.random.Generator | None = None):
        self.number_input_neurons = number_input_neurons
        self.number_output_neurons = number_output_neurons
        self.rng = rng if rng is not None else np.random.default_rng()
        self.W = None
        self.b = None

    def initialize_parameters(self):
        """Classical Xavier/Glorot: U(-a, a) with a = sqrt(6 / (in + out)), variance 2 / (in + out)."""
        bound = np.sqrt(6.0 / (self.number_input_neurons + self.number_output_neurons))
        self.W = self.rng.uniform(-bound, bound, size=(self.number_input_neurons, self.number_output_neurons))
        self.b = np.zeros(self.number_output_neurons)

    def fprop(self, input):
        self.input = common.as_array(input)
        return common.linear(self.input, self.W, self.b, where="LinearModule.fprop")

    def bprop(self, output_gradient):
        return common.as_array(output_gradient) @ self.W.T

    def get_batch_gradient_parameters(self, output_gradient):
        output_gradient = common.as_array(output_gradient)
        return (common.linear(self.input.T, output_gradient, where="the weight gradient"),
                common.total(output_gradient, axis=0, where="the bias gradient"))

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        dW, db = batch_gradient_parameters
        self.W = update_function(self.W, dW)
        self.b = update_function(self.b, db)


class SoftMaxModule(NNModuleParameterFree):
    def fprop(self, input):
        self.output = common.softmax(input, axis=-1)
        return self.output

    def bprop(self, output_gradient):
        return common.softmax_backward(output_gradient, self.output)


class TanhModule(NNModuleParameterFree):
    def fprop(self, input):
        self.output = common.tanh(input, where="TanhModule.fprop")
        return self.output

    def bprop(self, output_gradient):
        return tanh_backward(output_gradient, self.output)


class CrossEntropyLoss(LossModule):
    def calculate_loss(self, input):
        self.input = common.as_array(input)
        return -common.total(self.targets * common.natural_log(self.input), axis=-1, where="the loss")

    def calculate_loss_gradient(self):
        return cross_entropy_gradient(self.targets, self.input)


@step("backward", formula="g * (1 - y**2)")
def tanh_backward(g, y) -> np.ndarray:
    """TanhModule's backward pass: the incoming gradient times tanh' written in the stored output y."""
    return common.as_array(g) * (1.0 - common.as_array(y) ** 2)


@step("loss-gradient", formula="-t / z")
def cross_entropy_gradient(t, z) -> np.ndarray:
    return -common.as_array(t) / common.as_array(z)


class NNModel:
    """As the handout has it: the constructor builds `nn_modules` and the `bprop_buffer`;
    initialize_neural_network() initialises every module's parameters (experiment.train calls it first)."""

    def __init__(self, module_specifications):
        self.nn_modules: list[NNModule] = []
        for module_class, kwargs in module_specifications:
            if not issubclass(module_class, NNModule):
                raise TypeError(f"{module_class.__name__} is not an NNModule")
            self.nn_modules.append(module_class(**kwargs))
        self.bprop_buffer: dict[int, Any] = {}

    def initialize_neural_network(self):
        for module in self.nn_modules:
            module.initialize_parameters()

    def fprop(self, input):
        for module in self.nn_modules:
            input = module.fprop(input)
        return input

    def bprop(self, output_gradient):
        for index in reversed(range(len(self.nn_modules))):
            module = self.nn_modules[index]
            self.bprop_buffer[index] = module.get_batch_gradient_parameters(output_gradient)
            output_gradient = module.bprop(output_gradient)

    def update_internal_parameters(self, update_function):
        for index, module in enumerate(self.nn_modules):
            module.apply_parameter_updates(self.bprop_buffer.get(index), update_function)


def gradient_descent(parameter, parameter_gradient, learning_rate):
    """experiment.py's update rule, bound to a learning rate with functools.partial."""
    return parameter - learning_rate * parameter_gradient


ARCHITECTURES = {
    "linear": lambda d, c, rng: [(LinearModule, {"number_input_neurons": d, "number_output_neurons": c, "rng": rng}),
                                 (SoftMaxModule, {})],
    "deep": lambda d, c, rng: [(LinearModule, {"number_input_neurons": d, "number_output_neurons": 200, "rng": rng}),
                               (TanhModule, {}),
                               (LinearModule, {"number_input_neurons": 200, "number_output_neurons": c, "rng": rng}),
                               (SoftMaxModule, {})],
}


def classification_accuracy(probabilities, targets) -> float:
    return float(np.mean(np.argmax(probabilities, axis=1) == np.argmax(targets, axis=1)))


def train(model: NNModel, loss_module: LossModule, training_data, training_label, number_epochs: int,
          batch_size: int, learning_rate: float, permutation=np.random.permutation) -> tuple[NNModel, list[float]]:
    """The course's experiment.train (rubrics/files/tuda-sml-ss23-hw4/experiment.py): initialise the network,
    then per epoch shuffle and take mini-batch gradient steps; the loss of an epoch is the mean of its
    mini-batches' mean losses. `permutation` is the shuffle (the handout's global np.random.permutation)."""
    model.initialize_neural_network()
    update_function = partial(gradient_descent, learning_rate=learning_rate)
    loss_over_epochs = []
    for _ in range(number_epochs):
        order = permutation(len(training_data))
        batch_losses = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            output = model.fprop(training_data[batch])
            loss_module.set_target_values(training_label[batch])
            batch_losses.append(float(np.mean(loss_module.calculate_loss(output))))
            model.bprop(loss_module.calculate_loss_gradient())
            model.update_internal_parameters(update_function)
        loss_over_epochs.append(float(np.mean(batch_losses)))
    return model, loss_over_epochs
