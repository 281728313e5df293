"""Numpy forward passes of the TU Darmstadt JAX notebook's Flax networks, from the student's own parameters.

Flax initialises parameters at random, so a fixed answer key cannot hold the
loss of a student's `MLP`: the grader reads the student's parameter tree and
recomputes the forward pass, the mean softmax cross-entropy and the accuracy
here, in numpy, on a fixed batch. Layers are found by their parameter shapes
(Flax names them `Dense_0`, ... or after the student's attributes), ordered by
name with numbers compared as numbers, and must chain from 784 inputs to 10
outputs.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from reference import common
from reference.recompute import ChoiceError

MLP_SHAPES = [(784, 512), (512,), (512, 512), (512,), (512, 512), (512,), (512, 10), (10,)]
CNN_SHAPES = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (7 * 7 * 64, 256), (256,), (256, 10), (10,)]


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def leaves(tree: Any, prefix: str = "") -> list[tuple[str, np.ndarray]]:
    """(path, array) for every array of a nested mapping, in natural name order."""
    if isinstance(tree, Mapping):
        out = []
        for name in sorted(tree, key=_natural):
            out.extend(leaves(tree[name], f"{prefix}/{name}" if prefix else name))
        return out
    if isinstance(tree, np.ndarray):
        return [(prefix, tree)]
    raise ChoiceError(f"`{prefix or 'params'}` is not a tree of arrays")


def dense_layers(params: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """(kernel, bias) per Dense layer in the network's order."""
    if isinstance(params, Mapping) and "params" in params and len(params) == 1:
        params = params["params"]  # the whole `variables` of model.init
    if not isinstance(params, Mapping):
        raise ChoiceError("the parameters are not a dict of layers")
    layers = []
    for name in sorted(params, key=_natural):
        layer = params[name]
        if not isinstance(layer, Mapping) or "kernel" not in layer:
            raise ChoiceError(f"layer `{name}` has no kernel")
        kernel, bias = layer["kernel"], layer.get("bias")
        if not isinstance(kernel, np.ndarray) or kernel.ndim != 2 or not isinstance(bias, np.ndarray) \
                or bias.shape != (kernel.shape[1],):
            raise ChoiceError(f"layer `{name}` is not a Dense layer (kernel (in, out) and bias (out,))")
        layers.append((kernel.astype(np.float64), bias.astype(np.float64)))
    sizes = [784] + [k.shape[1] for k, _ in layers]
    if not layers or any(k.shape[0] != n for (k, _), n in zip(layers, sizes)) or sizes[-1] != 10:
        raise ChoiceError(f"the Dense layers do not chain from 784 inputs to 10 outputs: "
                          f"{[k.shape for k, _ in layers]}")
    return layers


def mlp_logits(params: Any, images: np.ndarray, relu: bool) -> np.ndarray:
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    layers = dense_layers(params)
    for i, (kernel, bias) in enumerate(layers):
        x = x @ kernel + bias
        if i < len(layers) - 1:
            x = common.relu(x) if relu else common.sigmoid(x)
    return x


def mean_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """optax.softmax_cross_entropy_with_integer_labels, averaged over the batch."""
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(len(labels)), labels.astype(int)]))


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(logits.argmax(axis=1) == labels.astype(int)))
