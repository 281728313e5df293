"""Shape rules and typical-mistake diagnoses when numbers are compared."""
import numpy as np

from grader.checks.compare import match
from grader.sandbox import Absent, Unsupported

W = np.array([[0.2, -0.3], [0.1, -1.2], [0.4, 0.3]])


def test_vectors_compare_in_any_orientation_and_lists_like_arrays():
    v = np.array([1.0, 2.0, 3.0])
    for observed in (v, v.reshape(3, 1), v.reshape(1, 3), [1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]]):
        assert match(observed, v, 1e-9, 0, reveal=True).ok


def test_a_transposed_matrix_fails_with_a_diagnosis_unless_allowed():
    m = match(W.T, W, 1e-9, 0, reveal=True)
    assert not m.ok and m.diagnoses == ("transposed",)
    assert match(W.T, W, 1e-9, 0, reveal=True, accept_transpose=True).ok
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert "transposed" in match(square.T, square, 1e-9, 0, reveal=True).diagnoses


def test_sign_flip_and_constant_factor_are_named():
    assert match(-W, W, 1e-9, 0, reveal=True).diagnoses == ("sign-flip",)
    m = match(W / 3, W, 1e-9, 0, reveal=True)
    assert m.diagnoses == ("constant-factor",) and "0.333" in m.message


def test_hidden_values_are_not_shown():
    for observed, diagnosis in ((W + 1, ()), (W / 3, ("constant-factor",)), (-W, ("sign-flip",))):
        hidden = match(observed, W, 1e-9, 0, reveal=False)
        assert hidden.message == "the value is not correct"  # no deviation, factor or sign to work back from
        assert hidden.diagnoses == diagnosis  # the tutor's report still names the mistake
    assert match(W.T, W, 1e-9, 0, reveal=False).message == "the value is transposed"
    assert "0.2" in match(W + 1, W, 1e-9, 0, reveal=True).message


def test_accept_transpose_also_for_square_matrices():
    square = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert match(square.T, square, 1e-9, 0, reveal=True, accept_transpose=True).ok


def test_odd_answer_types_fail_with_a_reason():
    import datetime
    assert "boolean" in match([True, False], [1.0, 0.0], 1e-9, 0, reveal=True).message
    assert "too large" in match(10 ** 400, 1.0, 1e-9, 0, reveal=True).message
    assert "date" in match(datetime.date(2024, 1, 1), 1.0, 1e-9, 0, reveal=True).message


def test_tolerance_is_relative_plus_absolute():
    assert match(0.79, 0.7932, 0.02, 0.006, reveal=True).ok  # rounded by hand
    assert not match(0.75, 0.7932, 0.02, 0.006, reveal=True).ok


def test_values_that_are_not_numbers_fail_with_a_reason():
    assert "None" in match(None, W, 1e-9, 0, reveal=True).message
    assert "ragged" in match([[1, 2], [3]], W, 1e-9, 0, reveal=True).message
    assert "Sneaky" in match(Unsupported("an object of type Sneaky"), W, 1e-9, 0, reveal=True).message
    assert match(Absent("code.py defines no `x`"), W, 1e-9, 0, reveal=True).message == "code.py defines no `x`"
    assert "nan" in match(np.full((3, 2), np.nan), W, 1e-9, 0, reveal=True).message
    assert "shape (2, 2)" in match(np.zeros((2, 2)), W, 1e-9, 0, reveal=True).message


def test_a_column_broadcast_against_a_vector_is_named():
    expected = np.array([1.0, 2.0, 3.0])
    observed = np.array([[1.0], [2.0], [3.0]]) + np.array([0.0, 0.0, 0.0])  # (3, 1) + (3,) -> (3, 3)
    m = match(observed, expected, 1e-6, 1e-9, reveal=True)
    assert not m.ok and m.diagnoses == ("broadcast",) and "n x n" in m.message
    assert match(np.ones((2, 3)), expected, 1e-6, 1e-9, reveal=True).diagnoses == ()  # another shape: no guess


def test_one_number_for_a_vector_of_per_sample_values_is_named():
    losses = np.array([0.5, 1.5, 0.25, 2.0])
    for reduced, how in ((losses.mean(), "averaged"), (losses.sum(), "summed"), ([losses.mean()], "averaged")):
        m = match(reduced, losses, 1e-6, 1e-9, reveal=False)
        assert not m.ok and m.diagnoses == ("reduced-to-scalar",) and how in m.message
    assert match(7.0, losses, 1e-6, 1e-9, reveal=True).diagnoses == ()  # neither mean nor sum


def test_an_overflowing_mistake_matches_only_the_same_non_finite_entries():
    from reference.mistakes import Alternative

    expected = np.array([[0.27, 0.73], [0.73, 0.27]])
    overflow = Alternative("softmax-overflow", "exp() overflows", np.array([[0.27, 0.73], [np.nan, np.nan]]))
    same = match(np.array([[0.27, 0.73], [np.nan, np.nan]]), expected, 1e-6, 1e-9, reveal=True, alternatives=(overflow,))
    assert same.diagnoses == ("softmax-overflow",) and "overflows" in same.message
    elsewhere = np.array([[np.nan, np.nan], [0.73, 0.27]])
    assert match(elsewhere, expected, 1e-6, 1e-9, reveal=True, alternatives=(overflow,)).diagnoses == ("not-finite",)
    wrong_rest = np.array([[0.5, 0.5], [np.nan, np.nan]])
    assert match(wrong_rest, expected, 1e-6, 1e-9, reveal=True, alternatives=(overflow,)).diagnoses == ("not-finite",)


