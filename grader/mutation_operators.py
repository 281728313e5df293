"""Mutation operators on the reference's named steps (reference/steps.py): the ways students slip, each a
change to one kind of step with a message a student understands.

A closed set, declared once in OPERATORS in the order of how often students make the slip (the first of
several readings that fit is the one named). An operator looks at one call of a step and yields variants: a
function giving the value the slipped step returns for a call, and the message. Formula operators
(grader/checks/formula_mutants.py) apply to every step that states its formula, so a lost minus inside the
sigmoid is named in code the way it is named in a formula answer.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from grader.checks import formula_language, formula_mutants
from reference import common
from reference.steps import Call


class Variant(NamedTuple):
    """One way an operator slips a step: the value the slipped call returns, the message, the id when it is
    not the operator's (formula candidates carry their own), and a label a sheet's combinations select it by
    (the sibling's name, the log's base, the axis)."""

    apply: Callable[[Call, Callable[..., Any]], Any]
    message: str
    id: str | None = None
    label: str = ""
    hidden: str = ""  # the message without the formula's parts, for hidden tasks (formula candidates)


@dataclass(frozen=True)
class Operator:
    id: str
    kinds: tuple[str, ...]
    generate: Callable[[Call], Iterator[Variant | tuple[Any, str]]]  # a plain (apply, message): no label

    def variants(self, call: Call) -> Iterator[Variant]:
        for variant in self.generate(call):
            yield variant if isinstance(variant, Variant) else Variant(*variant)


def _x(call: Call) -> np.ndarray:
    return common.as_array(next(iter(call.arguments.values())))


def _alpha(call: Call) -> float:
    return float(call.arguments.get("alpha", 0.01))


ACTIVATIONS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "sigmoid": lambda x, a: common.sigmoid(x),
    "tanh": lambda x, a: common.tanh(x),
    "relu": lambda x, a: common.relu(x),
    "leaky_relu": lambda x, a: common.leaky_relu(x, a),
    "softplus": lambda x, a: common.softplus(x),
}
DERIVATIVES: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "sigmoid": lambda x, a: common.sigmoid_derivative(x),
    "tanh": lambda x, a: common.tanh_derivative(x),
    "relu": lambda x, a: common.relu_derivative(x),
    "leaky_relu": lambda x, a: common.leaky_relu_derivative(x, a),
}
# f'(x) written in the activation's output y = f(x): the form sheets teach (sigma' = y (1 - y))
OUTPUT_FORMS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "sigmoid": lambda y, a: y * (1.0 - y),
    "tanh": lambda y, a: 1.0 - y * y,
    "relu": lambda y, a: (y > 0).astype(np.float64),
    "leaky_relu": lambda y, a: np.where(y > 0, 1.0, a),
}
SPOKEN = {"sigmoid": "the sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU",
          "softplus": "softplus", "softmax": "softmax"}


def _of(call: Call) -> str:
    return call.name.removesuffix("_derivative")


def _where(call: Call) -> str:
    return f" ({call.where})" if call.where else ""


def sibling_function(call: Call) -> Iterator[Variant]:
    """Another activation, or another activation's derivative, where this one belongs."""
    own = _of(call)
    if call.kind == "activation" and own in ACTIVATIONS:
        for name, f in ACTIVATIONS.items():
            if name != own:
                yield Variant(lambda c, fn, f=f: f(_x(c), _alpha(c)),
                              f"{SPOKEN[name]} is computed where {SPOKEN[own]} belongs{_where(call)}", label=name)
    if call.kind == "activation" and own == "softmax":  # a probability per unit where they share one
        yield Variant(lambda c, fn: common.sigmoid(_x(c)), f"the sigmoid is computed where softmax belongs"
                                                            f"{_where(call)}: softmax normalises over the classes",
                      label="sigmoid")
    if call.kind == "derivative" and own in DERIVATIVES:
        for name, d in DERIVATIVES.items():
            if name == own:
                continue
            yield Variant(lambda c, fn, d=d: d(_x(c), _alpha(c)),
                          f"the derivative of {SPOKEN[name]} is used where {SPOKEN[own]}'s belongs{_where(call)}",
                          label=name)
            yield Variant(lambda c, fn, name=name: OUTPUT_FORMS[name](ACTIVATIONS[_of(c)](_x(c), _alpha(c)), _alpha(c)),
                          f"{SPOKEN[name]}'s derivative (in its output form) is written with {SPOKEN[own]}'s output"
                          f"{_where(call)}: {SPOKEN[own]}'s derivative has its own form", label=f"{name}-output-form")


