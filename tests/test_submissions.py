"""End to end on the shipped examples: every submission's statuses and total, as submissions/README.md states.

Correct submissions are also checked against a total computed from the rubric alone
(every automatic share of every task), so a grader that gave everyone full marks,
or nobody, fails here.
"""
import csv
import io
import json

import pytest

from grader import api, diagnose
from grader.report import csv_report, feedback, json_report
from tests.conftest import ROOT

CORRECT = {"Braun_3045821_Wolf_3046190", "Jung_3048021_Hahn_3042277", "Mueller_2571234_Schmidt_2569876",
           "Krueger_2581234_Hartmann_2579911", "Wagner_412345_Schulz_409876", "late_submission_Meier",
           "Keller_2734561_Frank_2729873"}

# Task statuses other than pending-manual; every other task is pending-manual.
NOTEBOOK_73 = {f'7.3.{t}': 'passed' for t in 'abcdefg'}
JAX_43 = {f'4.3.{t}': 'unavailable' for t in 'abcde'}  # the test environment has no jax: see test_jax_notebook.py
EXPECTED = {
    ('leuphana-dl-ss24-ex2', 'Braun_3045821_Wolf_3046190'): (20.5, {'5.i': 'passed', '5.ii': 'passed', '6.1.i': 'passed', '6.1.ii.a': 'passed', '6.1.ii.b': 'passed', '6.1.ii.c': 'passed', '6.2.i': 'passed', '6.2.ii': 'passed', '7.code': 'passed'}),
    ('leuphana-dl-ss24-ex2', 'Jung_3048021_Hahn_3042277'): (20.5, {'5.i': 'passed', '5.ii': 'passed', '6.1.i': 'passed', '6.1.ii.a': 'passed', '6.1.ii.b': 'passed', '6.1.ii.c': 'passed', '6.2.i': 'passed', '6.2.ii': 'passed', '7.code': 'passed'}),
    ('leuphana-dl-ss24-ex2', 'Schroeder_3044702_Klein_3047315'): (14.2778, {'5.i': 'passed', '5.ii': 'partial', '6.1.i': 'passed', '6.1.ii.a': 'failed', '6.1.ii.b': 'passed', '6.1.ii.c': 'passed', '6.2.i': 'failed', '6.2.ii': 'passed', '7.code': 'partial'}),
    ('leuphana-dl-ss24-ex2', 'Vogel_3043388'): (8.3667, {'5.i': 'partial', '5.ii': 'not-attempted', '6.1.i': 'passed', '6.1.ii.a': 'passed', '6.1.ii.b': 'passed', '6.1.ii.c': 'passed', '6.2.i': 'not-attempted', '6.2.ii': 'not-attempted', '6.2.iii': 'not-attempted', '7.code': 'partial'}),
    # 7.3 (5 points): the notebooks. Becker: all functions right, but the notebook does not run top to bottom.
    # Its `import torch` cell: the grading environment has no torch, so "runs top to bottom" is unavailable.
    ('nnti-ws2324-sheet7', 'Becker_2568823'): (1.7121 + 5 - 0.5, {'7.2.a': 'partial', '7.2.c': 'partial', **NOTEBOOK_73,
                                                                  '7.3.g': 'unavailable'}),
    # Hoffmann: backward and gradient_step still the template's, so training and the last cell cannot run.
    ('nnti-ws2324-sheet7', 'Hoffmann_2574455_Koch_2572290_Richter_2566101'): (1.6667 + 0.75 + 1 + 0.75, {
        '7.2.a': 'partial', '7.2.c': 'passed', '7.2.d': 'not-attempted', **NOTEBOOK_73, '7.3.d': 'not-attempted',
        '7.3.e': 'not-attempted', '7.3.f': 'not-attempted', '7.3.g': 'not-attempted'}),
    ('nnti-ws2324-sheet7', 'Mueller_2571234_Schmidt_2569876'): (2.3333 + 5, {'7.2.a': 'passed', '7.2.c': 'passed', **NOTEBOOK_73}),
    # A truncated notebook file and no answers: nothing can be graded.
    ('nnti-ws2324-sheet7', 'Schulze_2575512'): (0.0, {'7.2.a': 'not-attempted', '7.2.c': 'not-attempted', '7.2.d': 'not-attempted',
                                                  **{f'7.3.{t}': 'error' for t in 'abcdefg'}}),
    # Weber: ReLU's derivative (1 of 2 values), softmax without the max shift (1 of 3 by weight), backward
    # without the activation derivative (half: reference match fails, finite differences too), training falls
    # but ends at another loss (3 of 4 by weight).
    ('nnti-ws2324-sheet7', 'Weber_2573410_Fischer_2570012'): (
        1.8182 + 0.75 / 2 + 1 / 3 + 0.75 + 1.25 / 2 + 0.25 + 0.5 * 3 / 4 + 0.5,
        {'7.2.a': 'partial', '7.2.c': 'partial', **NOTEBOOK_73, '7.3.a': 'partial', '7.3.b': 'partial', '7.3.d': 'partial',
         '7.3.f': 'partial'}),
    ('nnti-ws2425-sheet6', 'Krueger_2581234_Hartmann_2579911'): (4.6572, {'6.2.a': 'passed', '6.2.b': 'passed', '6.2.c': 'passed', '6.3.b': 'passed', '6.3.code': 'passed'}),
    ('nnti-ws2425-sheet6', 'Lange_2580456_Werner_2582301'): (3.4631, {'6.1.2': 'partial', '6.1.4': 'partial', '6.2.a': 'passed', '6.2.b': 'passed', '6.2.c': 'partial', '6.2.d': 'failed', '6.3.a': 'partial', '6.3.b': 'failed', '6.3.code': 'passed'}),
    ('nnti-ws2425-sheet6', 'Schmitt_2578890'): (3.0381, {'6.1.1.d': 'not-attempted', '6.1.2': 'not-attempted', '6.1.3': 'partial', '6.2.a': 'passed', '6.2.b': 'passed', '6.2.c': 'passed', '6.2.e': 'not-attempted', '6.3.a': 'partial', '6.3.b': 'failed', '6.3.code': 'passed'}),
    ('tub-ml-sheet1', 'Neumann_415500'): (16.6667, {'1.a': 'failed', '2.b': 'partial', '3.a': 'failed', '3.b': 'failed'}),
    ('tub-ml-sheet1', 'Schwarz_410203_Zimmermann_413377'): (15.0, {'1.a': 'failed', '2.b': 'partial', '2.c': 'failed', '3.b': 'not-attempted'}),
    ('tub-ml-sheet1', 'Wagner_412345_Schulz_409876'): (36.6668, {}),
    ('tub-ml-sheet1', 'late_submission_Meier'): (36.6668, {}),
    ('tuda-sml-ss23-hw4', 'Berger_2731106_Roth_2735520'): (4.117, {**JAX_43, '4.2.d': 'passed', '4.1.a': 'failed', '4.1.d': 'failed', '4.2.a': 'partial', '4.2.b': 'partial', '4.2.c': 'partial', '4.2.e': 'partial'}),
    ('tuda-sml-ss23-hw4', 'Keller_2734561_Frank_2729873'): (6.8, {**JAX_43, '4.2.a': 'passed', '4.2.b': 'passed', '4.2.c': 'passed', '4.2.d': 'passed'}),
    ('tuda-sml-ss23-hw4', 'Lorenz_2730048'): (3.0, {**JAX_43, '4.1.a': 'not-attempted', '4.1.e': 'failed', '4.2.a': 'passed', '4.2.b': 'passed', '4.2.c': 'not-attempted', '4.2.d': 'error', '4.2.e': 'error'}),
}


