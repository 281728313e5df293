"""Property checks: fair to float32 and to rounding, never fooled by functions that ignore their input."""
import re

import numpy as np
import pytest

from grader.checks import property as property_check
from grader.rubric import PropertyCheck
from reference import common
from reference import nnti_ws2425_sheet6 as sheet
from tests.checks.helpers import context, job

SHEET = "nnti-ws2425-sheet6"


def judge(name: str, functions: dict):
    prop = sheet.PROPERTIES[name]
    x = prop.inputs(np.random.default_rng(3))
    fns = dict(sheet.FUNCTIONS, **functions)
    with np.errstate(all="ignore"):
        observed = {f"out{i}": fns[fn](arg) for i, (fn, arg) in enumerate(prop.calls(x))}
    check = PropertyCheck(kind="property", file="activations.py", property=name)
    return property_check.judge(check, context(sheet=SHEET, job=job(observed), property_input=x))


def uniform_softmax(x):
    x = np.asarray(x, dtype=float)
    return np.full_like(x, 1.0 / x.shape[-1])


TRIVIAL = [
    ("sigmoid_symmetry", {"sigmoid": lambda x: np.full_like(np.asarray(x, dtype=float), 0.5)}),
    ("sigmoid_derivative_bounds", {"sigmoid_derivative": lambda x: np.full_like(np.asarray(x, dtype=float), 0.2)}),
    ("tanh_derivative_bounds", {"tanh_derivative": lambda x: np.full_like(np.asarray(x, dtype=float), 0.5)}),
    ("softmax_sums_to_one", {"softmax": uniform_softmax}),
    ("softmax_shift_invariance", {"softmax": uniform_softmax}),
    ("softmax_no_overflow", {"softmax": uniform_softmax}),
    ("softmax_shift_invariance", {"softmax": lambda x: np.full_like(np.asarray(x, dtype=float), 0.3)}),
    # constant for every practical purpose, with a trace of the true function
    ("sigmoid_symmetry", {"sigmoid": lambda x: 0.5 + 1e-9 * (common.sigmoid(x) - 0.5)}),
    ("softmax_sums_to_one", {"softmax": lambda x: 0.25 + 1e-9 * (common.softmax(x) - 0.25)}),
]


@pytest.mark.parametrize("name, functions", TRIVIAL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TRIVIAL)])
def test_a_function_that_ignores_its_input_earns_nothing(name, functions):
    outcome = judge(name, functions)
    assert outcome.status == "failed" and outcome.score == 0.0


def single(fn):
    return lambda x: fn(np.asarray(x, dtype=np.float32)).astype(np.float32)


def float32_sigmoid(x):
    x = np.asarray(x, dtype=np.float32)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))).astype(np.float32)


def float32_softmax(x):
    x = np.asarray(x, dtype=np.float32)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


FLOAT32 = {"sigmoid": float32_sigmoid, "tanh": single(np.tanh), "softmax": float32_softmax,
           "sigmoid_derivative": lambda x: float32_sigmoid(x) * (1 - float32_sigmoid(x)),
           "tanh_derivative": lambda x: 1 - single(np.tanh)(x) ** 2}


@pytest.mark.parametrize("name", sorted(sheet.PROPERTIES))
def test_right_float32_functions_pass_every_property(name):
    outcome = judge(name, FLOAT32)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize("name", sorted(sheet.PROPERTIES))
def test_the_reference_functions_pass_and_get_no_diagnosis(name):
    outcome = judge(name, {})
    assert outcome.status == "passed" and outcome.diagnoses == ()


def test_an_underflowed_derivative_is_rounding_and_a_wrong_zero_is_reported_as_it_is():
    naive = lambda x: common.sigmoid(x) * (1 - common.sigmoid(x))  # rounds to 0 far out
    assert judge("sigmoid_derivative_bounds", {"sigmoid_derivative": naive}).status == "passed"
    cut = lambda x: np.where(np.abs(x) > 3, 0.0, common.sigmoid_derivative(x))  # 0 where the truth is ~0.045
    outcome = judge("sigmoid_derivative_bounds", {"sigmoid_derivative": cut})
    deviation = float(re.search(r"violated by ([0-9.e-]+)", outcome.message).group(1))
    assert outcome.status == "failed" and 0.01 < deviation <= common.sigmoid_derivative(3.0)


def test_float16_is_held_to_float32_rounding_so_wrong_work_cannot_hide_in_it():
    half = lambda fn: (lambda x: np.asarray(fn(x), dtype=np.float16))
    assert judge("tanh_via_sigmoid", {"tanh": half(lambda x: 1.3 * np.tanh(x))}).status == "failed"
    assert judge("sigmoid_derivative_bounds", {"sigmoid_derivative": half(lambda x: 1.5 * common.sigmoid_derivative(x))}
                 ).status == "failed"


def test_an_elementwise_function_keeps_its_inputs_shape():
    outcome = judge("sigmoid_symmetry", {"sigmoid": lambda x: common.sigmoid(x)[None, :]})
    assert outcome.status == "failed" and "keeps its input's shape" in outcome.message
    assert judge("sigmoid_symmetry", {"sigmoid": lambda x: common.sigmoid(x).tolist()}).status == "passed"
