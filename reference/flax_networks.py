"""Numpy forward passes of the TU Darmstadt JAX notebook's Flax networks, from the student's own parameters.

The notebook's layout (the course's handout): images flat, (N, 784), labels one-hot, (N, 10); the MLP
takes the flat images, the CNN gets them as (N, 28, 28) and adds the channel axis itself. The forward
passes here are the sheet's structure written out (a Dense or Conv layer, its activation, the 2x2
average pool), so comparing them with the student's own `apply` checks that every hidden layer is
followed by its activation, and dropping one activation at a time names the one that is missing.

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
    layers = chained(layers, 784)
    sizes = [784] + [k.shape[1] for k, _ in layers]
    if not layers or any(k.shape[0] != n for (k, _), n in zip(layers, sizes)) or sizes[-1] != 10:
        raise ChoiceError(f"the Dense layers do not chain from 784 inputs to 10 outputs: "
                          f"{[k.shape for k, _ in layers]}")
    return layers


def chained(layers: list[tuple[np.ndarray, np.ndarray]], inputs: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The layers in the order their shapes chain from `inputs` (a student may name them input_layer, hidden_1,
    output_layer in setup(), which sorts otherwise); the name order where the shapes do not decide it."""
    left, out, size = list(layers), [], inputs
    while left:
        following = [i for i, (kernel, _) in enumerate(left) if kernel.shape[0] == size]
        if not following:  # nothing fits: keep the name order from here, the caller says what does not chain
            return out + left
        continues = [i for i in following if any(k.shape[0] == left[i][0].shape[1]
                                                 for j, (k, _) in enumerate(left) if j != i)]
        # several fit (512 -> 512 twice): one that the rest can follow, the first by name
        layer = left.pop((continues or following)[0] if len(left) > 1 else following[0])
        out.append(layer)
        size = layer[0].shape[1]
    return out


def activation(relu: bool):
    return common.relu if relu else common.sigmoid


def mlp_logits(params: Any, images: np.ndarray, relu: bool, skip: int | None = None) -> np.ndarray:
    """Dense, activation, ..., Dense; `skip` leaves out the activation after that hidden layer (a mistake)."""
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    layers = dense_layers(params)
    for i, (kernel, bias) in enumerate(layers):
        x = x @ kernel + bias
        if i < len(layers) - 1 and i != skip:
            x = activation(relu)(x)
    return x


def conv_same(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """flax.linen.Conv with its default padding "SAME" and stride 1, NHWC, kernel (kh, kw, in, out)."""
    kh, kw = kernel.shape[:2]
    padded = np.pad(x, ((0, 0), (kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))  # N, H, W, C, kh, kw
    return np.einsum("nhwcij,ijco->nhwo", windows, kernel, optimize=True) + bias


def avg_pool(x: np.ndarray) -> np.ndarray:
    """flax.linen.avg_pool with a 2x2 window and stride 2 (padding "VALID")."""
    n, h, w, c = x.shape
    return x[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def cnn_layers(params: Any) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[np.ndarray, np.ndarray]]]:
    """(kernel, bias) of the Conv layers and of the Dense layers, each in the network's order."""
    if isinstance(params, Mapping) and "params" in params and len(params) == 1:
        params = params["params"]
    if not isinstance(params, Mapping):
        raise ChoiceError("the parameters are not a dict of layers")
    convs, denses = [], []
    for name in sorted(params, key=_natural):
        layer = params[name]
        kernel = layer.get("kernel") if isinstance(layer, Mapping) else None
        bias = layer.get("bias") if isinstance(layer, Mapping) else None
        if not isinstance(kernel, np.ndarray) or not isinstance(bias, np.ndarray) or kernel.ndim not in (2, 4):
            raise ChoiceError(f"layer `{name}` is neither a Conv nor a Dense layer with a kernel and a bias")
        (convs if kernel.ndim == 4 else denses).append((kernel.astype(np.float64), bias.astype(np.float64)))
    convs.sort(key=lambda conv: conv[0].shape[2])  # by input channels, whatever the layers are called
    denses = chained(denses, denses[0][0].shape[0] if len(denses) == 1 else
                     max((k.shape[0] for k, _ in denses), default=0))
    if [k.shape[-1] for k, _ in convs] != [32, 64] or [k.shape[1] for k, _ in denses] != [256, 10]:
        raise ChoiceError(f"the layers are not Conv 32, Conv 64, Dense 256, Dense 10: "
                          f"{[k.shape for k, _ in convs + denses]}")
    return convs, denses


def cnn_logits(params: Any, images: np.ndarray, relu: bool, skip: int | None = None) -> np.ndarray:
    """Conv 32, act, pool, Conv 64, act, pool, Dense 256, act, Dense 10 on (N, 28, 28) images (or flat, or
    with the channel axis); `skip` leaves out the activation after hidden layer 0, 1 or 2 (a mistake)."""
    convs, denses = cnn_layers(params)
    x = np.asarray(images, dtype=np.float64).reshape(len(images), 28, 28, 1)
    act = activation(relu)
    for i, (kernel, bias) in enumerate(convs):
        x = conv_same(x, kernel, bias)
        x = avg_pool(x if i == skip else act(x))
    x = x.reshape(len(x), -1)
    if x.shape[1] != denses[0][0].shape[0]:
        raise ChoiceError(f"the Dense layer after the convolutions expects {denses[0][0].shape[0]} inputs, "
                          f"the pooled feature maps have {x.shape[1]}")
    x = x @ denses[0][0] + denses[0][1]
    x = x if skip == 2 else act(x)
    return x @ denses[1][0] + denses[1][1]


HIDDEN = {"mlp": ("the first hidden Dense layer", "the second hidden Dense layer", "the third hidden Dense layer"),
          "cnn": ("the first convolution", "the second convolution", "the Dense(256) layer")}


def missing_activations(network: str, params: Any, images: np.ndarray, relu: bool) -> list[tuple[str, str, np.ndarray]]:
    """The logits each network gives with one activation left out: (id, message, logits)."""
    forward = mlp_logits if network == "mlp" else cnn_logits
    return [("missing-activation", f"no activation after {where}: every hidden layer is followed by the "
                                   f"{'ReLU' if relu else 'sigmoid'}", forward(params, images, relu, skip=i))
            for i, where in enumerate(HIDDEN[network])]


def mean_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """The softmax cross-entropy averaged over the batch; labels one-hot (N, 10) or integers (N,)."""
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(log_p * one_hot(labels, logits.shape[1]), axis=1)))


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    labels = np.asarray(labels)
    return labels.astype(np.float64) if labels.ndim == 2 else np.eye(classes)[labels.astype(int)]


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(logits.argmax(axis=1) == one_hot(labels, logits.shape[1]).argmax(axis=1)))
