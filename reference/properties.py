"""Identities and bounds that a student's own functions must obey.

A property names the student functions it calls and the arguments, and judges
the outputs with a residual (0 where the property holds). The grader sends the
calls to the isolated worker and applies `violation` in the trusted parent to
the arrays that came back; the tests apply it to reference and to deliberately
wrong functions.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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


def bound_residual(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """0 inside (low, high]; outside, the distance plus 1 so that touching the
    strict lower bound (a derivative that underflows to 0) is a clear violation."""
    below = np.where(values <= low, 1.0 + (low - values), 0.0)
    above = np.maximum(values - high, 0.0)
    return below + above
