"""Observed values -> plain data: tagged JSON and .npy files, nothing the parent must trust.

Only exact built-in types (dicts with string keys too) and exact `numpy.ndarray`s of
numbers pass, and jax arrays and flax's parameter mappings converted to those; a subclass,
an object with a custom `__eq__` or anything else becomes an "unsupported" tag
that the judge turns into a failed check. Sizes are capped so a hostile value
cannot fill the disk or the parent's memory.
"""
from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

MAX_ARRAY_ELEMENTS = 2_000_000
MAX_SEQUENCE = 10_000
MAX_DEPTH = 6
MAX_STRING = 200
NUMPY_SCALARS = (np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
                 np.uint64, np.uint32, np.uint16, np.uint8)


class ArrayWriter:
    """Appends arrays (.npy bytes) and pictures to the one blob file the parent created: the sandbox
    lets the child write to that file and the results file only, never create files of its own."""

    def __init__(self, folder: Path):
        self.stream = open(folder / "blobs.bin", "ab")

    def add(self, data: bytes) -> list[int]:
        offset = self.stream.seek(0, io.SEEK_END)
        self.stream.write(data)
        self.stream.flush()
        return [offset, len(data)]

    def save(self, array: np.ndarray) -> list[int]:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
        return self.add(buffer.getvalue())


def _number(value: float | int) -> dict[str, Any]:
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}  # 'nan', 'inf', '-inf': JSON has no literal for them
    return {"num": value}


def _from_jax(kind: type) -> bool:
    return str(getattr(kind, "__module__", "")).split(".")[0] in ("jax", "jaxlib")


def _from_torch(kind: type) -> bool:
    return str(getattr(kind, "__module__", "")).split(".")[0] == "torch"


def _torch_value(value: Any, arrays: "ArrayWriter", depth: int) -> dict[str, Any]:
    """A tensor becomes the numpy array it holds (detached, on the CPU); a module or an optimizer where a value
    is due is named, so the student learns that the function returned the object, not its output."""
    if isinstance(value, tuple):  # torch.Size, torch.return_types.max: values in a tuple
        return encode(tuple(value), arrays, depth)
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        try:
            tensor = value.detach().cpu()
            array = (tensor.float() if str(tensor.dtype) == "torch.bfloat16" else tensor).numpy()
        except Exception as exc:
            return {"unsupported": f"a torch tensor that cannot be read ({type(exc).__name__})"}
        if type(array) is not np.ndarray:
            return {"unsupported": "a torch value that is not an array"}
        return encode(array[()] if array.ndim == 0 else array, arrays, depth)
    return {"unsupported": f"a torch object ({type(value).__name__}), not values: return its output, e.g. "
                           "module(x), not the module"}


def _from_flax(kind: type) -> bool:
    return str(getattr(kind, "__module__", "")).split(".")[0] == "flax"


def _jax_value(value: Any, arrays: ArrayWriter, depth: int) -> dict[str, Any]:
    """A jax array becomes the numpy array it holds; only an exact ndarray of numbers is sent on."""
    try:
        array = np.asarray(value)
    except Exception as exc:
        return {"unsupported": f"a jax value that is not an array ({type(exc).__name__})"}
    if type(array) is not np.ndarray:
        return {"unsupported": "a jax value that is not an array"}
    return encode(array[()] if array.ndim == 0 else array, arrays, depth)


def _mapping(value: Mapping, arrays: ArrayWriter, depth: int) -> dict[str, Any]:
    """Parameter trees (dicts, flax's FrozenDict): string keys only, nested like lists."""
    if depth >= MAX_DEPTH:
        return {"unsupported": "nested more than 6 levels deep"}
    items = list(value.items())
    if len(items) > MAX_SEQUENCE or not all(type(k) is str for k, _ in items):
        return {"unsupported": "a mapping with keys that are not strings, or too many of them"}
    return {"map": {k[:MAX_STRING]: encode(v, arrays, depth + 1) for k, v in items}}


def encode(value: Any, arrays: ArrayWriter, depth: int = 0) -> dict[str, Any]:
    kind = type(value)
    if value is None:
        return {"none": True}
    if kind is bool or kind is np.bool_:
        return {"bool": bool(value)}
    if kind is int:
        return _number(value) if abs(value) < 2**63 else {"float": repr(float(value))}
    if kind is float:
        return _number(value)
    if kind is np.float32 or kind is np.float16:  # a 0-d array keeps the precision the student computed in
        return {"npy": arrays.save(np.asarray(value))}
    if any(kind is t for t in NUMPY_SCALARS):  # identity: a metaclass may fake ==
        return _number(value.item())
    if kind is np.ndarray:
        if value.dtype.kind not in "biuf":
            return {"unsupported": f"numpy array of dtype {str(value.dtype)[:40]}"}
        if value.size > MAX_ARRAY_ELEMENTS:
            return {"unsupported": f"array of {value.size} elements (limit {MAX_ARRAY_ELEMENTS})"}
        return {"npy": arrays.save(value)}
    if kind is list or kind is tuple:
        if depth >= MAX_DEPTH:
            return {"unsupported": "nested more than 6 levels deep"}
        if len(value) > MAX_SEQUENCE:
            return {"unsupported": f"sequence of {len(value)} items (limit {MAX_SEQUENCE})"}
        return {"seq": [encode(item, arrays, depth + 1) for item in value], "tuple": kind is tuple}
    if kind is str:
        return {"str": value[:MAX_STRING]}
    if _from_jax(kind):
        return _jax_value(value, arrays, depth)
    if _from_torch(kind) or any(_from_torch(base) for base in getattr(kind, "__mro__", ())[1:3]):
        return _torch_value(value, arrays, depth)
    if kind is dict or (_from_flax(kind) and isinstance(value, Mapping)):
        return _mapping(value, arrays, depth)
    name = getattr(kind, "__name__", "object")
    return {"unsupported": f"an object of type {str(name)[:60]}"}
