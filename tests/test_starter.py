"""`grade template SHEET DIR`: a student's starting folder for every sheet. The starters define what the checks
call, import cleanly and grade as not attempted; a student who fills them in watches the self-check's score
rise to full marks."""
import ast
import shutil

import pytest

from grader import api
from tests.conftest import BUILTIN, ROOT, course_python
from tests.test_submissions import CORRECT

SUBMISSIONS = ROOT / "submissions"


def correct_example(sheet: str):
    return next(p for p in sorted((SUBMISSIONS / sheet).iterdir()) if p.name in CORRECT)


@pytest.mark.parametrize("sheet", list(BUILTIN))
def test_a_starting_folder_grades_as_not_attempted_and_rises_to_full_marks(sheet, tmp_path):
    work = tmp_path / sheet / "Student_1000001"
    written = {p.name for p in api.write_templates(sheet, work)}
    rubric = api.load_rubric(sheet)
    assert {name.rsplit("/", 1)[-1] for name in rubric.files} | {"README.md"} <= written
    for script in work.glob("*.py"):
        ast.parse(script.read_text())  # every starter is valid Python
    graded = api.grade([work], sheet=sheet).submissions[0]
    assert graded.points == 0
    assert {t.status for t in graded.tasks} <= {"not-attempted", "pending-manual", "unavailable"}, \
        [(t.id, t.status, t.message) for t in graded.tasks]
    start = api.self_check(work)
    assert start.sheet == sheet and start.points == 0
    for source in correct_example(sheet).iterdir():  # the student's work replaces the starters
        shutil.copy(source, work / source.name)
    done = api.self_check(work)
    assert done.points == pytest.approx(done.checkable, abs=1e-3)
    assert done.checkable == pytest.approx(start.checkable, abs=1e-3)


def test_the_answers_skeleton_lists_every_entry_graded_by_hand(tmp_path):
    api.write_templates("nnti-ws2324-sheet7", tmp_path)
    skeleton = (tmp_path / "answers.toml").read_text()
    rubric = api.load_rubric("nnti-ws2324-sheet7")
    graded = {c.key for t in rubric.tasks for c in t.checks if c.kind in ("answer", "expression", "choice")}
    assert graded and all(f'# "{key}" = ' in skeleton for key in graded)
    assert (tmp_path / "backprop.ipynb").read_bytes() == (ROOT / "rubrics" / "files" / "nnti-ws2324-sheet7" /
                                                          "backprop.ipynb").read_bytes()  # the course's own


TUDA = "tuda-sml-ss23-hw4"
KELLER = SUBMISSIONS / TUDA / "Keller_2734561_Frank_2729873"


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in cls.body if isinstance(node, ast.FunctionDef)}


def _notebook_code(path) -> ast.Module:
    import nbformat

    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    lines = [line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith("%")]
    return ast.parse("\n".join(lines))


def test_the_tuda_template_is_the_course_handout(tmp_path):
    """README of the sheets: nn_modules.py on the abstract classes, nn_model.py with the given constructor and no
    stub of a module, main.py, and the notebook's Flax layout; every body a student fills raises."""
    api.write_templates(TUDA, tmp_path)
    modules = _classes(ast.parse((tmp_path / "nn_modules.py").read_text()))
    bases = {name: [b.id for b in cls.bases] for name, cls in modules.items()}
    assert bases == {"LinearModule": ["NNModule"], "SoftMaxModule": ["NNModuleParameterFree"],
                     "TanhModule": ["NNModuleParameterFree"], "CrossEntropyLoss": ["LossModule"]}
    linear = _methods(modules["LinearModule"])
    assert set(linear) == {"__init__", "initialize_parameters", "fprop", "bprop", "get_batch_gradient_parameters",
                           "apply_parameter_updates"}
    assert [a.arg for a in linear["__init__"].args.args] == ["self", "number_input_neurons", "number_output_neurons"]
    assert {ast.unparse(n) for n in ast.walk(linear["__init__"]) if isinstance(n, ast.Assign)} >= \
        {"self.W = None", "self.b = None"}
    assert set(_methods(modules["CrossEntropyLoss"])) == {"calculate_loss", "calculate_loss_gradient"}

    model_tree = ast.parse((tmp_path / "nn_model.py").read_text())
    model_classes = _classes(model_tree)
    assert set(model_classes) == {"NNModel"}  # no stub of CrossEntropyLoss or any module
    model = _methods(model_classes["NNModel"])
    assert set(model) == {"__init__", "initialize_neural_network", "fprop", "bprop", "update_internal_parameters"}
    init = ast.unparse(model["__init__"])
    assert "self.nn_modules = []" in init and "self.bprop_buffer = {}" in init and "NotImplementedError" not in init

    main = (tmp_path / "main.py").read_text()
    assert "number_epochs = 100" in main and "batch_size = 100" in main
    assert api.load_rubric(TUDA).student_values["4.2.learning_rate"].name == "learning_rate"
    assert any(line.strip().startswith("learning_rate = 0.") for line in main.splitlines())
    assert "if __name__ == '__main__':" in main

    notebook = _classes(_notebook_code(tmp_path / "neural_network_jax.ipynb"))
    assert {"MLP", "CNN", "Model"} <= set(notebook)
    for network in ("MLP", "CNN"):
        assert [ast.unparse(b) for b in notebook[network].bases] == ["nn.Module"]
        assert "relu_as_activation: bool" in ast.unparse(notebook[network])
    assert {"__init__", "loss", "update_model", "accuracy"} <= set(_methods(notebook["Model"]))
    assert [a.arg for a in _methods(notebook["Model"])["__init__"].args.args] == \
        ["self", "network", "key", "learning_rate", "batch_size"]