def test_a_mistake_too_close_to_the_right_value_is_never_named():
    from reference.mistakes import Alternative

    right = np.array([1.0, 2.0])
    for distance, named in ((2.0, False), (5.0, True)):  # in tolerances (rtol 1e-3)
        mistaken = right * (1 + distance * 1e-3)
        m = match(mistaken, right, 1e-3, 0.0, reveal=True, alternatives=(Alternative("slip", "a slip", mistaken),))
        assert not m.ok and (m.diagnoses == ("slip",)) == named


def test_a_constant_factor_needs_evidence():
    from grader import diagnose
    # one ratio across several entries: evidence
    assert [d.id for d in diagnose.numbers(np.array([0.6, -1.2, 0.9]), np.array([0.2, -0.4, 0.3]), 1e-6, 1e-9)] \
        == ["constant-factor"]
    # a single number: only the factors students make
    assert [d.id for d in diagnose.numbers(np.array(0.5), np.array(0.25), 1e-6, 1e-9)] == ["constant-factor"]
    assert diagnose.numbers(np.array(0.37), np.array(0.25), 1e-6, 1e-9) == []
    # hand values rounded: a ratio near 1 is rounding, not a factor
    assert diagnose.numbers(np.array([0.16, 0.35]), np.array([0.1643, 0.349]), 0.001, 5e-4) == []
    # a vector with one entry that is not ~0 is one number
    assert diagnose.numbers(np.array([0.37, 0.0]), np.array([0.25, 0.0]), 1e-6, 1e-9) == []


def test_hand_values_rounded_as_written_pass_under_a_tight_absolute_tolerance():
    expected = np.array([0.1643, -0.0517, 1.2345])
    assert match([0.16, -0.052, 1.2], expected, 0.02, 5e-4, reveal=True, by_hand=True).ok
    assert match([0.164, -0.0517, 1.23], expected, 0.02, 5e-4, reveal=True, by_hand=True).ok
    assert not match([0.2, -0.05, 1.0], expected, 0.02, 5e-4, reveal=True, by_hand=True).ok  # one digit: no
    assert not match([0.15, -0.052, 1.2], expected, 0.02, 5e-4, reveal=True, by_hand=True).ok  # wrongly rounded
    assert not match([0.16, -0.052, 1.2], expected, 0.02, 5e-4, reveal=True).ok  # computed values: no rounding
    assert not match(1.0, 1.2, 0.0, 0.0, reveal=True, by_hand=True).ok  # exact entries stay exact


def test_float32_results_are_held_to_float32_precision():
    expected = np.array([[-0.1128, 0.0779], [-0.0009, 0.31]])
    single = (expected + 1e-8).astype(np.float32)
    assert match(single, expected, 1e-6, 1e-9, reveal=True).ok
    assert not match(single.astype(np.float64), expected, 1e-6, 1e-9, reveal=True).ok
    assert not match((expected * 1.001).astype(np.float32), expected, 1e-6, 1e-9, reveal=True).ok


def test_a_sum_over_the_inputs_samples_is_a_plausible_factor_for_one_number():
    from grader import diagnose
    # a loss over 5 samples summed where the sheet averages: only with the check's sample count
    assert diagnose.numbers(np.array(1.25), np.array(0.25), 1e-6, 1e-9) == []
    assert [d.id for d in diagnose.numbers(np.array(1.25), np.array(0.25), 1e-6, 1e-9, batch=(5, 3))] == \
        ["constant-factor"]
    assert [d.id for d in diagnose.numbers(np.array(0.05), np.array(0.25), 1e-6, 1e-9, batch=(5,))] == \
        ["constant-factor"]


def test_one_of_several_returned_values_is_read_where_its_shape_is_asked_for():
    h, o = np.array([2.0, 0.0]), np.array([0.99966, 0.00034])
    m = match((h, o), o, 1e-6, 1e-9, reveal=True, what="`o`")
    assert m.ok and "value 2 of the 2 returned" in m.message
    assert not match((h, h), o, 1e-6, 1e-9, reveal=True).ok
    assert match(np.stack([h, o]), o, 1e-6, 1e-9, reveal=True).diagnoses == ("broadcast",)  # an array is one value
    assert not match([[0.5, 0.5], o.tolist()], o, 1e-6, 1e-9, reveal=True, by_hand=True).ok  # two guesses by hand


def test_a_negated_value_is_a_sign_slip_even_where_a_known_mistake_lies_within_the_tolerance():
    from reference.mistakes import Alternative
    right = np.array([[0.0097, 0.0195], [-0.0110, 0.0043]])
    near = Alternative("derivative-of-input", "a slip", -right * 1.2)  # fits -right within atol 0.006
    m = match(-right, right, 0.0, 0.006, reveal=True, alternatives=(near,))
    assert "derivative-of-input" not in m.diagnoses and "sign-flip" in m.diagnoses, m
    assert match(-right * 1.2, right, 0.0, 0.006, reveal=True, alternatives=(near,)).diagnoses == ("derivative-of-input",)


def test_a_job_in_float32_is_judged_at_float32_and_still_fails_a_real_slip():
    """A float32 softmax's backward pass comes back as float64 (float32 output times the grader's float64
    gradient) but carries float32's rounding; a diagonal-only backward pass stays wrong at that precision."""
    s = np.array([0.7, 0.2, 0.1])
    v = np.array([0.3, -1.2, 0.5])
    right = s * (v - v @ s)
    rounded = (s.astype(np.float32) * (v - v @ s)).astype(np.float64)  # float32 s, float64 v
    job_eps = float(np.finfo(np.float32).eps)
    assert not match(rounded, right, 1e-9, 1e-12, reveal=True).ok  # held to float64 it would fail
    assert match(rounded, right, 1e-9, 1e-12, reveal=True, job_eps=job_eps).ok
    assert not match(s * (1 - s) * v, right, 1e-9, 1e-12, reveal=True, job_eps=job_eps).ok
