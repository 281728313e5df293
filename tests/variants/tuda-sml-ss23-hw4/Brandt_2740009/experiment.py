"""The homework's experiment.py (given, do not change), as the course hands it out.

main.py calls train() on the student's NNModel and CrossEntropyLoss and test() on the trained model. The
grader runs the same train() on the student's framework, so the network is initialised, shuffled and
updated exactly as the course's own code does it. (The handout's save_nn_model/load_nn_model pickle a
model to disk; the grader never uses them, and they are left out here.)
"""
from functools import partial

import numpy as np


def gradient_descent(parameter, parameter_gradient, learning_rate):
    return parameter - learning_rate * parameter_gradient


def train(nn_model, loss_module, training_data, training_label, number_epochs, batch_size, learning_rate):
    nn_model.initialize_neural_network()
    update_function = partial(gradient_descent, learning_rate=learning_rate)
    loss_over_epochs = []
    for _ in range(number_epochs):
        permutation = np.random.permutation(len(training_data))
        batch_losses = []
        for start in range(0, len(permutation), batch_size):
            batch = permutation[start:start + batch_size]
            output = nn_model.fprop(training_data[batch])
            loss_module.set_target_values(training_label[batch])
            batch_losses.append(np.mean(loss_module.calculate_loss(output)))
            nn_model.bprop(loss_module.calculate_loss_gradient())
            nn_model.update_internal_parameters(update_function)
        loss_over_epochs.append(float(np.mean(batch_losses)))
    return nn_model, loss_over_epochs


def test(trained_model, test_data, test_label):
    correct = 0
    for start in range(0, len(test_data), 100):
        output = trained_model.fprop(test_data[start:start + 100])
        correct += int(np.sum(np.argmax(output, axis=1) == np.argmax(test_label[start:start + 100], axis=1)))
    return correct / len(test_data)


def plot_loss(loss_over_epochs):
    import matplotlib.pyplot as plt

    plt.plot(loss_over_epochs)
    plt.xlabel("epoch")
    plt.ylabel("training loss")
    plt.show()
