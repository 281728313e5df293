"""Handwritten-digit data for training tasks, available offline.

The default is scikit-learn's bundled 8x8 digits (1797 images, no download).
A tutor can point a rubric at the course's MNIST instead: a folder with
`x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy`, or with the four IDX
files (`train-images-idx3-ubyte`, ...; optionally gzipped). Labels may be class
indices or one-hot rows; targets come back one-hot, inputs scaled to [0, 1].
"""
from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reference.steps import settled


class DatasetError(Exception):
    """Raised with a message that says which file is missing or malformed and what to do."""


@dataclass(frozen=True)
class Digits:
    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray

    @property
    def classes(self) -> int:
        return self.t_train.shape[1]


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """Class indices (n,) or (n, 1) become one-hot rows; rows that already are one-hot pass through."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:
        return labels.astype(np.float64)
    labels = labels.reshape(-1)
    out = np.zeros((labels.size, classes))
    out[np.arange(labels.size), labels.astype(int)] = 1.0
    return out


def _scale(x: np.ndarray) -> np.ndarray:
    """Pixels 0..255 (integers, or floats beyond 1) to [0, 1] by the same constant for every array,
    so training and test inputs are scaled alike whatever their brightest pixel."""
    raw = np.asarray(x)
    out = raw.astype(np.float64).reshape(len(raw), -1)
    if raw.dtype.kind in "ui" or (out.size and out.max() > 1.0):
        out = out / 255.0
    return out


def bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits (images, labels), read from its data file: importing scikit-learn
    itself takes seconds, which a student's self-check should not wait for."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            data = np.loadtxt(path, delimiter=",")
            return data[:, :-1], data[:, -1].astype(int)
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise DatasetError("scikit-learn is not installed: pip install scikit-learn, or point the rubric at MNIST files") from exc
    bunch = load_digits()
    return bunch.data, bunch.target


def sklearn_digits(test_fraction: float = 0.25, seed: int = 0) -> Digits:
    images, labels = bundled_digits()
    order = np.random.default_rng(seed).permutation(len(labels))
    x = images[order] / 16.0
    t = one_hot(labels[order])
    n_test = int(round(test_fraction * len(x)))
    return Digits(x[n_test:], t[n_test:], x[:n_test], t[:n_test])


def read_idx(path: Path) -> np.ndarray:
    """The IDX format of MNIST: 0x00 0x00 dtype ndim, big-endian dimensions, then data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"{path}: cannot be read ({exc}); download the file again") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise DatasetError(f"{path}: the header is cut off (it announces {ndim} dimensions)")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DatasetError(f"{path}: header says {dims} but the file holds {data.size} values")
    return data.reshape(dims)


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None


COURSE_SUBSET = ("train_images", "train_labels", "test_images", "test_labels")  # TU Darmstadt's mnist_subset/


def from_folder(folder: Path) -> Digits:
    """A folder with x_train/y_train/x_test/y_test.npy, the course's mnist_subset/{train,test}_{images,labels}.npy
    (or a folder holding mnist_subset/), or the four MNIST IDX files."""
    folder = Path(folder)
    if (folder / "mnist_subset").is_dir():
        folder = folder / "mnist_subset"
    for names in (("x_train", "y_train", "x_test", "y_test"), COURSE_SUBSET):
        if all((folder / f"{n}.npy").exists() for n in names):
            arrays = [np.load(folder / f"{n}.npy", allow_pickle=False) for n in names]
            return Digits(_scale(arrays[0]), one_hot(arrays[1]), _scale(arrays[2]), one_hot(arrays[3]))
    names = ("x_train", "y_train", "x_test", "y_test")
    stems = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    paths = [_find(folder, s) for s in stems]
    if all(paths):
        arrays = [read_idx(p) for p in paths]  # type: ignore[arg-type]
        return Digits(_scale(arrays[0]), one_hot(arrays[1]), _scale(arrays[2]), one_hot(arrays[3]))
    present_npy = [n + ".npy" for n in names if (folder / f"{n}.npy").exists()]
    present_idx = [s for s, p in zip(stems, paths) if p]
    if present_npy or present_idx:
        missing = [n + ".npy" for n in names if n + ".npy" not in present_npy] if len(present_npy) >= len(present_idx) \
            else [s for s in stems if s not in present_idx]
        raise DatasetError(f"{folder}: incomplete digit data; missing {', '.join(missing)}")
    raise DatasetError(
        f"{folder}: no digit data found; expected {', '.join(n + '.npy' for n in names)} "
        f"or the four MNIST IDX files {', '.join(stems)} (optionally .gz)"
    )


def as_images(x: np.ndarray) -> np.ndarray:
    """Flat 28 x 28 images (n, 784), as the JAX notebook reads them: MNIST as it is, the 8 x 8 digits scaled
    up three times and padded by two pixels, offline."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape[1] == 784:
        return x.astype(np.float32)
    if x.shape[1] != 64:
        raise DatasetError(f"images of {x.shape[1]} pixels are neither 28 x 28 nor 8 x 8")
    big = np.pad(np.kron(x.reshape(-1, 8, 8), np.ones((3, 3))), ((0, 0), (2, 2), (2, 2)))
    return big.reshape(len(x), 784).astype(np.float32)


def describe(spec: str) -> str:
    """Which data a run uses, for the report."""
    return ("the bundled 8 x 8 digits of scikit-learn (1797 images; 28 x 28 where the notebook needs it)"
            if spec == "sklearn-digits" else f"the course's data ({Path(spec).name})")  # no tutor's path in messages


@settled
def load(spec: str, subset: int | None = None) -> Digits:
    """`spec` is "sklearn-digits" or a folder path; `subset` keeps the first N training samples."""
    data = sklearn_digits() if spec == "sklearn-digits" else from_folder(Path(spec))
    if subset is not None:
        data = Digits(data.x_train[:subset], data.t_train[:subset], data.x_test, data.t_test)
    return data
