"""The sheets' own notation in formula answers: Greek letters, σ(·) for the logistic function, ⊙ and · products,
|x| bars and e**z with a vector z mean what they say, and wrong formulas in that notation still fail."""
import numpy as np
import pytest

from grader.checks.expression import FormulaError, compare, evaluate, parse
from reference import tub_ml_sheet1

TUB = tub_ml_sheet1.FORMULAS


@pytest.mark.parametrize("key,text", [
    # 1. e**z with a vector exponent, as the sheet's exp(z)/(1 + exp(z)) is often written
    ("3.a.dl_dz", "e**z/(1 + e**z)**2*dl_da"),
    ("3.a.dl_dz", "e^(-z)/(1 + e^(-z))^2*dl_da"),
    ("3.b.dl_da_prev", "W @ (e**z/(1 + e**z)**2*dl_da)"),
    ("2.c.dl_dv", "dl_dw13*e**v/(1 + e**v) + dl_dw24*e**(-v)/(1 + e**(-v))"),
    ("3.a.dl_dz", "a**(z/z)*(1 - a)*dl_da"),                    # an exponent that is a vector of ones
    # 2. the sheet's Greek letters
    ("1.a.dl_dmu", "sign(μ − t)/σ"),
    ("1.a.dl_dmu", "sign(\u00b5 - t)/σ"),                      # the micro sign a keyboard types for mu
    ("1.b.dl_dw", "sign(μ − t)·x/σ"),
    ("1.b.dl_dw", "x*(μ - t)/(σ*|μ - t|)"),
    # ... and σ(v) for the logistic function where sigma is no variable
    ("2.c.dl_dv", "dl_dw13*σ(v) + dl_dw24*σ(-v)"),
    ("3.a.dl_dz", "σ(z)*(1 - σ(z))*dl_da"),
    ("3.a.dl_dz", "sigma(z)*(1 - sigma(z))*dl_da"),
    ("3.b.dl_da_prev", "W @ (σ(z) ⊙ (1 − σ(z)) ⊙ dl_da)"),
    # 3. the Hadamard product
    ("3.a.dl_dz", "a ⊙ (1 − a) ⊙ dl_da"),
    ("3.a.dl_dz", "a ∘ (1 - a) ∘ dl_da"),
    ("3.b.dl_da_prev", "W @ (a ⊙ (1 − a) ⊙ dl_da)"),
    # 4. absolute value bars
    ("1.a.dl_dmu", "(mu - t)/(sigma*|mu - t|)"),
    ("1.a.dl_dmu", "(mu-t)/|t-mu|/sigma"),
    ("1.a.dl_dmu", "|mu - t|/(mu - t)/sigma"),
    ("1.a.dl_dmu", "(mu - t)/(sigma*||mu - t| - 0|)"),           # nested bars
    ("1.a.dl_dmu", "(mu - t)/(sigma*sqrt(|mu - t|^2))"),
    ("1.b.dl_dw", "x*(w@x - t)/(sigma*|w@x - t|)"),
    # 5. the centred dot as the sheet writes it: a matrix product between a matrix and a vector
    ("3.b.dl_da_prev", "W · (a * (1 − a) * dl_da)"),
    ("3.b.dl_da_prev", "W ⋅ (a ⊙ (1 − a) ⊙ dl_da)"),
    ("3.b.dl_da_prev", "W · (a ⊙ (1 − a)) ⊙ dl_da"),               # the sheet's 3.b verbatim: · binds looser
    ("3.b.dl_da_prev", "W · a ⊙ (1 − a) ⊙ dl_da"),
    ("3.a.dl_dz", "a · (1 − a) · dl_da"),                          # equal shapes: elementwise, as in 3.a
    ("1.b.dl_dw", "sign(w @ x - t) · x / sigma"),                  # a number times a vector
])
def test_the_sheets_notation_agrees_with_the_reference(key, text):
    result = compare(text, TUB[key])
    assert result.agrees, result.message


