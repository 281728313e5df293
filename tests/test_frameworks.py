"""Work written with a deep-learning framework: unavailable with one line where the grading environment lacks
it, graded on its values where a course environment has it (tensors in and out, numpy probes retried as
tensors, the sheet's weights set as tensors)."""
import pytest

from grader import api
from tests.conftest import ROOT, course_python

TORCH_WORK = ROOT / "tests" / "frameworks" / "leuphana-dl-ss24-ex2"
CODE_TASKS = ["6.1.i", "6.1.ii.a", "6.1.ii.b", "6.1.ii.c", "6.2.i", "6.2.ii", "6.2.iii", "7.code"]
TORCH_TASKS = CODE_TASKS[:-1]  # Task 7's cells are numpy


def test_torch_work_without_torch_is_unavailable_with_one_line_never_a_cascade_of_name_errors():
    report = api.grade([TORCH_WORK]).submissions[0]
    tasks = {t.id: t for t in report.tasks}
    for task in TORCH_TASKS:
        assert tasks[task].status == "unavailable" and tasks[task].points == 0.0, task
        assert tasks[task].message.startswith("code2.ipynb imports torch, which the grading environment lacks")
        assert "--python" in tasks[task].message and "NameError" not in tasks[task].message
    assert tasks["7.code"].status == "passed"  # what the notebook's numpy code does is still graded
    assert tasks["5.i"].status == "passed" and tasks["5.ii"].status == "passed"  # the answers file is graded
    assert any(flag.startswith("code2.ipynb imports torch, which the grading environment lacks")
               for flag in report.flags)


@pytest.fixture(scope="module")
def torch_python(tmp_path_factory) -> str:
    """`pip install torch==2.13.0` takes the CPU build on this machine's disk."""
    return course_python(tmp_path_factory, "NNGRADE_TEST_TORCH_PYTHON", ["numpy", "matplotlib", "torch==2.13.0"],
                         "torch")


@pytest.mark.slow
def test_torch_work_is_graded_on_its_values_in_a_course_environment(torch_python):
    report = api.grade([TORCH_WORK], python=torch_python).submissions[0]
    tasks = {t.id: t for t in report.tasks}
    assert {task: tasks[task].status for task in CODE_TASKS} == {
        **{task: "passed" for task in CODE_TASKS}, "6.2.iii": "pending-manual"}, {t: tasks[t].message for t in CODE_TASKS}
    assert report.points == pytest.approx(20.5)
    assert all(not t.diagnoses for t in report.tasks)


def test_a_guarded_or_dead_import_cannot_hide_a_failure(tmp_path):
    """Only a top-level import that the child reports failing makes a task unavailable."""
    import shutil

    schroeder = ROOT / "submissions" / "leuphana-dl-ss24-ex2" / "Schroeder_3044702_Klein_3047315"
    folder = tmp_path / "leuphana-dl-ss24-ex2" / "Schroeder_3044702_Klein_3047315"
    shutil.copytree(schroeder, folder)
    with open(folder / "code2.py", "a") as fh:
        fh.write("\nif False:\n    import torch\ntry:\n    import jax\nexcept ImportError:\n    pass\n")
    with_dead = {t.id: (t.status, t.points) for t in api.grade([folder.parent]).submissions[0].tasks}
    plain = {t.id: (t.status, t.points) for t in api.grade([schroeder]).submissions[0].tasks}
    assert with_dead == plain and "unavailable" not in {s for s, _ in plain.values()}
