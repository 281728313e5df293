"""Abstract building blocks of the homework's neural-network framework (given, do not change).

Data are row-major: an input batch is (batch_size, features). Students implement the
concrete modules in nn_modules.py and the model in nn_model.py.
"""
from abc import ABC, abstractmethod


class NNModule(ABC):
    """A layer or activation of a neural network."""

    @abstractmethod
    def fprop(self, input):
        """Forward propagation: returns the module's output for the batch `input`.
        Store whatever the backward pass needs."""

    @abstractmethod
    def bprop(self, output_gradient):
        """Backward propagation: returns the gradient of the loss with respect to the
        module's input, given the gradient with respect to its output."""

    @abstractmethod
    def initialize_parameters(self):
        """(Re-)initialise the module's parameters."""

    @abstractmethod
    def get_batch_gradient_parameters(self, output_gradient):
        """Gradients of the loss with respect to the module's parameters, accumulated
        over the batch, given the gradient with respect to the module's output."""

    @abstractmethod
    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        """Update every parameter p with update_function(p, gradient_of_p)."""


class NNModuleParameterFree(NNModule):
    """A module without parameters (an activation): nothing to initialise or update."""

    def initialize_parameters(self):
        pass

    def get_batch_gradient_parameters(self, output_gradient):
        pass

    def apply_parameter_updates(self, batch_gradient_parameters, update_function):
        pass


class LossModule(ABC):
    """A loss: set the targets first, then calculate the loss and its gradient."""

    def set_target_values(self, targets):
        """Store the targets (one-hot rows, (batch_size, classes)) for the next loss calculation."""
        self.targets = targets

    @abstractmethod
    def calculate_loss(self, input):
        """One loss value per sample of the batch `input` (the network's output)."""

    @abstractmethod
    def calculate_loss_gradient(self):
        """Gradient of the loss with respect to the input of the last calculate_loss call."""
