"""Tests for reference.datasets: one-hot targets, IDX/npy folders, sklearn digits."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from reference import datasets
from reference.datasets import DatasetError

IDX_STEMS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
NPY_NAMES = ("x_train", "y_train", "x_test", "y_test")


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding written by hand: 0x00 0x00 0x08 ndim, big-endian uint32 dims, raw uint8 data."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0x00, 0x00, 0x08, array.ndim])
    for dim in array.shape:
        header += int(dim).to_bytes(4, "big")
    return header + array.tobytes(order="C")


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> Path:
    raw = idx_bytes(array)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path


def small_mnist(seed=0, n_train=6, n_test=4, side=3):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, size=(n_train, side, side), dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(n_test, side, side), dtype=np.uint8)
    x_train[0, 0, 0] = 255  # full range in both sets, as in real MNIST
    x_test[0, 0, 0] = 255
    y_train = rng.integers(0, 10, size=n_train).astype(np.uint8)
    y_test = rng.integers(0, 10, size=n_test).astype(np.uint8)
    return x_train, y_train, x_test, y_test


def hand_one_hot(labels, classes=10):
    rows = []
    for label in labels:
        rows.append([1.0 if k == int(label) else 0.0 for k in range(classes)])
    return np.array(rows)


def check_digits(data, x_train, y_train, x_test, y_test):
    n_train, n_test = len(x_train), len(x_test)
    assert data.x_train.shape == (n_train, x_train[0].size)
    assert data.x_test.shape == (n_test, x_test[0].size)
    for got, raw in ((data.x_train, x_train), (data.x_test, x_test)):
        assert got.dtype == np.float64
        assert got.min() >= 0.0 and got.max() <= 1.0
        for i in range(len(raw)):
            np.testing.assert_allclose(got[i], [v / 255.0 for v in raw[i].ravel()])
    np.testing.assert_array_equal(data.t_train, hand_one_hot(y_train))
    np.testing.assert_array_equal(data.t_test, hand_one_hot(y_test))
    assert data.classes == 10


# --------------------------------------------------------------------------- one_hot


def test_one_hot_hand_values():
    out = datasets.one_hot(np.array([2, 0, 9]))
    expected = np.zeros((3, 10))
    expected[0, 2] = expected[1, 0] = expected[2, 9] = 1.0
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64


def test_one_hot_classes_and_dtypes():
    np.testing.assert_array_equal(datasets.one_hot([1, 0, 2], classes=3), [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(datasets.one_hot(np.array([3.0, 1.0]), classes=4), [[0, 0, 0, 1], [0, 1, 0, 0]])
    np.testing.assert_array_equal(datasets.one_hot(np.array([7], dtype=np.uint8)), hand_one_hot([7]))


def test_one_hot_passes_one_hot_rows_through():
    rows = np.array([[0, 1, 0], [1, 0, 0]], dtype=np.uint8)
    out = datasets.one_hot(rows)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, rows)


def test_one_hot_column_of_indices():
    out = datasets.one_hot(np.array([[3], [1]]))
    np.testing.assert_array_equal(out, hand_one_hot([3, 1]))


# --------------------------------------------------------------------------- read_idx


def test_read_idx_images_and_labels(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4) * 10
    labels = np.array([5, 0, 4, 1, 9], dtype=np.uint8)
    img_path = write_idx(tmp_path / "imgs-idx3-ubyte", images)
    lab_path = write_idx(tmp_path / "labs-idx1-ubyte", labels)
    assert img_path.read_bytes()[:4] == (0x00000803).to_bytes(4, "big")
    assert lab_path.read_bytes()[:4] == (0x00000801).to_bytes(4, "big")
    got_images = datasets.read_idx(img_path)
    got_labels = datasets.read_idx(lab_path)
    assert got_images.shape == (2, 3, 4)
    assert got_labels.shape == (5,)
    assert int(got_images[1, 2, 3]) == images[1, 2, 3] == 230
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, [5, 0, 4, 1, 9])


def test_read_idx_hand_bytes(tmp_path):
    path = tmp_path / "hand"
    path.write_bytes(bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]))
    np.testing.assert_array_equal(datasets.read_idx(path), [[1, 2, 3], [4, 5, 255]])


def test_read_idx_gzipped(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 5, 5), dtype=np.uint8)
    path = write_idx(tmp_path / "imgs", images, gz=True)
    assert path.suffix == ".gz"
    np.testing.assert_array_equal(datasets.read_idx(path), images)


@pytest.mark.parametrize(
    "header",
    [
        bytes([0, 0, 0x0D, 3]),  # float data, not unsigned bytes
        bytes([0x08, 0x03, 0, 0]),  # little-endian magic
        bytes([1, 0, 8, 3]),
        b"\x89PNG",
    ],
)
def test_read_idx_bad_magic(tmp_path, header):
    path = tmp_path / "bad"
    path.write_bytes(header + (1).to_bytes(4, "big") * 3 + bytes(1))
    with pytest.raises(DatasetError, match="magic"):
        datasets.read_idx(path)


def test_read_idx_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    with pytest.raises(DatasetError):
        datasets.read_idx(path)


@pytest.mark.parametrize("cut", [1, 5, 40])
def test_read_idx_truncated_data(tmp_path, cut):
    raw = idx_bytes(np.zeros((4, 4, 4), dtype=np.uint8))
    path = tmp_path / "truncated"
    path.write_bytes(raw[:-cut])
    with pytest.raises(DatasetError, match="header says"):
        datasets.read_idx(path)


def test_read_idx_too_long(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(idx_bytes(np.zeros(5, dtype=np.uint8)) + b"\x00")
    with pytest.raises(DatasetError):
        datasets.read_idx(path)


def test_read_idx_truncated_header(tmp_path):
    path = tmp_path / "short-header"
    path.write_bytes(bytes([0, 0, 8, 3]) + (5).to_bytes(4, "big"))  # 3 dims announced, 1 given
    with pytest.raises(DatasetError):
        datasets.read_idx(path)


def test_read_idx_truncated_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(50, dtype=np.uint8)))[:-12])
    with pytest.raises(DatasetError):
        datasets.read_idx(path)


# --------------------------------------------------------------------------- from_folder


def test_from_folder_npy(tmp_path):
    arrays = small_mnist(1)
    for name, array in zip(NPY_NAMES, arrays):
        np.save(tmp_path / f"{name}.npy", array)
    check_digits(datasets.from_folder(tmp_path), *arrays)
    # str paths and load() on a folder work the same way
    check_digits(datasets.load(str(tmp_path)), *arrays)


def test_from_folder_npy_one_hot_labels_and_unit_floats(tmp_path):
    x_train, y_train, x_test, y_test = small_mnist(2)
    x_train_f = x_train.reshape(len(x_train), -1) / 255.0  # already scaled: must stay as is
    x_test_f = x_test.reshape(len(x_test), -1) / 255.0
    np.save(tmp_path / "x_train.npy", x_train_f)
    np.save(tmp_path / "x_test.npy", x_test_f)
    np.save(tmp_path / "y_train.npy", hand_one_hot(y_train))
    np.save(tmp_path / "y_test.npy", hand_one_hot(y_test))
    data = datasets.from_folder(tmp_path)
    np.testing.assert_allclose(data.x_train, x_train_f)
    np.testing.assert_allclose(data.x_test, x_test_f)
    np.testing.assert_array_equal(data.t_train, hand_one_hot(y_train))
    np.testing.assert_array_equal(data.t_test, hand_one_hot(y_test))


@pytest.mark.parametrize("gz", [False, True, "mixed"])
def test_from_folder_idx(tmp_path, gz):
    arrays = small_mnist(3)
    for i, (stem, array) in enumerate(zip(IDX_STEMS, arrays)):
        write_idx(tmp_path / stem, array, gz=(i % 2 == 0) if gz == "mixed" else gz)
    check_digits(datasets.from_folder(tmp_path), *arrays)


def test_pixel_scaling_to_unit_interval(tmp_path):
    x_train = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x_test = np.array([[[255, 0], [0, 204]]], dtype=np.uint8)
    for stem, array in zip(IDX_STEMS, (x_train, np.array([1], np.uint8), x_test, np.array([2], np.uint8))):
        write_idx(tmp_path / stem, array)
    data = datasets.from_folder(tmp_path)
    np.testing.assert_allclose(data.x_train, [[0.0, 1.0, 0.2, 0.4]])
    np.testing.assert_allclose(data.x_test, [[1.0, 0.0, 0.0, 0.8]])


def test_pixel_scaling_is_the_same_for_train_and_test(tmp_path):
    x_train = np.array([[[0, 255]]], dtype=np.uint8)
    x_test = np.array([[[0, 128]]], dtype=np.uint8)  # a darker test set
    for stem, array in zip(IDX_STEMS, (x_train, np.array([1], np.uint8), x_test, np.array([2], np.uint8))):
        write_idx(tmp_path / stem, array)
    data = datasets.from_folder(tmp_path)
    np.testing.assert_allclose(data.x_test, [[0.0, 128 / 255]])


def test_from_folder_prefers_complete_npy_set(tmp_path):
    npy = small_mnist(4)
    idx = small_mnist(5, n_train=3, n_test=2)
    for name, array in zip(NPY_NAMES, npy):
        np.save(tmp_path / f"{name}.npy", array)
    for stem, array in zip(IDX_STEMS, idx):
        write_idx(tmp_path / stem, array)
    assert len(datasets.from_folder(tmp_path).x_train) == len(npy[0])
    (tmp_path / "y_test.npy").unlink()  # incomplete npy set: the IDX files are used
    check_digits(datasets.from_folder(tmp_path), *idx)


def test_from_folder_empty_names_expected_files(tmp_path):
    with pytest.raises(DatasetError) as info:
        datasets.from_folder(tmp_path)
    message = str(info.value)
    for name in NPY_NAMES:
        assert f"{name}.npy" in message
    assert "IDX" in message
    assert str(tmp_path) in message


def test_from_folder_incomplete_idx_set(tmp_path):
    arrays = small_mnist(6)
    for stem, array in list(zip(IDX_STEMS, arrays))[:3]:
        write_idx(tmp_path / stem, array)
    with pytest.raises(DatasetError):
        datasets.from_folder(tmp_path)


def test_from_folder_bad_magic_and_truncated(tmp_path):
    arrays = small_mnist(7)
    for stem, array in zip(IDX_STEMS, arrays):
        write_idx(tmp_path / stem, array)
    labels = tmp_path / IDX_STEMS[1]
    good = labels.read_bytes()
    labels.write_bytes(bytes([0, 0, 9, 1]) + good[4:])
    with pytest.raises(DatasetError, match="magic"):
        datasets.from_folder(tmp_path)
    labels.write_bytes(good[:-2])
    with pytest.raises(DatasetError, match=IDX_STEMS[1]):
        datasets.from_folder(tmp_path)


def test_load_missing_folder(tmp_path):
    with pytest.raises(DatasetError):
        datasets.load(str(tmp_path / "does-not-exist"))


# --------------------------------------------------------------------------- sklearn digits


@pytest.fixture(scope="module")
def digits():
    return datasets.load("sklearn-digits")


def test_sklearn_digits_shapes(digits):
    assert digits.x_train.shape[1] == digits.x_test.shape[1] == 64
    assert len(digits.x_train) + len(digits.x_test) == 1797
    assert len(digits.x_test) == round(0.25 * 1797)
    assert digits.classes == 10
    assert digits.t_train.shape == (len(digits.x_train), 10)
    assert digits.t_test.shape == (len(digits.x_test), 10)
    for t in (digits.t_train, digits.t_test):
        assert set(np.unique(t)) == {0.0, 1.0}
        np.testing.assert_array_equal(t.sum(axis=1), 1.0)
    for x in (digits.x_train, digits.x_test):
        assert x.min() >= 0.0 and x.max() <= 1.0
    # all ten classes occur in both splits
    assert np.all(digits.t_train.sum(axis=0) > 0) and np.all(digits.t_test.sum(axis=0) > 0)


def test_sklearn_digits_is_a_shuffle_of_the_bundle(digits):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = np.vstack([digits.x_train, digits.x_test]) * 16.0
    y = np.concatenate([digits.t_train, digits.t_test]).argmax(axis=1)
    # same multiset of (image, label) rows as the bundle
    ours = sorted(tuple(row) + (label,) for row, label in zip(np.round(x).astype(int), y))
    theirs = sorted(tuple(row) + (label,) for row, label in zip(bunch.data.astype(int), bunch.target))
    assert ours == theirs
    again = datasets.load("sklearn-digits")
    np.testing.assert_array_equal(again.x_train, digits.x_train)  # deterministic split


def test_load_subset(digits):
    sub = datasets.load("sklearn-digits", subset=100)
    assert sub.x_train.shape == (100, 64) and sub.t_train.shape == (100, 10)
    np.testing.assert_array_equal(sub.x_train, digits.x_train[:100])
    np.testing.assert_array_equal(sub.t_train, digits.t_train[:100])
    np.testing.assert_array_equal(sub.x_test, digits.x_test)
    np.testing.assert_array_equal(sub.t_test, digits.t_test)


def test_the_bundled_digits_read_directly_are_scikit_learns():
    """Read from scikit-learn's data file without importing it (seconds saved per self-check), the same data."""
    from sklearn.datasets import load_digits

    images, labels = datasets.bundled_digits()
    bunch = load_digits()
    assert np.array_equal(images, bunch.data) and np.array_equal(labels, bunch.target)
