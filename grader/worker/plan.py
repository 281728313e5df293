"""Run a job's steps on the student's namespace and read the observed paths.

Paths are parsed with a regular expression (names, dots, integer indices) and
walked with getattr/getitem: never eval. Names and attributes fall back to the
rubric's aliases (`sigmoid` -> `Sigmoid`), and `[0]` of a plain number is the
number itself, so `loss[0]` reads both `(value, gradient)` and a bare value.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

SEGMENT_RE = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]")
SCALARS = (int, float, np.float64, np.float32, np.int64, np.int32)
MAX_FD_ELEMENTS = 5_000


class PlanError(Exception):
    """The student's code lacks a name the plan needs (a missing function, class or attribute)."""


def parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = SEGMENT_RE.match(path, pos)
        if not m or (pos == 0 and path.startswith(".")):
            raise ValueError(f"bad path {path!r}")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts or not isinstance(parts[0], str):
        raise ValueError(f"bad path {path!r}")
    return parts


ANY_LIST = "*"  # an alias: the object's one attribute that holds a list of objects (the model's modules, by any name)


def _one_list_of_objects(obj: Any) -> str | None:
    """The name of the only attribute of `obj` that holds a non-empty list or tuple of objects (not numbers,
    arrays or strings): where a student keeps a model's modules under a name of their own (`self.layers`)."""
    try:
        attributes = vars(obj)
    except TypeError:
        return None
    lists = [name for name, value in attributes.items() if isinstance(value, (list, tuple)) and value and all(
        item is not None and not isinstance(item, (int, float, complex, str, bytes, np.ndarray, np.generic, list,
                                                   tuple, dict)) for item in value)]
    return lists[0] if len(lists) == 1 else None


class Namespace:
    """Step results first, then the job file's top-level names, then other student modules by name."""

    def __init__(self, module, modules: Mapping[str, Any], aliases: Mapping[str, list[str]]):
        self.results: dict[str, Any] = {}
        self.module = module
        self.modules = modules
        self.aliases = aliases
        self.used: list[str] = []  # "`Sigmoid` for `sigmoid`": the alternatives the student's names matched

    def candidates(self, name: str) -> list[str]:
        return [name, *(a for a in self.aliases.get(name, []) if a != ANY_LIST)]

    def lookup(self, name: str) -> Any:
        if name in self.results:
            return self.results[name]
        # The job's file first, then the submission's other files: `%LinearModule` in nn_model.py's
        # plan finds the class in nn_modules.py even when nn_model.py imports it under another name.
        scopes = ([vars(self.module)] if self.module is not None else []) + \
            [vars(m) for m in self.modules.values() if m is not self.module]
        for candidate in self.candidates(name):
            for scope in scopes:
                if candidate in scope:
                    self._note(candidate, name)
                    return scope[candidate]
        for candidate in self.candidates(name):
            if candidate in self.modules:
                return self.modules[candidate]
        where = getattr(self.module, "__shown__", None) or f"{getattr(self.module, '__name__', 'the submission')}.py"
        also = self.candidates(name)[1:]
        raise PlanError(f"{where} defines no `{name}`" + (f" (also looked for {', '.join(also)})" if also else ""))

    def _attr_name(self, obj: Any, name: str) -> str:
        for candidate in self.candidates(name):
            if hasattr(obj, candidate):
                self._note(candidate, name)
                return candidate
        if ANY_LIST in self.aliases.get(name, ()):
            held = _one_list_of_objects(obj)
            if held is not None:
                self._note(held, name)
                return held
        return name

    def _note(self, candidate: str, name: str) -> None:
        note = f"`{candidate}` for `{name}`"
        if candidate != name and note not in self.used:
            self.used.append(note)

    def step(self, obj: Any, part: str | int, shown: str) -> Any:
        if isinstance(part, str) and type(obj) is dict and part in obj:  # parameter trees: variables.params
            return obj[part]
        if isinstance(part, str):
            attr = self._attr_name(obj, part)
            if not hasattr(obj, attr):
                raise PlanError(f"`{shown}` has no attribute `{part}`")
            return getattr(obj, attr)
        if type(obj) in SCALARS and part == 0:
            return obj
        try:
            return obj[part]
        except (IndexError, KeyError, TypeError) as exc:
            raise PlanError(f"`{shown}[{part}]` cannot be read: {type(exc).__name__}") from None

    def walk(self, parts: list[str | int]) -> Any:
        obj = self.lookup(parts[0])
        shown = parts[0]
        for part in parts[1:]:
            obj = self.step(obj, part, shown)
            shown += f".{part}" if isinstance(part, str) else f"[{part}]"
        return obj

    def resolve(self, path: str) -> Any:
        return self.walk(parse_path(path))

    def assign(self, path: str, value: Any) -> None:
        parts = parse_path(path)
        if len(parts) == 1:
            self.results[parts[0]] = value
            return
        obj = self.walk(parts[:-1])
        last = parts[-1]
        if isinstance(last, str):
            setattr(obj, self._attr_name(obj, last), value)
        else:
            obj[last] = value