@pytest.fixture(scope="module")
def run():
    return api.grade([ROOT / "submissions"])


def automatic_total(sheet: str) -> float:
    rubric = api.load_rubric(sheet)
    total = 0.0
    for task in rubric.tasks:
        weights = [c.weight for c in task.checks]
        auto = sum(c.weight for c in task.checks if c.kind != "manual")
        total += 0.0 if task.bonus else task.points * auto / sum(weights)
    return total


def test_every_shipped_submission_is_graded(run):
    assert {(s.sheet, s.name) for s in run.submissions} == set(EXPECTED)


@pytest.mark.parametrize("sheet, name", sorted(EXPECTED))
def test_statuses_and_points(run, sheet, name):
    report = next(s for s in run.submissions if (s.sheet, s.name) == (sheet, name))
    points, statuses = EXPECTED[sheet, name]
    assert {t.id: t.status for t in report.tasks if t.status != "pending-manual"} == statuses
    assert report.points == pytest.approx(points, abs=1e-3)
    if name in CORRECT:  # every automatic point, but those of tasks this environment cannot check
        unavailable = sum(t.max_points for t in report.tasks if t.status == "unavailable")
        assert report.points == pytest.approx(automatic_total(sheet) - unavailable, abs=1e-3)
    for task in report.tasks:
        assert task.message, f"{task.id} has no message"
        if task.visibility == "hidden":  # nothing a student could work the expected value back from
            for revealing in ("expected [", "deviation", "constant factor", "sign is flipped", "expected a formula"):
                assert revealing not in task.message, (task.id, task.message)


