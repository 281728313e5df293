"""Gradient checks on worker records: finite differences of the student's loss, then the reference."""
import numpy as np

from grader.checks import gradient
from grader.rubric import GradientCheck
from tests.checks.helpers import context, job

STEP = {"op": "call", "target": "net.backprop", "name": "grads"}
CHECK = GradientCheck(kind="gradient", file="code2.py", steps=[STEP], loss_steps=[STEP], loss="l",
                      gradients={"grads[0]": "net.w"}, expect={"grads[0]": "dw"})
TRUE = np.array([[0.1, -0.2], [0.3, 0.05]])


def judge(grad, fd, fd_precision=None):
    return gradient.judge(CHECK, context(key={"dw": TRUE}, job=job({"grads[0]": grad}, fd={"net.w": fd},
                                                                  fd_precision=fd_precision)))


def test_true_gradient_passes():
    assert judge(TRUE.copy(), TRUE + 1e-9).status == "passed"


def test_backward_pass_that_disagrees_with_its_own_forward_pass():
    outcome = judge(-TRUE, TRUE)
    assert outcome.status == "failed" and "central differences" in outcome.message
    assert "sign-flip" in outcome.diagnoses


def test_consistent_gradient_of_a_different_loss_says_so():
    outcome = judge(TRUE / 2, TRUE / 2)  # a mean over two samples where the sheet sums
    assert outcome.status == "failed" and "but not of the sheet's loss" in outcome.message
    assert "loss-differs" in outcome.diagnoses and "constant-factor" in outcome.diagnoses


def test_relative_error_is_symmetric_and_scale_free():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.2])
    assert gradient.relative_error(a, b) == gradient.relative_error(b, a)
    assert np.isclose(gradient.relative_error(1e-6 * a, 1e-6 * b), gradient.relative_error(a, b))


def test_a_right_backward_pass_is_not_charged_for_a_wrong_loss():
    """The student's loss (the finite differences' source) is wrong and the backward pass right: the gradient
    passes, and the message names the loss as the function to mend (the loss is charged where it is checked)."""
    outcome = judge(TRUE.copy(), 2 * TRUE)
    assert outcome.status == "passed" and outcome.score == 1.0
    assert "`net.backprop` is where the mistake is, not the backward pass" in outcome.detail


def test_float32_gradients_are_judged_against_the_reference_not_against_rounding_noise():
    noisy = TRUE + np.array([[0.03, -0.02], [0.01, 0.04]])  # central differences of a float32 loss
    eps32 = float(np.finfo(np.float32).eps)
    right = judge(TRUE.astype(np.float32), noisy, eps32)
    assert right.status == "passed" and "mistake" not in right.detail  # the noise is not blamed on the loss
    assert judge((2 * TRUE).astype(np.float32), noisy, eps32).status == "failed"


def test_a_loss_that_cannot_be_perturbed_does_not_fail_a_right_gradient():
    from grader.sandbox import Absent
    assert judge(TRUE.copy(), Absent("loss raised ValueError")).status == "passed"