def test_a_student_who_fills_the_handout_modules_is_graded_on_them(tmp_path):
    """The starter's nn_model.py defines no stand-in of CrossEntropyLoss: the modules a student writes in
    nn_modules.py are the ones graded, and with the model filled in too 4.2 has every automatic point."""
    work = tmp_path / TUDA / "Student_1000001"
    api.write_templates(TUDA, work)
    shutil.copy(KELLER / "nn_modules.py", work / "nn_modules.py")
    tasks = {t.id: t for t in api.grade([work], sheet=TUDA).submissions[0].tasks}
    assert [tasks[f"4.2.{t}"].status for t in "abc"] == ["passed"] * 3, [tasks[f"4.2.{t}"].message for t in "abc"]
    assert tasks["4.2.d"].status == "not-attempted"  # the template's NNModel is still to be written
    shutil.copy(KELLER / "nn_model.py", work / "nn_model.py")
    tasks = {t.id: t for t in api.grade([work], sheet=TUDA).submissions[0].tasks}
    for task in "abcde":
        done = tasks[f"4.2.{task}"]
        assert done.status in ("passed", "pending-manual") and "all automatic checks passed" in done.message, \
            (task, done.status, done.message)


@pytest.mark.slow
def test_the_tuda_notebook_filled_in_has_every_point_of_4_3(tmp_path, tmp_path_factory):
    """With jax, flax and optax: the template's ToDo cells grade as not attempted, and the template with the
    correct example's MLP, CNN and Model written into its cells (its data, training and plotting cells kept) passes."""
    import nbformat

    python = course_python(tmp_path_factory, "NNGRADE_TEST_JAX_PYTHON", ["numpy", "jax", "flax", "optax", "matplotlib"],
                           "jax and flax")
    work = tmp_path / TUDA / "Student_1000001"
    api.write_templates(TUDA, work)
    graded = api.grade([work], sheet=TUDA, python=python).submissions[0]
    assert {t.status for t in graded.tasks if t.id.startswith("4.3")} == {"not-attempted"}
    keller = nbformat.read(KELLER / "neural_network_jax.ipynb", as_version=4)
    template = nbformat.read(work / "neural_network_jax.ipynb", as_version=4)
    for name in ("class MLP", "class CNN", "class Model"):
        solved = next(c.source for c in keller.cells if name in c.source)
        next(c for c in template.cells if c.cell_type == "code" and name in c.source).source = \
            solved[solved.index(name):]
    nbformat.write(template, work / "neural_network_jax.ipynb")
    graded = api.grade([work], sheet=TUDA, python=python).submissions[0]
    assert [t.status for t in graded.tasks if t.id.startswith("4.3")] == ["passed"] * 5, \
        [(t.id, t.message) for t in graded.tasks if t.id.startswith("4.3")]
    assert not any(note.file == "neural_network_jax.ipynb" for note in graded.notes)  # every cell ran
