"""Expression answers: equivalent formulas pass, wrong ones fail, hostile strings are refused without eval."""
import time

import numpy as np
import pytest

from grader.checks.expression import FormulaError, compare, evaluate, parse
from reference import nnti_ws2425_sheet6, tub_ml_sheet1, tuda_sml_ss23_hw4
from tests.conftest import BUILTIN, reference_of

TUB = tub_ml_sheet1.FORMULAS
TUDA = tuda_sml_ss23_hw4.FORMULAS


@pytest.mark.parametrize("sheet", list(BUILTIN))
def test_every_reference_formula_text_agrees_with_its_function(sheet):
    for name, formula in getattr(reference_of(sheet), "FORMULAS", {}).items():
        result = compare(formula.text, formula, samples=30)
        assert result.agrees, (name, result.message)


@pytest.mark.parametrize("key,text", [
    ("1.a.dl_dmu", "-sign(t - mu) / sigma"),
    ("1.a.dl_dmu", "(mu - t) / (sigma * abs(mu - t))"),
    ("1.b.dl_dw", "x * sign(dot(w, x) - t) / sigma"),
    ("2.c.dl_dv", "dl_dw13 / (1 + exp(-v)) + dl_dw24 * exp(-v) / (1 + exp(-v))"),
    ("3.b.dl_da_prev", "W @ (dl_da * a * (1 - a))"),
    ("3.a.dl_dz", "dl_da*a - dl_da*a^2"),
])
def test_equivalent_student_formulas_agree(key, text):
    assert compare(text, TUB[key]).agrees


@pytest.mark.parametrize("key,text,why", [
    ("1.a.dl_dmu", "sign(t - mu) / sigma", "differs"),            # sign flipped
    ("1.a.dl_dmu", "sign(mu - t)", "differs"),                     # sigma forgotten
    ("1.b.dl_dw", "sign(w @ x - t) / sigma", "shape"),             # the factor x is missing: a scalar comes back
    ("3.b.dl_da_prev", "transpose(W) @ (a * (1 - a) * dl_da)", "cannot be evaluated"),
    ("3.a.dl_dz", "a * dl_da", "differs"),                         # missing sigmoid derivative
])
def test_wrong_formulas_fail_with_a_reason(key, text, why):
    result = compare(text, TUB[key])
    assert not result.agrees and why in result.message


def test_square_only_transposes_are_caught_by_varying_dimensions():
    # W.T @ v works when d == h; dimensions are redrawn per point, so it cannot pass by luck.
    formula = TUB["3.b.dl_da_prev"]
    results = [compare("transpose(W) @ (a * (1 - a) * dl_da)", formula, seed=seed) for seed in range(10)]
    assert not any(r.agrees for r in results)
    assert "cannot be evaluated" in results[0].message


def test_matrix_formulas_of_the_softmax_jacobian():
    assert compare("diag(s) - outer(s, s)", TUDA["4.1.a.jacobian"]).agrees
    assert not compare("diag(s * (1 - s))", TUDA["4.1.a.jacobian"]).agrees  # diagonal only
    assert compare("s * v - s * sum(v * s)", TUDA["4.1.b.z"]).agrees
    assert compare("b2 + sum(W2, 1)/2", nnti_ws2425_sheet6.FORMULAS["6.1.2.b2"]).agrees
    assert not compare("b2 + sum(W2, 0)/2", nnti_ws2425_sheet6.FORMULAS["6.1.2.b2"]).agrees


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("__import__('os').system('true')", "is not an available function"),
    ("mu.__class__", "attribute expressions are not allowed"),
    ("(lambda: 1)()", "not an available function"),
    ("[mu for mu in t]", "listcomp expressions are not allowed"),
    ("mu[0]", "subscript expressions are not allowed"),
    ("open('x')", "'open' is not an available function"),
    ("exp(x=mu)", "by position"),
    ("nu + t", "unknown name 'nu'"),
    ("mu % t", "operator % is not available"),
    ("'abc'", "is not a number"),
    ("mu +* t", "cannot read the formula"),
    ("1" + "+1" * 150, "more than 200 parts"),
    ("x" * 600, "longer than 500"),
])
def test_refused_formulas(text, message):
    with pytest.raises(FormulaError, match=message):
        parse(text, {"mu": None, "t": None, "sigma": None})