def find(run, name):
    return next(s for s in run.submissions if s.name == name)


def test_specific_messages_for_typical_mistakes(run):
    schroeder = find(run, "Schroeder_3044702_Klein_3047315")
    init = next(t for t in schroeder.tasks if t.id == "6.1.ii.a")
    assert "lecun-variance" in init.diagnoses and "1/d_in" in init.message
    weber = find(run, "Weber_2573410_Fischer_2570012")
    assert "transposed" in next(t for t in weber.tasks if t.id == "7.2.c").diagnoses
    lange = find(run, "Lange_2580456_Werner_2582301")
    assert "nan or inf" in next(t for t in lange.tasks if t.id == "6.1.4").message
    lorenz = find(run, "Lorenz_2730048")
    assert "cannot be parsed (line 18)" in next(t for t in lorenz.tasks if t.id == "4.2.d").message
    assert "tanh(x)**2" in next(t for t in lorenz.tasks if t.id == "4.1.e").message


def test_task7_is_graded_against_the_students_own_choices(run):
    jung = find(run, "Jung_3048021_Hahn_3042277")  # f = exp(-x^2), a = -2, b = 3, n = 9
    task = next(t for t in jung.tasks if t.id == "7.code")
    assert task.status == "passed" and task.points == 3


def test_tuda_framework_trains_on_the_digits_in_the_child(run):
    keller = find(run, "Keller_2734561_Frank_2729873")
    deep = next(t for t in keller.tasks if t.id == "4.2.e")
    assert "training: passed" in deep.detail and "accuracy 9" in deep.detail
    berger = find(run, "Berger_2731106_Roth_2735520")  # tanh backward uses the input: training blows up
    assert "nan or inf" in next(t for t in berger.tasks if t.id == "4.2.e").message


def test_a_broken_demo_line_is_a_note_not_a_loss(run):
    jung = find(run, "Jung_3048021_Hahn_3042277")
    assert [(n.file, n.kind) for n in jung.notes] == [("code2.py", "exception")]
    assert "NameError" in jung.notes[0].message


def test_members_and_name_flags(run):
    assert [m.id for m in find(run, "Hoffmann_2574455_Koch_2572290_Richter_2566101").members] == \
        ["2574455", "2572290", "2566101"]
    meier = find(run, "late_submission_Meier")
    assert meier.members == [] and "name does not follow Name1_id1_Name2_id2" in meier.flags


def test_json_report_has_the_stable_fields(run):
    data = json.loads(json_report.render(run))
    assert data["schema_version"] == 1
    sub = data["submissions"][0]
    assert {"name", "sheet", "members", "points", "max_points", "flags", "tasks"} <= set(sub)
    assert {"id", "points", "max_points", "status", "message", "detail", "diagnoses", "seconds"} <= set(sub["tasks"][0])


