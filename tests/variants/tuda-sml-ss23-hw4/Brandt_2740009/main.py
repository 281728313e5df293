import numpy as np
import nn_modules
from nn_model import NNModel
from experiment import train, test, plot_loss


if __name__ == '__main__':
    train_images = np.load('mnist_subset/train_images.npy')
    train_labels = np.load('mnist_subset/train_labels.npy')
    test_images = np.load('mnist_subset/test_images.npy')
    test_labels = np.load('mnist_subset/test_labels.npy')
    module_specifications = [(nn_modules.LinearModule, {'number_input_neurons': 28 * 28, 'number_output_neurons': 10}),
                             (nn_modules.SoftMaxModule, {})]
    nn_model = NNModel(module_specifications)
    loss_module = nn_modules.CrossEntropyLoss()
    number_epochs = 100
    batch_size = 100
    learning_rate = 0.2
    nn_model, loss_over_epochs = train(nn_model, loss_module, train_images, train_labels, number_epochs, batch_size, learning_rate)
    plot_loss(loss_over_epochs)
    print(test(nn_model, test_images, test_labels))