def pre_activation(call: Call) -> Iterator[Variant]:
    """The activation left out: the pre-activation passed on where the activation's output belongs."""
    if call.kind == "activation":
        yield (lambda c, fn: _x(c)), f"{SPOKEN.get(call.name, call.name)} is not applied{_where(call)}: the " \
                                     "pre-activation is passed on where the activation's output belongs"
    if call.kind == "layer-input" and call.arguments.get("pre") is not None:
        def pre(c: Call, fn: Callable[..., Any]) -> Any:
            before = c.arguments["pre"][c.arguments["index"]]
            if before is None:
                raise LookupError("the network's input has no pre-activation")
            return before
        yield pre, f"the gradient takes the layer's pre-activation where its input (the previous layer's " \
                   f"output, after the activation) belongs{_where(call)}"


def drop_activation_derivative(call: Call) -> Iterator[Variant]:
    if call.kind == "derivative":
        yield (lambda c, fn: np.ones_like(_x(c))), \
            f"the derivative of {SPOKEN.get(_of(call), _of(call))} is left out of the chain rule{_where(call)}"


def derivative_of_output(call: Call) -> Iterator[Variant]:
    own = _of(call)
    if call.kind == "derivative" and own in ACTIVATIONS:
        yield (lambda c, fn: DERIVATIVES[own](ACTIVATIONS[own](_x(c), _alpha(c)), _alpha(c))), \
            f"{SPOKEN[own]}'s derivative is taken of the layer's output instead of its input{_where(call)}: " \
            f"f'(f(z)); use f'(z), or the output form with y = f(z)"


def derivative_of_input(call: Call) -> Iterator[Variant]:
    own = _of(call)
    if call.kind == "derivative" and own in OUTPUT_FORMS:
        yield (lambda c, fn: OUTPUT_FORMS[own](_x(c), _alpha(c))), \
            f"{SPOKEN[own]}'s derivative in its output form (written in y = f(z)) is applied to the input z" \
            f"{_where(call)}: compute y first, or use the form in z"


def _reduced(call: Call, how: Callable[..., Any], axis: Any, keepdims: bool) -> Callable[..., Any]:
    return lambda c, fn: how(common.as_array(c.arguments["x"]), axis=axis, keepdims=keepdims)


def sum_for_mean(call: Call) -> Iterator[Variant]:
    if call.kind == "reduction" and call.name == "mean":
        yield _reduced(call, np.sum, call.arguments["axis"], call.arguments["keepdims"]), \
            f"the values are summed where the sheet takes their mean{_where(call)}: divide by their number"


def mean_for_sum(call: Call) -> Iterator[Variant]:
    if call.kind == "reduction" and call.name == "total":
        yield _reduced(call, np.mean, call.arguments["axis"], call.arguments["keepdims"]), \
            f"the values are averaged where the sheet sums them{_where(call)}"


