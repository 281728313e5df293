"""Identities and bounds that a student's own functions must obey.

A property names the student functions it calls and the arguments, and judges
the outputs with a residual (0 where the property holds). The grader sends the
calls to the isolated worker and applies `violation` in the trusted parent to
the arrays that came back; the tests apply it to reference and to deliberately
wrong functions.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

Call = tuple[str, np.ndarray]


@dataclass(frozen=True)
class Property:
    name: str
    statement: str
    calls: Callable[[np.ndarray], Sequence[Call]]
    residual: Callable[[np.ndarray, Sequence[np.ndarray]], np.ndarray]
    domain: float = 30.0
    tol: float = 1e-7
    edge_inputs: tuple[float, ...] = (0.0,)
    # The typical mistake behind a violation, from the inputs and the outputs: (id, message) or None.
    diagnose: Callable[[np.ndarray, Sequence[np.ndarray]], tuple[str, str] | None] | None = None
    # The true functions the calls name: a function must respond to its input as they do, so a constant or
    # uniform output cannot satisfy an identity or a bound trivially.
    reference: Mapping[str, Callable[[np.ndarray], np.ndarray]] = field(default_factory=dict)
    # The sheet defines the functions on one vector (softmax(y)): a matrix of inputs is passed row by row, so a
    # student's function for one vector is as right as one that works on batches.
    by_rows: bool = False

    def functions(self) -> set[str]:
        return {name for name, _ in self.calls(np.zeros(1))}

    def inputs(self, rng: np.random.Generator, n: int = 64) -> np.ndarray:
        """Seeded random inputs in the domain plus the edge values a careless implementation misses."""
        random = rng.uniform(-self.domain, self.domain, size=n)
        return np.concatenate([np.asarray(self.edge_inputs, dtype=np.float64), random])


def violation(prop: Property, x: np.ndarray, outputs: Sequence[np.ndarray]) -> float:
    """Largest residual; inf when an output is missing, non-finite or of the wrong size."""
    arrays = [np.asarray(o, dtype=np.float64) for o in outputs]
    if any(not np.all(np.isfinite(a)) for a in arrays):
        return float("inf")
    try:
        r = np.asarray(prop.residual(x, arrays), dtype=np.float64)
    except (ValueError, IndexError):
        return float("inf")
    if r.size == 0 or not np.all(np.isfinite(r)):
        return float("inf")
    return float(np.max(np.abs(r)))


def evaluate(prop: Property, functions: Mapping[str, Callable], x: np.ndarray) -> float:
    """Run the calls directly (trusted functions only: the reference or test doubles)."""
    with np.errstate(all="ignore"):
        outputs = [np.asarray(functions[name](arg), dtype=np.float64) for name, arg in prop.calls(x)]
    return violation(prop, x, outputs)


def holds(prop: Property, functions: Mapping[str, Callable], rng: np.random.Generator) -> bool:
    return evaluate(prop, functions, prop.inputs(rng)) <= prop.tol


def bound_residual(values: np.ndarray, low: float, high: float, truth: np.ndarray) -> np.ndarray:
    """0 inside (low, high]; outside, the real deviation from the true value `truth`. Touching the strict lower
    bound costs what the true value lies above it: a derivative that rounds to 0 where the truth is 1e-14 is
    rounding (within the tolerance), one that is 0 where the truth is 0.1 is a clear violation."""
    truth = np.broadcast_to(np.asarray(truth, dtype=np.float64), np.shape(values))
    below = np.where(values <= low, np.maximum(truth - values, low - values), 0.0)
    above = np.where(values > high, np.maximum(values - high, values - truth), 0.0)
    return below + above


RESPONSE = 0.9  # the least correlation with the true function over the inputs
SLOPE = (0.5, 2.0)  # how much the function may change per change of the true function


def unresponsive(prop: Property, x: np.ndarray, outputs: Sequence[np.ndarray]) -> str | None:
    """Which called function does not respond to its input as the true one does (a constant, the uniform
    distribution, 0.5 everywhere): None when all do or the property names no true functions."""
    for (name, arg), out in zip(prop.calls(x), outputs):
        true_fn = prop.reference.get(name)
        if true_fn is None:
            continue
        with np.errstate(all="ignore"):
            truth = np.asarray(true_fn(arg), dtype=np.float64).ravel()
        got = np.asarray(out, dtype=np.float64).ravel()
        keep = np.isfinite(got) & np.isfinite(truth)
        if truth.shape != got.shape or keep.sum() < 3 or np.std(truth[keep]) == 0:
            continue
        if np.std(got[keep]) <= 1e-12 * max(1.0, float(np.max(np.abs(got[keep])))):
            return f"{name}(x) returns the same value for every input"
        # it must follow the true function, at its scale: 0.5 + 1e-9 * (sigmoid - 0.5) correlates perfectly
        slope = float(np.cov(got[keep], truth[keep])[0, 1] / np.var(truth[keep], ddof=1))
        if float(np.corrcoef(got[keep], truth[keep])[0, 1]) < RESPONSE or not SLOPE[0] <= slope <= SLOPE[1]:
            return f"{name}(x) does not follow its input as {name} does"
    return None
