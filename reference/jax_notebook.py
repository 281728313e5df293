"""TU Darmstadt 4.3: the JAX notebook's given data, the data files it loads, and expected values that follow
from the student's own network (Flax initialises at random, so no fixed key can hold them).

The course's layout: flat (N, 784) images and one-hot (N, 10) labels in train_images.npy etc.,
Model(network, key, learning_rate, batch_size), batches (X, Y).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import model_validator

from reference import datasets, flax_networks
from reference.given import GivenModel
from reference.recompute import ChoiceError, Recompute
from reference.steps import settled


class Notebook43(GivenModel):
    """The JAX notebook as the course hands it out: flat (N, 784) images, one-hot (N, 10) labels,
    Model(network, key, learning_rate, batch_size), batches (X, Y)."""

    samples: int = 32  # the fixed batch every JAX check runs on
    seed: int = 0
    learning_rate: float = 0.001
    batch_size: int = 32  # Model's batch_size: its parameters are initialised on train_images[:batch_size]
    relu_as_activation: bool = True
    train_samples: int = 500  # the data files the notebook loads, where the submission has none
    test_samples: int = 200

    @model_validator(mode="after")
    def _positive(self):
        if not 1 <= self.samples <= 512 or self.learning_rate <= 0 or not 1 <= self.batch_size <= self.train_samples:
            raise ValueError("samples must be 1..512, learning_rate positive and batch_size 1..train_samples")
        return self


@settled
def notebook_data(data: datasets.Digits, n: Notebook43) -> dict[str, Any]:
    """The notebook's data files (train_images.npy, ...: flat 28 x 28 images, one-hot labels) and the fixed
    batch of the checks, drawn from the training images."""
    train, test = datasets.as_images(data.x_train), datasets.as_images(data.x_test)
    pick = np.random.default_rng(n.seed).choice(len(train), size=n.samples, replace=False)
    return {
        "4.3.images": train[pick], "4.3.images_2d": train[pick].reshape(-1, 28, 28),
        "4.3.labels": data.t_train[pick].astype(np.float32),
        "4.3.data.train_images": train[:n.train_samples], "4.3.data.train_labels": data.t_train[:n.train_samples],
        "4.3.data.test_images": test[:n.test_samples], "4.3.data.test_labels": data.t_test[:n.test_samples],
    }


def _params(own: dict[str, Any], network: str) -> dict[str, Any]:
    params = own.get("params")
    if not isinstance(params, dict):
        raise ChoiceError(f"the {network}'s parameters are not a dict of layers (the `params` of init)")
    return params


def _own_loss(own: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
    """Model.loss and Model.accuracy of the student's own network: from its own logits on the batch, so a
    mistake in the network is charged once, in 4.3.a or 4.3.b, not again here."""
    logits = np.asarray(own.get("logits"), dtype=np.float64)
    labels = key["4.3.labels"]
    if logits.shape != labels.shape:
        raise ChoiceError(f"the network's output on the batch has shape {logits.shape}, expected {labels.shape}")
    return {"loss": flax_networks.mean_cross_entropy(logits, labels),
            "accuracy": flax_networks.accuracy(logits, labels), "batch": len(labels)}


def _mlp_mistakes(expected: dict[str, Any]) -> dict[str, list]:
    """Model.loss summed over the batch where the notebook averages."""
    from reference.mistakes import Alternative

    return {"loss": [Alternative("summed-over-batch", "the loss is summed over the batch; Model.loss is the mean "
                                 "over the samples", expected["batch"] * expected["loss"])]}


def _structure(network: str, images: str):
    """The student's own network's logits, written out from its parameters as the sheet's structure."""
    def fn(own: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
        params, relu = _params(own, network.upper()), bool(key["4.3.relu_as_activation"])
        forward = flax_networks.mlp_logits if network == "mlp" else flax_networks.cnn_logits
        return {"logits": forward(params, key[images], relu),
                "missing": flax_networks.missing_activations(network, params, key[images], relu)}
    return fn


def _structure_mistakes(expected: dict[str, Any]) -> dict[str, list]:
    from reference.mistakes import Alternative

    return {"logits": [Alternative(i, message, logits) for i, message, logits in expected["missing"]]}


RECOMPUTE = {
    "flax_loss": Recompute(
        inputs=("logits",), outputs=("loss", "accuracy"), fn=_own_loss,
        statement="the student's own network's logits on the fixed batch (X, Y): mean softmax cross-entropy with "
                  "the one-hot labels, and the fraction of argmax hits",
        mistakes=_mlp_mistakes,
    ),
    "flax_mlp_structure": Recompute(
        inputs=("params",), outputs=("logits",), fn=_structure("mlp", "4.3.images"),
        statement="the student's MLP on flat (N, 784) images equals Dense 512, activation (three times), Dense 10 "
                  "with its own parameters",
        mistakes=_structure_mistakes,
    ),
    "flax_cnn_structure": Recompute(
        inputs=("params",), outputs=("logits",), fn=_structure("cnn", "4.3.images_2d"),
        statement="the student's CNN on (N, 28, 28) images equals Conv 32, activation, average pool, Conv 64, "
                  "activation, average pool, Dense 256, activation, Dense 10 with its own parameters",
        mistakes=_structure_mistakes,
    ),
}