def wrong_axis(call: Call) -> Iterator[Variant]:
    if call.kind == "reduction":
        how = np.mean if call.name == "mean" else np.sum
        ndim, axis = common.as_array(call.arguments["x"]).ndim, call.arguments["axis"]
        right = None if axis is None else axis % max(ndim, 1)
        for other in [*range(ndim), None] if ndim > 1 else []:
            if other != right:
                said = "over the whole array" if other is None else f"over axis {other}"
                yield Variant(_reduced(call, how, other, call.arguments["keepdims"]),
                              f"the {'mean' if how is np.mean else 'sum'} runs {said}{_where(call)}: check the axis",
                              label="whole" if other is None else f"axis {other}")
    if call.kind == "activation" and call.name == "softmax" and _x(call).ndim == 2:
        axis = call.arguments["axis"] % 2
        yield Variant(lambda c, fn: fn(_x(c), axis=1 - axis),
                      f"softmax normalises along the wrong axis{_where(call)}: each sample's outputs must sum to 1",
                      label=f"axis {1 - axis}")
        whole = f"softmax divides by the sum over the whole array{_where(call)}: normalise each sample on its own"
        yield Variant(lambda c, fn: np.exp(_x(c) - _x(c).max()) / np.exp(_x(c) - _x(c).max()).sum(), whole,
                      label="whole")
        yield Variant(lambda c, fn: (lambda e: e / e.sum())(np.exp(_x(c) - _x(c).max(axis=axis, keepdims=True))),
                      whole, label="whole")


def missing_keepdims(call: Call) -> Iterator[Variant]:
    if call.kind == "reduction" and call.arguments["keepdims"] and call.arguments["axis"] is not None:
        how = np.mean if call.name == "mean" else np.sum
        yield _reduced(call, how, call.arguments["axis"], False), \
            f"the reduction drops its axis (keepdims is missing){_where(call)}, so it broadcasts against the " \
            "wrong axis"
    if call.kind == "activation" and call.name == "softmax" and _x(call).ndim == 2:
        def unkept(c: Call, fn: Callable[..., Any]) -> Any:
            x = _x(c)
            e = np.exp(x - np.max(x, axis=c.arguments["axis"]))  # broadcast as numpy does without keepdims
            return e / np.sum(e, axis=c.arguments["axis"], keepdims=True)
        yield unkept, "softmax subtracts the maxima without keepdims=True, so they broadcast against the wrong " \
                      f"axis{_where(call)}"


def log_base(call: Call) -> Iterator[Variant]:
    if call.kind == "log":
        for base, fn_ in (("10", np.log10), ("2", np.log2)):
            yield Variant(lambda c, fn, fn_=fn_: fn_(_x(c)), f"the logarithm is taken to base {base}{_where(call)}; "
                                                             "the loss uses the natural logarithm", label=base)


def drop_bias(call: Call) -> Iterator[Variant]:
    if call.kind == "linear" and call.arguments.get("bias") is not None:
        yield (lambda c, fn: common.as_array(c.arguments["a"]) @ common.as_array(c.arguments["b"])), \
            f"the bias is left out of the linear map{_where(call)}"


def swap_arguments(call: Call) -> Iterator[Variant]:
    if call.kind == "linear":
        def swapped(c: Call, fn: Callable[..., Any]) -> Any:
            return fn(c.arguments["b"], c.arguments["a"], c.arguments.get("bias"))
        yield swapped, f"the two factors of the product are swapped{_where(call)}: check the shapes"


def off_by_one_layer(call: Call) -> Iterator[Variant]:
    if call.kind == "layer-input":
        for shift, said in ((1, "its own output"), (-1, "the input of the layer before")):
            def shifted(c: Call, fn: Callable[..., Any], shift: int = shift) -> Any:
                index = c.arguments["index"] + shift
                if not 0 <= index < len(c.arguments["values"]):
                    raise IndexError("no such layer")
                return c.arguments["values"][index]
            yield Variant(shifted, f"the gradient takes {said} where the layer's input belongs{_where(call)} (a "
                                   "layer index off by one)", label=f"{shift:+d}")