@pytest.mark.parametrize("key,text", [
    ("1.a.dl_dmu", "sign(t − μ)/σ"),              # sign flipped, in Greek
    ("1.a.dl_dmu", "sign(μ − t)·σ"),              # multiplies by sigma
    ("1.a.dl_dmu", "|mu - t|/sigma"),             # the bars where sign() is needed
    ("1.a.dl_dmu", "(t - mu)/(sigma*|mu - t|)"),
    ("1.b.dl_dw", "x*(t - w@x)/(σ*|w@x - t|)"),
    ("2.c.dl_dv", "dl_dw13*σ(v) - dl_dw24*σ(-v)"),
    ("3.a.dl_dz", "σ(a) ⊙ (1 − σ(a)) ⊙ dl_da"),   # the sigmoid of the output
    ("3.a.dl_dz", "e**z/(1 + e**z)*dl_da"),       # sigmoid itself, not its derivative
    ("3.a.dl_dz", "e**(-z)/(1 + e**z)**2*dl_da"),
    ("3.b.dl_da_prev", "W · dl_da"),               # the sigmoid's derivative is missing
    ("3.b.dl_da_prev", "(W · (a ⊙ (1 − a))) ⊙ dl_da"),  # brackets say what they say: shapes no longer fit
    ("3.b.dl_da_prev", "W ⊙ (a ⊙ (1 − a) ⊙ dl_da)"),    # ⊙ is never a matrix product
])
def test_wrong_formulas_in_the_sheets_notation_still_fail(key, text):
    assert not compare(text, TUB[key]).agrees


def test_the_laplace_sign_mistake_is_diagnosed_in_greek_too():
    result = compare("sign(t − μ)/σ", TUB["1.a.dl_dmu"])
    assert result.diagnoses == ("laplace-sign",)


@pytest.mark.parametrize("text", ["|a|b|", "(mu - t)/|mu - t", "|mu - t)", "(|mu - t)|", "2|mu|"])
def test_bars_that_cannot_be_paired_are_named_in_one_line(text):
    with pytest.raises(FormulaError) as info:
        parse(text, {"a": None, "b": None, "mu": None, "t": None})
    message = str(info.value)
    assert "could not be paired" in message and "abs(" in message and "\n" not in message


def test_bars_pair_left_to_right_and_nest():
    names = {"x": None, "y": None}
    values = {"x": np.float64(1.0), "y": np.float64(-3.0)}
    assert float(evaluate(parse("|x - |y||", names), values)) == 2.0
    assert float(evaluate(parse("|x|*|y|", names), values)) == 3.0
    assert float(evaluate(parse("-|y| + |x - y|^2", names), values)) == 13.0
    assert float(evaluate(parse("| |y| - x |", names), values)) == 2.0


def test_greek_letters_map_to_the_names_the_sheets_use():
    values = {"alpha": np.float64(2), "eta": np.float64(3), "lambda_": np.float64(5), "theta": np.float64(7)}
    parsed = parse("α*η + λ - θ + 0*π", set(values))
    assert float(evaluate(parsed, values)) == 2 * 3 + 5 - 7
    assert float(evaluate(parse("π", {"x"}), {})) == pytest.approx(np.pi)
    with pytest.raises(FormulaError, match="unknown name 'θ'"):
        parse("θ + 1", {"mu", "sigma"})


def test_sigma_called_where_sigma_is_a_variable_is_not_the_sigmoid():
    with pytest.raises(FormulaError, match="variable, not a function.*\\*"):
        parse("σ(mu - t)", {"mu", "t", "sigma"})
    assert not compare("sigmoid(mu - t)/sigma", TUB["1.a.dl_dmu"]).agrees


def test_vector_exponents_are_bounded_elementwise():
    parsed = parse("2**x", {"x"})
    assert list(evaluate(parsed, {"x": np.array([1.0, 3.0])})) == [2.0, 8.0]
    with pytest.raises(FormulaError, match="exponents"):
        evaluate(parsed, {"x": np.array([1.0, 100.0])})
    with pytest.raises(FormulaError, match="exponents"):
        evaluate(parse("x**9**9**9", {"x"}), {"x": np.array([1.0, 2.0])})


def test_the_centred_dot_is_elementwise_unless_shapes_ask_for_a_matrix_product():
    names = {"W", "v", "u", "c"}
    W, v, u = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    values = {"W": W, "v": v, "u": u, "c": np.float64(2)}
    assert np.array_equal(evaluate(parse("v · u", names), values), v * u)      # equal shapes
    assert np.array_equal(evaluate(parse("c · W", names), values), 2 * W)      # a scalar
    assert np.array_equal(evaluate(parse("W · v", names), values), W @ v)      # matrix and vector
    assert np.array_equal(evaluate(parse("W · v ⊙ u", names), values), W @ (v * u))
    assert np.array_equal(evaluate(parse("(W · v) * 2", names), values), 2 * W @ v)
    assert np.array_equal(evaluate(parse("v * u", names), values), v * u)      # * never changes
    with pytest.raises(FormulaError):
        evaluate(parse("W * v ⊙ u", names), {**values, "W": np.ones((3, 2))})  # * and ⊙ stay elementwise