def test_huge_powers_are_refused_cheaply():
    start = time.perf_counter()
    parsed = parse("9 ** 9 ** 9", {"mu": None})
    with pytest.raises(FormulaError, match="exponents"):
        evaluate(parsed, {})
    assert time.perf_counter() - start < 5  # generous: the point is that it returns at all


def test_evaluate_uses_only_given_values():
    parsed = parse("2 * mu - t + pi", {"mu": None, "t": None})
    assert float(evaluate(parsed, {"mu": np.float64(3), "t": np.float64(1)})) == pytest.approx(5 + np.pi)


def test_formulas_that_would_exhaust_memory_are_refused_before_allocating():
    formula = TUDA["4.1.a.jacobian"]
    text = "s"
    for _ in range(10):
        text = f"outer({text}, s)"
    start = time.perf_counter()
    result = compare(text, formula)
    assert not result.agrees and "far larger" in result.message
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text,message", [
    ("sum(s, 1e400)", "too large"),
    ("sum(s, 0.5)", "small whole number"),
    ("diag(s) - outer(s, s) + " + "9" * 400, "too large"),
])
def test_overflowing_numbers_and_axes_are_reported_not_raised(text, message):
    try:
        result = compare(text, TUDA["4.1.a.jacobian"])
    except FormulaError as exc:
        assert message in str(exc)
        return
    assert not result.agrees and message in result.message


@pytest.mark.parametrize("formula,text,diagnosis", [
    (TUB["3.b.dl_da_prev"], "transpose(W) @ (a * (1 - a) * dl_da)", "transposed"),   # W used as h x d
    (nnti_ws2425_sheet6.FORMULAS["6.1.2.b2"], "b2 + sum(W2, 0) / 2", "transposed"),  # summed over the wrong axis
    (TUB["3.a.dl_dz"], "-a * (1 - a) * dl_da", "sign-flip"),
    (TUB["3.a.dl_dz"], "3 * a * (1 - a) * dl_da", "constant-factor"),
    (TUDA["4.1.a.jacobian"], "transpose(diag(s) - outer(s, s)) * 1", None),  # symmetric: right
    (TUB["1.a.dl_dmu"], "sign(t - mu) / sigma", "laplace-sign"),  # the sheet's own name beats "sign-flip"
    (TUB["3.a.dl_dz"], "a + dl_da", None),  # wrong, but no known mistake: no guess
    (TUB["3.a.dl_dz"], "dl_da * (1 - a**2)", "sibling-function"),  # tanh's derivative in the output a
    (TUB["3.a.dl_dz"], "z * (1 - z) * dl_da", "derivative-of-input"),  # the output form written in z
    (TUB["3.b.dl_da_prev"], "sum(W * (a - a**2) * dl_da, 0)", "wrong-axis"),  # W @ v summed over axis 0
    (TUB["1.a.dl_dmu"], "sign(mu - t) * sigma", "invert-factor"),  # multiplies by sigma where it divides
    (TUDA["4.1.d.jacobian"], "-1 / z", "drop-factor"),  # the target t of -t / z left out
])
def test_wrong_formulas_get_the_diagnosis_that_fits_everywhere(formula, text, diagnosis):
    result = compare(text, formula)
    if diagnosis is None:
        assert result.diagnoses == ()
    else:
        assert not result.agrees and result.diagnoses == (diagnosis,)


def test_a_hidden_formula_task_names_the_factor_only_when_public():
    assert "about 3" in compare("3 * a * (1 - a) * dl_da", TUB["3.a.dl_dz"]).message
    assert "about 3" not in compare("3 * a * (1 - a) * dl_da", TUB["3.a.dl_dz"], reveal=False).message