class Inputs:
    """The plan's input arrays, read from disk once; every use gets a fresh copy the student may mutate."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.cache: dict[str, np.ndarray] = {}

    def get(self, name: str) -> np.ndarray:
        if name not in self.cache:
            self.cache[name] = np.load(self.folder / name, allow_pickle=False)
        return self.cache[name].copy()


def materialise(value: Any, ns: Namespace, inputs: Inputs) -> Any:
    """A plan value -> a Python value: arrays from .npy, @results, %student names, lists, dicts."""
    if isinstance(value, dict):
        if set(value) == {"$npy"}:
            return inputs.get(value["$npy"])
        return {k: materialise(v, ns, inputs) for k, v in value.items()}
    if isinstance(value, list):
        return [materialise(v, ns, inputs) for v in value]
    if isinstance(value, str) and value[:1] in ("@", "%"):
        name = value[1:]
        if value[0] == "@" and name in ns.results:
            return ns.results[name]
        return ns.resolve(name)  # "@updated[0]", "@variables.params", "%jax.numpy.shape"
    return value


def describe_step(step: Mapping[str, Any]) -> str:
    if step["op"] == "new":
        return f"creating {step['name']} = {step['cls']}(...)"
    if step["op"] == "set":
        return f"setting {step['target']}"
    return f"calling {step['target']}(...)"


def run_step(step: Mapping[str, Any], ns: Namespace, inputs: Inputs) -> None:
    if step.get("optional"):  # a call the sheet never asked for must not cost the job: None where it raises
        try:
            _run_step(step, ns, inputs)
        except Exception:
            ns.results[step["name"]] = None
        return
    _run_step(step, ns, inputs)


def _run_step(step: Mapping[str, Any], ns: Namespace, inputs: Inputs) -> None:
    op = step["op"]
    if op == "set":
        value = materialise(step["value"], ns, inputs)
        try:
            current = ns.resolve(step["target"])
        except PlanError:
            current = None
        # the sheet's weights set into work written with torch: tensors of the dtype the student's own had
        ns.assign(step["target"], as_tensors(value, current) if holds_tensors(current) else value)
        return
    target = ns.resolve(step["cls"] if op == "new" else step["target"])
    args = materialise(step.get("args", []), ns, inputs)
    kwargs = materialise(step.get("kwargs", {}), ns, inputs)
    try:
        if step.get("by_rows") and args and isinstance(args[0], np.ndarray) and args[0].ndim == 2:
            # the sheet defines the function on one vector (softmax(y)): each row is one call, as a student calls it
            rows = [target(row, *args[1:], **kwargs) for row in args[0]]
            ns.results[step["name"]] = _stacked(rows, args[0].shape[1:])
        else:
            ns.results[step["name"]] = target(*args, **kwargs)
    except (TypeError, ValueError, AttributeError) as exc:
        if step.get("pointwise") and args and isinstance(args[0], np.ndarray) and args[0].ndim == 1 \
                and not isinstance(exc, AttributeError):
            # f(t) = math.exp(-t / 2) works on one number: the sheet's f: [a, b] -> R allows that
            ns.results[step["name"]] = np.array([target(float(t), *args[1:], **kwargs) for t in args[0]])
        elif "torch" in sys.modules and _has_arrays((args, kwargs)) and _rejects_numpy(exc):
            # work written with torch rejects numpy input: call it again with tensors, as its own code would;
            # if that fails too, the first error is the one to report
            try:
                ns.results[step["name"]] = target(*as_tensors(args), **as_tensors(kwargs))
            except Exception:
                raise exc from None
        else:
            raise


def _stacked(rows: list[Any], shape: tuple[int, ...]) -> Any:
    """Row results as one array where they stack, else as the list the student's calls returned. A row that
    comes back as a 1 x n batch (a softmax that starts with np.atleast_2d) is the row it was given."""
    try:
        arrays = [np.asarray(r, dtype=np.result_type(np.asarray(r), np.float32)) for r in rows]
        return np.stack([a.reshape(shape) if a.size == int(np.prod(shape)) else a for a in arrays])
    except (TypeError, ValueError):
        return rows


def _rejects_numpy(exc: BaseException) -> bool:
    """The error is torch refusing a numpy array ("argument 'input' must be Tensor, not numpy.ndarray",
    "'numpy.ndarray' object has no attribute 'detach'"), not a mistake of the student's own."""
    text = str(exc)
    return "Tensor" in text or "ndarray" in text