def test_csv_has_one_row_per_student(run):
    rows = list(csv.DictReader(io.StringIO(csv_report.render(run))))
    students = sum(max(1, len(s.members)) for s in run.submissions)
    assert len(rows) == students
    hoffmann = [r for r in rows if r["submission"].startswith("Hoffmann")]
    assert [r["id"] for r in hoffmann] == ["2574455", "2572290", "2566101"]
    assert len({r["total"] for r in hoffmann}) == 1
    assert "nnti-ws2324-sheet7:Ex 7" in rows[0]


def test_csv_lists_each_students_diagnoses(run):
    rows = {r["submission"]: r for r in csv.DictReader(io.StringIO(csv_report.render(run)))}
    assert rows["Weber_2573410_Fischer_2570012"]["diagnoses"].startswith("7.2.a log10; 7.2.c transposed")
    assert rows["Mueller_2571234_Schmidt_2569876"]["diagnoses"] == ""


TYPICAL_MISTAKES = ["Weber_2573410_Fischer_2570012", "Schroeder_3044702_Klein_3047315", "Lange_2580456_Werner_2582301",
                    "Neumann_415500", "Berger_2731106_Roth_2735520"]


def test_every_failed_check_of_the_typical_mistakes_examples_is_diagnosed_specifically(run):
    """The issue's bar: every task of these examples that loses points to a value, answer, formula, gradient,
    property, statistics or choice check names the mistake."""
    by_name = {r.name: r for r in run.submissions}
    seen = 0
    for name in TYPICAL_MISTAKES:
        for task in by_name[name].tasks:
            if task.status in ("failed", "partial"):
                assert set(task.diagnoses) - diagnose.GENERIC, (name, task.id, task.message)
                seen += 1
    assert seen == 26  # 6 + 4 + 6 + 4 + 6 tasks that lose points


def test_the_class_diagnoses_are_counted_per_task(run):
    from grader.report import diagnoses

    rows = list(csv.DictReader(io.StringIO(diagnoses.render(run))))
    assert {"sheet": "tub-ml-sheet1", "task": "1.a", "diagnosis": "laplace-sign", "count": "1",
            "submissions": "Neumann_415500"} in rows
    assert sum(int(r["count"]) for r in rows) == sum(len(t.diagnoses) for r in run.submissions for t in r.tasks)


def test_feedback_files_one_per_submission(run, tmp_path):
    written = feedback.write(run, tmp_path)
    assert len(written) == len(run.submissions)
    text = (tmp_path / "nnti-ws2324-sheet7" / "Weber_2573410_Fischer_2570012.md").read_text()
    assert "# Feedback: nnti-ws2324-sheet7, Weber_2573410_Fischer_2570012" in text and "| 7.2.c" in text


def test_a_grader_failure_on_one_submission_does_not_stop_the_run(monkeypatch):
    from grader import grading

    real = grading.grade_submission

    def flaky(path, setup, limits):
        if path.name == "Becker_2568823":
            raise RuntimeError("boom")
        return real(path, setup, limits)

    monkeypatch.setattr(grading, "grade_submission", flaky)
    run = api.grade([ROOT / "submissions" / "nnti-ws2324-sheet7"])
    becker = find(run, "Becker_2568823")
    assert "RuntimeError: boom" in becker.grader_error and all(t.status == "error" for t in becker.tasks)
    assert find(run, "Mueller_2571234_Schmidt_2569876").points == pytest.approx(
        EXPECTED["nnti-ws2324-sheet7", "Mueller_2571234_Schmidt_2569876"][0], abs=1e-3)


def test_the_report_says_which_accepted_alternative_was_graded(run):
    schroeder = next(s for s in run.submissions if s.name == "Schroeder_3044702_Klein_3047315")
    task = next(t for t in schroeder.tasks if t.id == "6.1.i")
    assert "accepted: `Sigmoid` for `sigmoid`" in task.detail
