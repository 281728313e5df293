"""TU Darmstadt 4.3: the JAX notebook, graded in a course environment that has jax, flax and optax."""

import numpy as np
import pytest

from grader import api
from reference import flax_networks
from reference.recompute import ChoiceError
from tests.conftest import ROOT, course_python

TUDA = ROOT / "submissions" / "tuda-sml-ss23-hw4"


def mlp_params(rng, sizes=(784, 512, 512, 512, 10), names=None):
    names = names or [f"Dense_{i}" for i in range(len(sizes) - 1)]
    return {name: {"kernel": rng.normal(scale=0.05, size=(a, b)), "bias": rng.normal(size=b)}
            for name, a, b in zip(names, sizes[:-1], sizes[1:])}


def test_mlp_forward_from_a_parameter_tree_matches_a_direct_computation():
    rng = np.random.default_rng(0)
    params = mlp_params(rng)
    images = rng.random((4, 28, 28, 1))
    x = images.reshape(4, -1)
    for i in range(4):  # Dense_0 .. Dense_3 in order, relu between them
        layer = params[f"Dense_{i}"]
        x = x @ layer["kernel"] + layer["bias"]
        x = np.maximum(x, 0) if i < 3 else x
    np.testing.assert_allclose(flax_networks.mlp_logits({"params": params}, images, relu=True), x)
    labels = np.array([1, 2, 3, 4])
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert flax_networks.mean_cross_entropy(x, labels) == pytest.approx(-np.mean(np.log(p[range(4), labels])))
    assert flax_networks.accuracy(x, labels) == np.mean(x.argmax(axis=1) == labels)


def test_layers_are_ordered_by_name_with_numbers_as_numbers():
    rng = np.random.default_rng(1)
    params = mlp_params(rng, (784, 30, 20, 15, 12, 11, 10, 10, 10, 10, 10, 10),
                        names=[f"layer{i}" for i in range(11)])  # layer10 comes after layer9
    assert [k.shape for k, _ in flax_networks.dense_layers(params)][-2:] == [(10, 10), (10, 10)]
    assert flax_networks.dense_layers(params)[1][0].shape == (30, 20)


@pytest.mark.parametrize("params, says", [
    ({"Dense_0": {"kernel": np.ones((784, 10))}}, "not a Dense layer"),
    ({"Dense_0": {"kernel": np.ones((100, 10)), "bias": np.ones(10)}}, "do not chain from 784"),
    ({"Conv_0": {"weights": np.ones(3)}}, "has no kernel"),
    ([1, 2], "not a dict of layers"),
])
def test_parameter_trees_that_are_no_mlp_are_the_students_choice_error(params, says):
    with pytest.raises(ChoiceError, match=says):
        flax_networks.dense_layers(params)


@pytest.fixture(scope="module")
def jax_python(tmp_path_factory) -> str:
    return course_python(tmp_path_factory, "NNGRADE_TEST_JAX_PYTHON", ["numpy", "jax", "flax", "optax", "matplotlib"],
                         "jax and flax")


@pytest.mark.slow
def test_the_jax_notebook_is_graded_in_a_course_environment(jax_python, tmp_path):
    """The course's layout: train_images.npy (N, 784) and one-hot labels supplied by the grader,
    Model(network, key, learning_rate, batch_size), batches (X, Y), update_model returning four values."""
    import shutil

    import nbformat

    missing = tmp_path / "tuda-sml-ss23-hw4" / "Aktivierung_2799999"
    shutil.copytree(TUDA / "Keller_2734561_Frank_2729873", missing)
    nb = nbformat.read(missing / "neural_network_jax.ipynb", as_version=4)
    for cell in nb.cells:  # no activation after the MLP's second hidden layer and after the CNN's second conv
        cell.source = cell.source.replace(
            "for _ in range(3):\n            x = activation(nn.Dense(512)(x))",
            "x = activation(nn.Dense(512)(x))\n        x = nn.Dense(512)(x)\n        x = activation(nn.Dense(512)(x))")
        cell.source = cell.source.replace("x = activation(nn.Conv(features=64, kernel_size=(3, 3))(x))",
                                          "x = nn.Conv(features=64, kernel_size=(3, 3))(x)")
    nbformat.write(nb, missing / "neural_network_jax.ipynb")
    run = api.grade([TUDA / "Keller_2734561_Frank_2729873", TUDA / "Berger_2731106_Roth_2735520", missing],
                    sheet="tuda-sml-ss23-hw4", python=jax_python)
    keller, berger, act = ({t.id: t for t in r.tasks} for r in run.submissions)
    assert {keller[f"4.3.{t}"].status for t in "abcde"} == {"passed"}
    # Berger: hidden layers of 256 units, and the loss summed over the batch of 32 instead of averaged
    assert berger["4.3.a"].status == "partial" and "unexpected 256 (x3), 256x10, 256x256 (x2), 784x256" in \
        berger["4.3.a"].message  # the structure (an activation after every hidden layer) is right
    assert berger["4.3.c"].status == "failed" and berger["4.3.c"].diagnoses == ["summed-over-batch"]
    assert "summed over the batch" in berger["4.3.c"].message
    assert [berger[f"4.3.{t}"].status for t in "bde"] == ["passed"] * 3  # 256-unit MLP: own params, own loss
    # the missing activations are named on the student's own modules, and charged once
    assert act["4.3.a"].diagnoses == ["missing-activation"] and "second hidden Dense layer" in act["4.3.a"].message
    assert act["4.3.b"].diagnoses == ["missing-activation"] and "second convolution" in act["4.3.b"].message
    assert [act[f"4.3.{t}"].status for t in "cde"] == ["passed"] * 3
    assert run.submissions[0].points == pytest.approx(6.8 + 5)


def test_the_numpy_cnn_is_the_sheets_structure():
    """Conv (SAME) and average pooling written out, checked against a direct loop."""
    rng = np.random.default_rng(3)
    x, kernel, bias = rng.random((2, 5, 5, 1)), rng.normal(size=(3, 3, 1, 2)), rng.normal(size=2)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    direct = np.array([[[np.einsum("ijc,ijco->o", padded[n, i:i + 3, j:j + 3], kernel) + bias
                         for j in range(5)] for i in range(5)] for n in range(2)])
    np.testing.assert_allclose(flax_networks.conv_same(x, kernel, bias), direct)
    np.testing.assert_allclose(flax_networks.avg_pool(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0],
                               [[2.5, 4.5], [10.5, 12.5]])


def test_layers_named_in_setup_are_ordered_by_how_they_chain():
    rng = np.random.default_rng(2)
    layer = lambda a, b: {"kernel": rng.normal(size=(a, b)), "bias": rng.normal(size=b)}
    for names in (("hidden_1", "hidden_2", "input_layer", "output_layer"), ("d_hidden1", "d_hidden2", "c_in", "a_out")):
        params = dict(zip(names, (layer(512, 512), layer(512, 512), layer(784, 512), layer(512, 10))))
        assert [k.shape for k, _ in flax_networks.dense_layers(params)] == [(784, 512), (512, 512), (512, 512),
                                                                             (512, 10)], names
