"""Homework 4, task 4.2: train and test the networks of nn_model.py on the MNIST subset."""
import numpy as np

import experiment
import nn_modules
from nn_model import NNModel


def load_data(folder="mnist_subset"):
    """Images (N, 784) with values in [0, 1] and one-hot labels (N, 10)."""
    training_data = np.load(f"{folder}/train_images.npy")
    training_label = np.load(f"{folder}/train_labels.npy")
    test_data = np.load(f"{folder}/test_images.npy")
    test_label = np.load(f"{folder}/test_labels.npy")
    return training_data, training_label, test_data, test_label


if __name__ == '__main__':
    training_data, training_label, test_data, test_label = load_data()

    # task 4.2d: one linear layer and the softmax
    linear_specifications = [(nn_modules.LinearModule, {"number_input_neurons": 784, "number_output_neurons": 10}),
                             (nn_modules.SoftMaxModule, {})]
    # task 4.2e: a hidden layer of 200 tanh units
    deep_specifications = [(nn_modules.LinearModule, {"number_input_neurons": 784, "number_output_neurons": 200}),
                           (nn_modules.TanhModule, {}),
                           (nn_modules.LinearModule, {"number_input_neurons": 200, "number_output_neurons": 10}),
                           (nn_modules.SoftMaxModule, {})]

    number_epochs = 100
    batch_size = 100
    # ToDo: choose a learning rate
    learning_rate = 0.2

    for module_specifications in (linear_specifications, deep_specifications):
        nn_model = NNModel(module_specifications)
        loss_module = nn_modules.CrossEntropyLoss()
        nn_model, loss_over_epochs = experiment.train(nn_model, loss_module, training_data, training_label,
                                                      number_epochs, batch_size, learning_rate)
        experiment.plot_loss(loss_over_epochs)
        print(f"test accuracy: {experiment.test(nn_model, test_data, test_label):.4f}")
