"""A file handed in under another name is graded as the work only where it defines what a task needs."""
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import api
from tests.conftest import ROOT

SHEET7 = ROOT / "submissions" / "nnti-ws2324-sheet7" / "Mueller_2571234_Schmidt_2569876"
NOTEBOOK_TASKS = [f"7.3.{t}" for t in "abcdefg"]


def submission(tmp_path, sheet, name, files: dict):
    folder = tmp_path / sheet / name
    folder.mkdir(parents=True)
    for file, content in files.items():
        target = folder / file
        if hasattr(content, "read_bytes"):
            shutil.copyfile(content, target)
        elif isinstance(content, str):
            target.write_text(content)
        else:
            nbformat.write(content, target)
    return folder


def tasks(folder):
    report = api.grade([folder.parent])
    return {t.id: t for t in report.submissions[0].tasks}, report.submissions[0]


UNRELATED = new_notebook(cells=[new_code_cell("import numpy as np\nrng = np.random.default_rng(0)"),
                                new_code_cell("print(rng.normal(size=3).sum())")])


@pytest.mark.parametrize("with_answers", [True, False])
def test_a_stand_in_that_defines_nothing_the_tasks_need_earns_nothing_not_even_runs(tmp_path, with_answers):
    files = {"scratch.ipynb": UNRELATED}
    if with_answers:
        files["answers.toml"] = SHEET7 / "answers.toml"
    found, sub = tasks(submission(tmp_path, "nnti-ws2324-sheet7", "Neu_2599999", files))
    assert any("graded from scratch.ipynb" in f for f in sub.flags)
    for task in NOTEBOOK_TASKS:
        assert found[task].points == 0.0 and found[task].status == "error", task
        assert "defines none of what this task needs" in found[task].message
    assert (found["7.2.a"].status == "passed") is with_answers


def test_the_work_under_another_name_is_graded_in_full(tmp_path):
    folder = submission(tmp_path, "nnti-ws2324-sheet7", "Neu_2599998",
                        {"meine_loesung.ipynb": SHEET7 / "backprop.ipynb", "answers.toml": SHEET7 / "answers.toml"})
    found, _ = tasks(folder)
    assert all(found[t].status == "passed" for t in NOTEBOOK_TASKS), {t: found[t].message for t in NOTEBOOK_TASKS}


def test_a_lone_script_beside_an_answers_file_stands_in_like_a_lone_script(tmp_path):
    leuphana = ROOT / "submissions" / "leuphana-dl-ss24-ex2" / "Braun_3045821_Wolf_3046190"
    folder = submission(tmp_path, "leuphana-dl-ss24-ex2", "Neu_3099999",
                        {"exercise2.py": leuphana / "code2.py", "answers.toml": leuphana / "answers.toml"})
    found, sub = tasks(folder)
    assert any("code2.py graded from exercise2.py" in f for f in sub.flags)
    assert found["6.1.i"].status == "passed" and found["7.code"].status == "passed"


def test_a_submissions_own_copy_of_a_course_file_is_flagged_and_not_used(tmp_path):
    """The course's experiment.py trains the model; a student's own copy cannot change how it is graded."""
    keller = ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"
    folder = submission(tmp_path, "tuda-sml-ss23-hw4", "Neu_2799998",
                        {"nn_modules.py": keller / "nn_modules.py", "answers.toml": keller / "answers.toml",
                         "nn_model.py": "class NNModel:\n    def __init__(self, specs):\n        self.nn_modules = []\n"
                                        "    def initialize_neural_network(self):\n        pass\n"
                                        "    def fprop(self, x):\n        return x\n",
                         "experiment.py": "def train(model, loss, x, t, *args):\n    return model, [2.3, 0.5]\n"})
    found, sub = tasks(folder)
    assert "experiment.py differs from the course's copy, which was used instead" in sub.flags
    assert found["4.2.d"].points == 0.0 and found["4.2.e"].points < 0.5
