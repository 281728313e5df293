"""Named steps of the reference's computations: the points where a student's slip changes a result.

Expected values are compositions of a few kinds of step: a linear map, an activation, its derivative, a loss,
a reduction over an axis, the input a layer's gradient takes, an update. Outside a sweep a step is a plain
function call. The grader's error model (grader/mutants.py) runs a sheet's answer key again with one step
changed the way students slip (the bias left out, a sum where the sheet averages, the derivative taken of
the output) and names a wrong answer by the change whose values it matches. The reference only declares
its steps and where they stand (`where="hidden layer"`); the changes live in the grader.

A step called inside another step is part of it and not a point of its own: the derivative of the sigmoid
calls the sigmoid, but a student who gets the derivative wrong has not changed their sigmoid.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = ("linear", "activation", "derivative", "backward", "loss-gradient", "reduction", "log", "layer-input",
         "update")


@dataclass(frozen=True)
class Call:
    """One call of a step in a run of an answer key."""

    kind: str
    name: str  # the step's function name: "sigmoid_derivative"
    where: str  # what the caller said it is ("layer 2", "W_out"); "" when it said nothing
    formula: str | None  # the step as a formula in the formula language, where it has one
    arguments: dict[str, Any]
    function: Callable[..., Any] | None = field(default=None, compare=False, repr=False)  # the plain step
    result: Any = field(default=None, compare=False, repr=False)  # what it returned (recorded in a trace)


# A change decides, for each call of a mutant run, the value that call returns instead, or UNCHANGED.
UNCHANGED = object()
Change = Callable[[Call, Callable[..., Any]], Any]


@dataclass
class Sweep:
    """One run of an answer key: the calls it makes and, for a mutant, the change it applies.

    Results of `settled` computations (training runs, which no diagnosis reads) are recorded by the first run
    and handed back in later ones, so a sweep costs the diagnosable part of the key only."""

    change: Change | None = None
    calls: list[Call] = field(default_factory=list)
    settled: list[Any] = field(default_factory=list)  # (the settled function's name, its result), in call order
    replay: list[Any] | None = None
    through_settled: bool = False  # the change reaches into settled computations, which then run again
    _inside: int = 0


_SWEEP: ContextVar[Sweep | None] = ContextVar("nngrade_sweep", default=None)


@contextmanager
def sweeping(sweep: Sweep) -> Iterator[Sweep]:
    """Run the code inside as `sweep`'s run: a context variable, so a grading thread's own reference
    calls (a recomputed key, a property's reference function) stay plain while a sweep runs elsewhere."""
    token = _SWEEP.set(sweep)
    try:
        yield sweep
    finally:
        _SWEEP.reset(token)


@contextmanager
def _inside(sweep: Sweep) -> Iterator[None]:
    sweep._inside += 1
    try:
        yield
    finally:
        sweep._inside -= 1


def step(kind: str, formula: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a function a step of `kind`; callers may say where it stands with `where=`."""
    if kind not in KINDS:
        raise ValueError(f"unknown step kind {kind!r}")

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: Any, where: str = "", **kwargs: Any) -> Any:
            sweep = _SWEEP.get()
            if sweep is None or sweep._inside:
                return fn(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            call = Call(kind, fn.__name__, where, formula, dict(bound.arguments), fn)
            with _inside(sweep):
                if sweep.change is not None:
                    value = sweep.change(call, fn)
                    if value is not UNCHANGED:
                        sweep.calls.append(call)
                        return value
                result = fn(*args, **kwargs)
            sweep.calls.append(replace(call, result=result) if sweep.change is None else call)
            return result

        run.step_kind = kind  # type: ignore[attr-defined]
        run.step_formula = formula  # type: ignore[attr-defined]
        run.step_signature = signature  # type: ignore[attr-defined]
        return run

    return declare


def settled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A computation no diagnosis reads (a training run): a mutant run gets the first run's result back."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        sweep = _SWEEP.get()
        if sweep is None or sweep._inside or sweep.through_settled:
            return fn(*args, **kwargs)
        if sweep.replay is not None:  # handed back as it is: the reference never changes data in place
            sweep.settled.append(None)
            name, result = sweep.replay[len(sweep.settled) - 1]
            if name != fn.__qualname__:  # the slipped run took another path: it gives no values at all
                raise LookupError(f"{fn.__qualname__} asked for {name}'s settled result")
            return result
        with _inside(sweep):
            result = fn(*args, **kwargs)
        sweep.settled.append((fn.__qualname__, result))
        return result

    return run


def call_of(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Call | None:
    """The call of step `fn` with these arguments, as a sweep would record it; None for a plain function."""
    if not hasattr(fn, "step_kind"):
        return None
    bound = fn.step_signature.bind(*args, **kwargs)  # type: ignore[attr-defined]
    bound.apply_defaults()
    return Call(fn.step_kind, fn.__name__, "", fn.step_formula, dict(bound.arguments),  # type: ignore[attr-defined]
                getattr(fn, "__wrapped__", fn))