def _has_arrays(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_arrays(v) for v in value)
    return isinstance(value, dict) and any(_has_arrays(v) for v in value.values())


def as_tensors(value: Any, like: Any = None) -> Any:
    """numpy arrays as torch tensors, floats in torch's default dtype (float32) or as the tensor they replace:
    a tensor of the same shape (a Parameter, one that requires grad) is filled in place, so the student's
    module keeps its parameters and autograd keeps working; lists, tuples and dicts recurse."""
    torch = sys.modules["torch"]
    if isinstance(value, np.ndarray):
        if isinstance(like, torch.Tensor) and tuple(like.shape) == value.shape:
            with torch.no_grad():
                like.copy_(torch.as_tensor(value, dtype=like.dtype))
            return like
        dtype = getattr(like, "dtype", None) if isinstance(like, torch.Tensor) else None
        if dtype is None and value.dtype.kind == "f":
            dtype = torch.get_default_dtype()
        return torch.as_tensor(value, dtype=dtype)
    if isinstance(value, (list, tuple)):
        likes = like if isinstance(like, (list, tuple)) and len(like) == len(value) else [None] * len(value)
        return type(value)(as_tensors(v, l) for v, l in zip(value, likes))
    if isinstance(value, dict):
        return {k: as_tensors(v) for k, v in value.items()}
    return value


def holds_tensors(value: Any) -> bool:
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    if isinstance(value, (list, tuple)):
        return bool(value) and any(holds_tensors(v) for v in value)
    return isinstance(value, torch.Tensor)  # a Parameter is one too


def scalar(value: Any) -> float:
    """A loss as one float: a number, or an array, tensor or sequence with one element."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor that may require grad
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise PlanError(f"the loss has {array.size} values, expected one number")
    return float(array.reshape(-1)[0])


def precision_of(value: Any) -> float:
    """The machine epsilon a value was computed in (float32 losses make central differences noise)."""
    dtype = getattr(value, "dtype", None)
    if isinstance(value, (list, tuple)) and value:
        return max(precision_of(v) for v in value)
    if dtype is not None and getattr(dtype, "kind", None) == "f":
        return float(np.finfo(dtype).eps)
    if dtype is not None and str(dtype) in ("torch.float32", "torch.float16", "torch.bfloat16"):
        return float(np.finfo(np.float32).eps)
    return float(np.finfo(float).eps)


def finite_differences(ns: Namespace, params: list[str], loss_steps: list[Mapping[str, Any]], loss: str,
                       eps: float, inputs: Inputs, seen: list[float] | None = None) -> dict[str, np.ndarray | str]:
    """Central differences of the student's own loss with respect to each parameter, in place. `seen` collects
    the precision of the loss and the parameters, for the judge to know whether the differences are noise."""
    seen = seen if seen is not None else []

    def evaluate() -> float:
        for step in loss_steps:
            run_step(step, ns, inputs)
        value = ns.resolve(loss)
        seen.append(precision_of(value))
        return scalar(value)

    out: dict[str, np.ndarray | str] = {}
    for path in params:
        try:
            array = ns.resolve(path)
        except PlanError as exc:
            out[path] = str(exc)
            continue
        if type(array) is not np.ndarray or array.dtype.kind != "f":
            out[path] = f"`{path}` is not a float numpy array, so it cannot be perturbed"
            continue
        if array.size > MAX_FD_ELEMENTS:
            out[path] = f"`{path}` has more than {MAX_FD_ELEMENTS} entries"
            continue
        seen.append(precision_of(array))
        grad = np.zeros(array.shape)
        for index in np.ndindex(array.shape):
            original = array[index]
            array[index] = original + eps
            plus = evaluate()
            array[index] = original - eps
            minus = evaluate()
            array[index] = original
            grad[index] = (plus - minus) / (2 * eps)
        out[path] = grad
    return out