def _update(how: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Callable[..., Any]:
    return lambda c, fn: how(common.as_array(c.arguments["parameter"]), common.as_array(c.arguments["gradient"]),
                             float(c.arguments["learning_rate"]))


def update_sign(call: Call) -> Iterator[Variant]:
    if call.kind == "update":
        yield _update(lambda p, g, lr: p + lr * g), \
            f"the update adds the gradient{_where(call)}: gradient descent subtracts it"


def layer_not_updated(call: Call) -> Iterator[Variant]:
    if call.kind == "update":
        yield _update(lambda p, g, lr: p), f"this parameter is not updated{_where(call)}: its old value is kept"


def update_twice(call: Call) -> Iterator[Variant]:
    if call.kind == "update":
        yield _update(lambda p, g, lr: p - 2 * lr * g), f"the update is applied twice{_where(call)}"


def learning_rate_digit(call: Call) -> Iterator[Variant]:
    """0.01 typed for 0.1 and the other way round: a step ten times too small lies within a hand tolerance of
    no step at all, and must not be named as a parameter left out of the update."""
    if call.kind == "update":
        for factor, said in ((0.1, "ten times too small"), (10.0, "ten times too large")):
            yield Variant(_update(lambda p, g, lr, f=factor: p - f * lr * g),
                          f"the learning rate is {said}{_where(call)} (a digit slip)", label=f"x{factor:g}")


def drop_learning_rate(call: Call) -> Iterator[Variant]:
    if call.kind == "update":
        yield _update(lambda p, g, lr: p - g), f"the learning rate is left out of the update{_where(call)}"


@functools.lru_cache(maxsize=64)
def _candidates(text: str, names: frozenset[str]) -> tuple[formula_mutants.Candidate, ...]:
    """A step's formula mutants: the same for every call of the step, so made once."""
    return tuple(formula_mutants.candidates(formula_language.parse(text, names)))


def formula(call: Call) -> Iterator[Variant]:
    """The formula operators on a step that states its formula: a lost minus, a lost square, a lost factor."""
    if call.formula is None:
        return
    names = frozenset(call.arguments)
    for candidate in _candidates(call.formula, names):
        def value(c: Call, fn: Callable[..., Any], candidate=candidate) -> Any:
            return formula_language.evaluate(candidate.parsed, {k: common.as_array(v) for k, v in
                                                                c.arguments.items() if k in names})
        step = f"in {SPOKEN.get(call.name, call.name.replace('_', ' '))}{_where(call)}"
        said, hidden = f"{step}: {candidate.message}", f"{step}: {candidate.hidden}"
        yield Variant(value, said, candidate.operator, candidate.parsed.text, hidden)
        if call.kind == "activation":  # a function written in two branches (the stable sigmoid) slips in one
            for side, inside in (("negative", lambda x: x < 0), ("non-negative", lambda x: x >= 0)):
                def branch(c: Call, fn: Callable[..., Any], value=value, inside=inside) -> Any:
                    return np.where(inside(_x(c)), value(c, fn), fn(*c.arguments.values()))
                yield Variant(branch, f"{said}, in the branch for {side} inputs", candidate.operator,
                              f"{candidate.parsed.text} ({side})", f"{hidden}, in the branch for {side} inputs")


OPERATORS: tuple[Operator, ...] = (
    Operator("drop-bias", ("linear",), drop_bias),
    Operator("pre-activation", ("activation", "layer-input"), pre_activation),
    Operator("drop-activation-derivative", ("derivative",), drop_activation_derivative),
    Operator("derivative-of-output", ("derivative",), derivative_of_output),
    Operator("derivative-of-input", ("derivative",), derivative_of_input),
    Operator("sum-for-mean", ("reduction",), sum_for_mean),
    Operator("mean-for-sum", ("reduction",), mean_for_sum),
    Operator("wrong-axis", ("reduction", "activation"), wrong_axis),
    Operator("missing-keepdims", ("reduction", "activation"), missing_keepdims),
    Operator("update-sign", ("update",), update_sign),
    Operator("layer-not-updated", ("update",), layer_not_updated),
    Operator("formula", ("activation", "derivative", "backward", "loss-gradient"), formula),
    Operator("sibling-function", ("activation", "derivative"), sibling_function),
    Operator("log-base", ("log",), log_base),
    Operator("off-by-one-layer", ("layer-input",), off_by_one_layer),
    Operator("update-twice", ("update",), update_twice),
    Operator("drop-learning-rate", ("update",), drop_learning_rate),
    Operator("learning-rate-digit", ("update",), learning_rate_digit),
    Operator("swap-arguments", ("linear",), swap_arguments),
)
