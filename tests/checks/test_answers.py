"""answer, choice and expression checks on the answers file."""
import numpy as np
import pytest

from grader import api
from grader.checks import answer, choice, expression
from grader.rubric import AnswerCheck, ChoiceCheck, ExpressionCheck
from tests.checks.helpers import context

KEY = {"7.2.L1": 0.7932, "7.2.W": np.array([[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]]), "6.2.b.loss": "cross-entropy",
       "1.a.dl_dmu": "sign(mu - t) / sigma"}


def judge_answer(value, key="7.2.L1", reveal=True, **kw):
    return answer.judge(AnswerCheck(kind="answer", key=key, **kw), context(KEY, reveal, answers={key: value}))


def test_hand_rounded_numbers_fractions_and_expressions_pass():
    for value in (0.79, "0.793", "0.7932", "exp(log(0.7932))"):
        assert judge_answer(value).status == "passed", value
    assert judge_answer([[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]], key="7.2.W").status == "passed"


def test_wrong_answers_fail_and_hidden_ones_do_not_show_the_value():
    hidden = judge_answer(0.5, reveal=False)
    assert hidden.status == "failed" and hidden.message == '"7.2.L1" is not correct'
    assert judge_answer(1.0, reveal=False).message == '"7.2.L1" is not correct'  # no factor 1.26 to divide by
    assert "0.793" in judge_answer(0.5, reveal=True).message
    transposed = judge_answer(KEY["7.2.W"].T.tolist(), key="7.2.W")
    assert transposed.diagnoses == ("transposed",)
    assert judge_answer(KEY["7.2.W"].T.tolist(), key="7.2.W", accept_transpose=True).status == "passed"
    assert judge_answer("approx. 0.79").status == "failed"


def test_missing_entry_missing_file_and_broken_file():
    check = AnswerCheck(kind="answer", key="7.2.L1")
    assert answer.judge(check, context(KEY, answers={})).status == "not-attempted"
    assert answer.judge(check, context(KEY, answers=None)).status == "not-attempted"
    broken = answer.judge(check, context(KEY, answers=None, answers_problem="answers.toml is not valid TOML"))
    assert broken.status == "error" and "TOML" in broken.message


def test_choices_match_synonyms_case_and_spacing():
    check = ChoiceCheck(kind="choice", key="6.2.b.loss", accept=["categorical cross-entropy", "CE"])
    for value in ("Cross Entropy", "cross_entropy", "  categorical  cross-entropy ", "ce"):
        assert choice.judge(check, context(KEY, answers={"6.2.b.loss": value})).status == "passed", value
    wrong = choice.judge(check, context(KEY, reveal=False, answers={"6.2.b.loss": "MSE"}))
    assert wrong.status == "failed" and "cross" not in wrong.message
    assert choice.judge(check, context(KEY, answers={"6.2.b.loss": 3})).status == "failed"


def test_expression_answers_are_compared_at_random_points():
    check = ExpressionCheck(kind="expression", key="1.a.dl_dmu")
    ctx = lambda text: context(KEY, reveal=False, sheet="tub-ml-sheet1", answers={"1.a.dl_dmu": text})
    assert expression.judge(check, ctx("-sign(t - mu) / sigma")).status == "passed"
    flipped = expression.judge(check, ctx("sign(t - mu) / sigma"))
    assert flipped.status == "failed" and "sign(mu" not in flipped.message
    assert "tanh(x)**2" in expression.judge(check, ctx("tanh^2(mu)")).message


