"""Training checks: falling losses, accuracy against the targets, failures named."""
import numpy as np

from grader.checks import training
from grader.rubric import TrainingCheck, TrainingRetry
from tests.checks.helpers import context, job

TARGETS = np.array([[0, 1, 1, 0, 1, 0, 0, 1, 1, 1]], dtype=float)
CHECK = TrainingCheck(kind="training", file="code2.py", steps=[{"op": "call", "target": "net.train", "name": "losses"}],
                      losses="losses", predictions="pred", targets="y", min_accuracy="goal")


def judge(losses, pred):
    ctx = context(key={"y": TARGETS, "goal": 0.9}, job=job({"losses": losses, "pred": pred}))
    return training.judge(CHECK, ctx)


def test_accuracy_binary_and_one_hot():
    assert training.accuracy(TARGETS * 0.8 + 0.1, TARGETS) == 1.0
    one_hot = np.eye(3)[[0, 2, 1, 1]]
    assert training.accuracy(one_hot + 0.1, one_hot) == 1.0
    assert training.accuracy(one_hot.T[:, [1, 0, 2, 3]], one_hot.T) == 0.5  # classes along axis 0


def test_falling_loss_and_good_accuracy_pass():
    assert judge([3.0, 2.0, 1.0], TARGETS * 0.8 + 0.1).status == "passed"


def test_low_accuracy_earns_half():
    outcome = judge([3.0, 2.0, 1.0], 1 - TARGETS)
    assert outcome.score == 0.5 and "0.0%" in outcome.message


def test_rising_or_broken_losses_fail():
    assert "did not decrease" in judge([1.0, 2.0], TARGETS).message
    assert "nan" in judge([1.0, float("nan")], TARGETS).message
    assert "list of losses" in judge(None, TARGETS).message


def test_a_loss_that_only_wanders_does_not_count_as_falling():
    wandering = CHECK.model_copy(update={"min_decrease": 0.25, "predictions": None, "targets": None,
                                         "min_accuracy": None})
    ctx = lambda losses: context(key={}, job=job({"losses": losses}))
    assert "by 25% at least" in training.judge(wandering, ctx([2.349, 2.348])).message
    assert training.judge(wandering, ctx([2.3, 0.9])).status == "passed"


RETRY = CHECK.model_copy(update={"retry": TrainingRetry(steps=[{"op": "call", "target": "net.train", "name": "losses"}],
                                                        losses="losses", predictions="pred", because="mean loss")})


def test_a_second_run_counts_only_when_the_first_misses_and_cannot_cost_it():
    good, bad = TARGETS * 0.8 + 0.1, 1 - TARGETS
    first_misses = context(key={"y": TARGETS, "goal": 0.9}, job=job({"losses": [3.0, 2.0], "pred": bad}),
                           retry=job({"losses": [3.0, 1.0], "pred": good}))
    outcome = training.judge(RETRY, first_misses)
    assert outcome.status == "passed" and "mean loss" in outcome.message
    retry_broke = context(key={"y": TARGETS, "goal": 0.9}, job=job({"losses": [3.0, 2.0], "pred": good}),
                          retry=job({}, status="error", error="FloatingPointError"))
    assert training.judge(RETRY, retry_broke).status == "passed"
    both_miss = context(key={"y": TARGETS, "goal": 0.9}, job=job({"losses": [3.0, 2.0], "pred": bad}),
                        retry=job({"losses": [3.0, 2.0], "pred": bad}))
    assert training.judge(RETRY, both_miss).score == 0.5


def test_a_train_that_returns_nothing_is_judged_on_the_students_own_loss_before_and_after():
    """The sheet does not ask train to return its losses: the student's loss before and after training stands
    in, whatever it returns ((value, gradient), a number, one loss per sample)."""
    check = CHECK.model_copy(update={"losses_else": ["before", "after"]})

    def judged(before, after, losses=None):
        observed = {"losses": losses, "pred": TARGETS * 0.8 + 0.1, "before": before, "after": after}
        return training.judge(check, context(key={"y": TARGETS, "goal": 0.9}, job=job(observed)))

    fell = judged((np.float64(2.5), np.ones(3)), (np.float64(0.4), np.ones(3)))
    assert fell.status == "passed" and "fell from 2.5 before training to 0.4 after it" in fell.message
    assert judged(np.array([1.0, 1.5]), np.array([0.1, 0.2])).status == "passed"  # per-sample losses, summed
    stuck = judged(2.5, 2.5)
    assert stuck.status == "failed" and stuck.diagnoses == ("drop-step",)
    assert "train should return" in judged(None, 0.4).message  # the loss could not be read: no stand-in
    assert judged(2.5, 0.4, losses=[3.0, 3.5]).status == "failed"  # losses it does return are what counts
    assert judged([0.5, 3.0, 3.0], [0.1, 9.0, 9.0]).status == "failed"  # per-sample losses whose total rose


def test_a_negative_loss_never_counts_as_falling():
    outcome = judge([-1.0, -0.9, -0.8], TARGETS * 0.8 + 0.1)
    assert outcome.status == "failed" and outcome.diagnoses == ("negative-loss",)


def test_epoch_curves_of_the_courses_train_are_read_by_their_shape():
    """experiment.train returns one mean loss per epoch: the slips show there as a plateau, not step by step.
    Curves as the audit's one-slip submissions gave them (TU Darmstadt 4.2.d, 20 epochs)."""
    plus = np.array([21.76, 24.1, 24.9, 24.5, 24.86, 24.7, 24.86])  # the update adds the gradient
    assert training._stalled(plus)[0] == "update-sign"
    unassigned = np.array([2.454, 2.449, 2.451, 2.446, 2.448, 2.442])  # the update's result is dropped
    assert training._stalled(unassigned)[0] == "drop-step"
    minus_lost = np.array([-1.473, -0.9, -0.5, -0.3, -0.1679])  # the loss without its minus: rising toward 0
    assert training._stalled(minus_lost)[0] == "negative-loss"
    assert training._stalled(np.array([2.3, 2.0, 2.4, 2.1, 2.35])) is None  # noise around a start is no slip
    assert judge([2.0, 1.0, -1e-13], TARGETS * 0.8 + 0.1).status == "passed"  # rounding below 0 is no sign slip
