"""Initialisation statistics: correct draws pass, the usual wrong variances fail with their name."""
import numpy as np
import pytest

from grader.checks import statistics
from grader.rubric import StatisticsCheck
from tests.checks.helpers import context, job

D_IN, D_OUT = 300, 200
SIGMA = np.sqrt(2 / (D_IN + D_OUT))


def check(distribution="glorot-normal", layout="out_in"):
    return StatisticsCheck(kind="statistics", file="code2.py", observe="net.weight[0]", distribution=distribution,
                           layout=layout, steps=[{"op": "new", "name": "net", "cls": "NeuralNetwork"}])


def judge(w, **kw):
    return statistics.judge(check(**kw), context(job=job({"net.weight[0]": w})))


@pytest.mark.parametrize("seed", range(20))
def test_correct_glorot_normal_passes_for_every_seed(seed):
    w = np.random.default_rng(seed).normal(0, SIGMA, size=(D_OUT, D_IN))
    assert judge(w).status == "passed"


def test_glorot_uniform_passes_the_uniform_kind_in_the_in_out_layout():
    limit = np.sqrt(6 / (D_IN + D_OUT))
    w = np.random.default_rng(1).uniform(-limit, limit, size=(D_IN, D_OUT))
    assert judge(w, distribution="glorot", layout="in_out").status == "passed"
    outcome = judge(w.T, distribution="glorot-normal")
    assert outcome.status == "failed" and outcome.diagnoses == ("uniform-not-normal",)


@pytest.mark.parametrize("variance, diagnosis", [(1 / D_IN, "lecun-variance"), (2 / D_IN, "he-variance"),
                                                 (1.0, "unit-variance")])
def test_wrong_variances_fail_and_are_named(variance, diagnosis):
    w = np.random.default_rng(2).normal(0, np.sqrt(variance), size=(D_OUT, D_IN))
    outcome = judge(w)
    assert outcome.status == "failed" and outcome.diagnoses == (diagnosis,)


def test_z_bound_at_one_false_alarm_in_a_million_over_two_tests():
    assert statistics.z_bound(1e-6, 2) == pytest.approx(5.03, abs=0.01)


def test_nan_and_empty_weights_fail():
    w = np.random.default_rng(3).normal(0, SIGMA, size=(D_OUT, D_IN))
    w[0, 0] = np.nan
    assert judge(w).status == "failed"
    assert judge(np.zeros((D_OUT, 0))).status == "failed"


def test_zeros():
    assert judge(np.zeros((3, 1)), distribution="zeros").status == "passed"
    assert judge(np.full((3, 1), 0.01), distribution="zeros").status == "failed"


def test_non_zero_biases_are_named():
    for bias in (np.full((3, 1), 0.01), np.random.default_rng(4).normal(0, SIGMA, size=(3, 1))):
        outcome = judge(bias, distribution="zeros")
        assert outcome.status == "failed" and outcome.diagnoses == ("nonzero-bias",)
    assert judge(np.zeros((3, 1)), distribution="zeros").diagnoses == ()


def test_the_normals_sigma_as_a_uniform_limit_is_named():
    w = np.random.default_rng(5).uniform(-SIGMA, SIGMA, size=(D_IN, D_OUT))
    outcome = judge(w, distribution="glorot", layout="in_out")
    assert outcome.status == "failed" and outcome.diagnoses == ("uniform-limit-as-std",)
    assert "sqrt(6/(d_in+d_out))" in outcome.message


@pytest.mark.parametrize("seed", range(10))
def test_a_right_initialisation_is_never_named(seed):
    rng = np.random.default_rng(100 + seed)
    limit = np.sqrt(6 / (D_IN + D_OUT))
    for w, kind in ((rng.normal(0, SIGMA, size=(D_IN, D_OUT)), "glorot"),
                    (rng.uniform(-limit, limit, size=(D_IN, D_OUT)), "glorot")):
        outcome = judge(w, distribution=kind, layout="in_out")
        assert outcome.status == "passed" and outcome.diagnoses == ()


def test_empty_biases_fail_without_a_diagnosis():
    outcome = judge(np.zeros((0,)), distribution="zeros")
    assert outcome.status == "failed" and outcome.diagnoses == () and "empty" in outcome.message
