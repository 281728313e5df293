"""The homework's training loop (main.py's role), as the grader runs it on the student's framework.

Mini-batch gradient descent with `update_function(parameter, gradient) = parameter -
learning_rate * gradient`, the student's CrossEntropyLoss, NNModel.fprop, bprop and
update_internal_parameters. Returns the mean training loss of every epoch. The
grader's reference (reference/tuda_sml_ss23_hw4.py: train) runs the same loop.
"""
import numpy as np


def train(model, loss_class, x, t, epochs, batch_size, learning_rate, seed=0):
    rng = np.random.default_rng(seed)
    loss = loss_class()

    def update_function(parameter, parameter_gradient):
        return parameter - learning_rate * parameter_gradient

    curve = []
    for _ in range(int(epochs)):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(order), int(batch_size)):
            batch = order[start:start + int(batch_size)]
            loss.set_target_values(t[batch])
            total += float(np.sum(loss.calculate_loss(model.fprop(x[batch]))))
            model.bprop(loss.calculate_loss_gradient())
            model.update_internal_parameters(update_function)
        curve.append(total / len(order))
    return curve