@pytest.mark.parametrize("formula,text", [
    (TUB["1.a.dl_dmu"], "\u2212sign(t \u2212 mu) / sigma"),          # a minus sign pasted from the PDF
    (TUB["1.a.dl_dmu"], "np.sign(mu - t) / sigma"),                    # numpy's spelling
    (TUB["3.b.dl_da_prev"], "W @ (a * (1 - a) * dl_da)"),
    (TUB["3.b.dl_da_prev"], "(a*(1-a)*dl_da) @ W.T"),                  # W.T for transpose(W)
    (TUB["2.b.dl_dw13"], "(0.5*(x1*w13)^2 + 0.5*(x2*w24)**2 - t) * x1^2 * w13"),  # ^ beside **
    (TUB["3.a.dl_dz"], "a \u00b7 (1 \u2212 a) \u00b7 dl_da"),           # the multiplication dot
    (nnti_ws2425_sheet6.FORMULAS["6.1.2.b2"], "b2 + sum(W2, axis=1) / 2"),
    (nnti_ws2425_sheet6.FORMULAS["6.1.2.b2"], "b2 + W2.sum(axis=1) / 2"),  # the method form
    (TUB["1.b.dl_dw"], "sign(mu - t) / sigma * x"),                     # mu = w^T x, as the sheet names it
])
def test_the_notations_students_use_mean_what_they_say(formula, text):
    result = compare(text, formula)
    assert result.agrees, result.message


def test_a_formula_may_be_written_out_in_the_sheets_primitive_variables():
    # 2.c in x1, x2, t and v instead of the partial derivatives dl_dw13, dl_dw24 of part (b)
    w13, w24 = "log(1 + exp(v))", "(-log(1 + exp(-v)))"
    y = f"(0.5*(x1*{w13})**2 + 0.5*(x2*{w24})**2)"
    text = f"({y} - t) * (x1**2 * {w13} * sigmoid(v) + x2**2 * {w24} * sigmoid(-v))"
    assert compare(text, TUB["2.c.dl_dv"]).agrees
    mixed = f"dl_dw13 * sigmoid(v) + ({y} - t) * x2**2 * {w24} * sigmoid(-v)"
    assert compare(mixed, TUB["2.c.dl_dv"]).agrees
    one_path = f"({y} - t) * x1**2 * {w13} * sigmoid(v)"  # still the one-path mistake, in any variables
    assert compare(one_path, TUB["2.c.dl_dv"]).diagnoses == ("shared-parameter-one-path",)


@pytest.mark.parametrize("text", ["diag(s) - transpose(s) @ s", "diag(s) - s.T @ s",   # the sheet's rows, 1 x C
                                  "diag(s) - s @ transpose(s)",                         # columns throughout
                                  "diag(s) - outer(s, s)"])                             # flat vectors
def test_vectors_may_be_written_as_the_sheet_does_or_consistently_otherwise(text):
    assert compare(text, TUDA["4.1.a.jacobian"]).agrees


def test_a_formula_that_fails_says_which_shapes_it_was_evaluated_with():
    result = compare("diag(s) - s @ transpose(s) @ s", TUDA["4.1.a.jacobian"])
    assert not result.agrees and "s is 1 x" in result.message and "other layouts were tried too" in result.message


def test_numpy_spellings_do_not_open_attribute_access():
    for text in ("np.__class__", "mu.__class__", "np.linalg.norm(mu)", "mu.sum.__self__"):
        with pytest.raises(FormulaError):
            parse(text, {"mu": None})


def test_the_other_right_tanh_network_passes_only_as_a_whole():
    """tanh is odd: -W1/2, -b1/2, -W2/2 with the same b2 is the same network; mixed with the first solution it
    is not, so a formula of the other solution counts only where the rest of the answer is of it too."""
    from grader.checks import expression
    from grader.rubric import ExpressionCheck
    from tests.checks.helpers import context

    flipped = {"6.1.2.W1": "-W1/2", "6.1.2.b1": "-0.5*b1", "6.1.2.W2": "-W2/2", "6.1.2.b2": "b2 + sum(W2, 1)/2"}
    mixed = {**flipped, "6.1.2.W1": "W1/2", "6.1.2.b1": "b1/2"}

    def status(answers, key):
        ctx = context({}, reveal=False, sheet="nnti-ws2425-sheet6", answers=answers)
        return expression.judge(ExpressionCheck(kind="expression", key=key), ctx)

    for key in flipped:
        outcome = status(flipped, key)
        assert outcome.status == "passed", (key, outcome.message)
    assert "sign flipped" in status(flipped, "6.1.2.W2").message
    assert status(mixed, "6.1.2.W2").status == "failed" and status(mixed, "6.1.2.W1").status == "passed"
