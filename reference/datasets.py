"""Handwritten-digit data for training tasks, available offline.

The default is scikit-learn's bundled 8x8 digits (1797 images, no download).
A tutor can point a rubric at the course's MNIST instead: a folder with
`x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy`, or with the four IDX
files (`train-images-idx3-ubyte`, ...; optionally gzipped). Labels may be class
indices or one-hot rows; targets come back one-hot, inputs scaled to [0, 1].
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np


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
    labels = np.asarray(labels)
    if labels.ndim == 2:
        return labels.astype(np.float64)
    out = np.zeros((labels.size, classes))
    out[np.arange(labels.size), labels.astype(int)] = 1.0
    return out


def _scale(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    top = x.max() if x.size else 1.0
    return x / top if top > 1.0 else x


def sklearn_digits(test_fraction: float = 0.25, seed: int = 0) -> Digits:
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is a dependency
        raise DatasetError("scikit-learn is not installed: pip install scikit-learn, or point the rubric at MNIST files") from exc
    bunch = load_digits()
    order = np.random.default_rng(seed).permutation(len(bunch.target))
    x = bunch.data[order] / 16.0
    t = one_hot(bunch.target[order])
    n_test = int(round(test_fraction * len(x)))
    return Digits(x[n_test:], t[n_test:], x[:n_test], t[:n_test])


def read_idx(path: Path) -> np.ndarray:
    """The IDX format of MNIST: 0x00 0x00 dtype ndim, big-endian dimensions, then data."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
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


def from_folder(folder: Path) -> Digits:
    folder = Path(folder)
    names = ("x_train", "y_train", "x_test", "y_test")
    if all((folder / f"{n}.npy").exists() for n in names):
        arrays = [np.load(folder / f"{n}.npy", allow_pickle=False) for n in names]
        return Digits(_scale(arrays[0]), one_hot(arrays[1]), _scale(arrays[2]), one_hot(arrays[3]))
    stems = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    paths = [_find(folder, s) for s in stems]
    if all(paths):
        arrays = [read_idx(p) for p in paths]  # type: ignore[arg-type]
        return Digits(_scale(arrays[0]), one_hot(arrays[1]), _scale(arrays[2]), one_hot(arrays[3]))
    raise DatasetError(
        f"{folder}: no digit data found; expected {', '.join(n + '.npy' for n in names)} or the four MNIST IDX files"
    )


def load(spec: str, subset: int | None = None) -> Digits:
    """`spec` is "sklearn-digits" or a folder path; `subset` keeps the first N training samples."""
    data = sklearn_digits() if spec == "sklearn-digits" else from_folder(Path(spec))
    if subset is not None:
        data = Digits(data.x_train[:subset], data.t_train[:subset], data.x_test, data.t_test)
    return data