def test_choices_in_natural_wording_pass():
    """The wordings students write on a sheet: filler words, brackets with a synonym, abbreviations."""
    rubric = api.load_rubric("nnti-ws2425-sheet6")
    key = api.answer_key("nnti-ws2425-sheet6").values
    cases = {"6.2.a.loss": ["binary cross entropy loss", "Binary Cross-Entropy (BCE)", "the BCE loss"],
             "6.2.c.output": ["linear (identity)", "the identity", "Identity function", "no activation"],
             "6.2.c.loss": ["mean squared error (MSE)", "MSE loss", "mean-squared error", "Mean Square Error"],
             "6.2.a.output": ["Sigmoid output", "a sigmoid (one per class)"],
             "6.2.d.output": ["independent sigmoids", "sigmoid (one per tag)", "sigmoid for each label"],
             "6.2.d.loss": ["binary cross-entropy per tag", "BCE for each of the labels"],
             "6.2.b.output": ["Softmax over the classes", "softmax function", "Soft-max", "the softmax activation"],
             "6.2.e.output": ["Hierarchical Softmax (tree over the vocabulary)", "hierarchical softmaxes"]}
    for name, answers in cases.items():
        check = next(c for t in rubric.tasks for c in t.checks if getattr(c, "key", None) == name)
        for text in answers:
            outcome = choice.judge(check, context(key, answers={name: text}))
            assert outcome.status == "passed" and outcome.diagnoses == (), (name, text, outcome.message)


def choice_outcome(name, text, reveal=True):
    rubric = api.load_rubric("nnti-ws2425-sheet6")
    key = api.answer_key("nnti-ws2425-sheet6").values
    check = next(c for t in rubric.tasks for c in t.checks if getattr(c, "key", None) == name)
    return choice.judge(check, context(key, reveal=reveal, answers={name: text}))


@pytest.mark.parametrize("name, text", [
    ("6.2.a.output", "sigmoid or tanh"), ("6.2.a.output", "either softmax or sigmoid"),
    ("6.2.c.output", "tanh or linear"), ("6.2.c.loss", "mse or mae"), ("6.2.c.output", "linear (or ReLU)"),
    ("6.2.b.loss", "binary or categorical cross-entropy"), ("6.2.e.output", "hierarchical (or flat) softmax"),
    ("6.2.a.output", "sigmoid (or softmax)"),
])
def test_a_hedge_between_choices_does_not_pass(name, text):
    outcome = choice_outcome(name, text)
    assert outcome.status == "failed" and "several choices" in outcome.message
    hidden = choice_outcome(name, text, reveal=False)
    assert hidden.status == "failed" and "several" not in hidden.message  # no oracle for searching the options


@pytest.mark.parametrize("name, text, diagnosis", [
    ("6.2.b.loss", "cross entropy (binary)", "binary-loss-for-one-class"),
    ("6.2.d.loss", "cross-entropy (categorical)", "multi-label-as-multi-class"),
    ("6.2.c.output", "ReLU activation function", "relu-output-for-regression"),
    ("6.2.d.output", "softmax over the tags", "multi-label-as-multi-class"),
])
def test_a_bracket_that_qualifies_the_choice_is_read_with_it(name, text, diagnosis):
    outcome = choice_outcome(name, text)
    assert outcome.status == "failed" and outcome.diagnoses == (diagnosis,)


def test_bracketed_synonyms_and_qualifiers_that_name_the_right_choice_pass():
    for name, text in (("6.2.e.output", "softmax (hierarchical)"), ("6.2.c.output", "linear / identity"),
                       ("6.2.a.loss", "BCE / log loss")):
        assert choice_outcome(name, text).status == "passed", text


@pytest.mark.parametrize("name, text", [
    ("6.2.a.output", "sigmoid with softmax"), ("6.2.d.output", "sigmoid (softmax over the tags)"),
    ("6.2.c.loss", "mean squared error over the log likelihood"), ("6.2.c.output", "linear (tanh)"),
    ("6.2.c.output", "linear with negative values set to 0"), ("6.2.b.output", "softmax over each class separately"),
    ("6.2.c.output", "linear (clipped at zero)"), ("6.2.e.output", "hierarchical softmax (flat over the whole vocabulary)"),
    ("6.2.d.output", "sigmoid (normalised so the tags sum to 1)"),
])
def test_a_bracket_or_phrase_that_names_another_choice_is_not_an_explanation(name, text):
    assert choice_outcome(name, text).status == "failed", text
