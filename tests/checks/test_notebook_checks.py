"""runs, cell and figure: judged on the child's cell records and the parent's parsed notebook."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import notebook, sandbox
from grader.checks import NotebookRun, cell, figure, runs
from grader.rubric import CellCheck, FigureCheck, RunsCheck
from grader.sandbox import Absent
from tests.checks.helpers import context


def parsed(tmp_path, *sources):
    nb = new_notebook(cells=[new_markdown_cell("# intro")] + [new_code_cell(s) for s in sources])
    nbformat.write(nb, tmp_path / "work.ipynb")
    return notebook.read(tmp_path / "work.ipynb")


def record(index, status="ok", **kw):
    base = {"index": index, "status": status, "error": None, "line": None, "stdout": "", "displayed": [],
            "result": None, "result_text": None, "skipped": [], "names": [], "figures": [], "watch": {}}
    return {**base, **kw}


def run_of(nb, *records):
    return NotebookRun("work.ipynb", nb, {r["index"]: r for r in records})


RUNS = RunsCheck(kind="runs", file="work.ipynb")


def test_runs_passes_when_every_code_cell_ran_and_names_skipped_installs(tmp_path):
    nb = parsed(tmp_path, "!pip install torch", "x = 1")
    out = runs.judge(RUNS, context(notebook=run_of(nb, record(2, skipped=["!pip install torch"]), record(3))))
    assert out.status == "passed" and "all 2 code cells" in out.message and "!pip install torch" in out.message


def test_runs_names_the_first_failing_cell_by_index_and_first_line(tmp_path):
    nb = parsed(tmp_path, "x = 1", "\n# exploring\ny = undefined", "1/0")
    out = runs.judge(RUNS, context(notebook=run_of(
        nb, record(2), record(3, "error", error="NameError: name 'undefined' is not defined", line=3),
        record(4, "error", error="ZeroDivisionError: division by zero", line=1))))
    assert out.status == "failed" and out.score == 0
    assert out.message == ("the notebook does not run top to bottom: cell 3 (`# exploring`) raised NameError: "
                           "name 'undefined' is not defined (line 3); 1 more cell(s) failed")


def test_runs_reports_a_time_out_and_cells_the_killed_child_never_reached(tmp_path):
    nb = parsed(tmp_path, "while True: pass", "x = 1")
    out = runs.judge(RUNS, context(notebook=run_of(nb, record(2, "timeout", error="the cell ran longer than 10 s"))))
    assert out.status == "timeout" and "cell 2 (`while True: pass`): the cell ran longer than 10 s" in out.message
    killed = runs.judge(RUNS, context(notebook=run_of(nb), killed="the process was killed by SIGKILL"))
    assert "cell 2 (`while True: pass`) did not run: the process was killed by SIGKILL" in killed.message


def test_a_notebook_without_code_is_not_attempted(tmp_path):
    nb = parsed(tmp_path, "   ")
    out = runs.judge(RUNS, context(notebook=run_of(nb, record(2))))
    assert out.status == "not-attempted" and out.message == "work.ipynb has no code"


def test_runs_on_an_unusable_or_script_file(tmp_path):
    broken = NotebookRun("work.ipynb", problem="work.ipynb is not a notebook (not valid JSON)")
    assert runs.judge(RUNS, context(notebook=broken)).status == "error"
    script = NotebookRun("work.py", load={"log": [{"line": 4, "kind": "exception", "error": "NameError: x"}]})
    assert runs.judge(RUNS, context(notebook=script)).message == \
        "work.py does not run top to bottom: line 4: NameError: x"
    assert runs.judge(RUNS, context(notebook=NotebookRun("work.py", load={"log": []}))).status == "passed"


@pytest.mark.parametrize("text, number", [
    ("final loss: 0.2215\n", 0.2215), ("accuracy 93.5%", 0.935), ("epoch 100: loss=1e-3", 1e-3),
    ("no numbers here", None), ("-4.5 then 7", 7.0),
])
def test_the_last_printed_number_is_parsed_never_evaluated(text, number):
    assert cell.last_number(text) == (pytest.approx(number) if number is not None else None)


@pytest.mark.parametrize("text, number", [
    ("final loss: 0.2215 (after 100 epochs)", 0.2215),
    ("Final loss after 100 epochs: 0.2215", 0.2215),
    ("epoch 100/100 - loss 0.2215 - accuracy 0.9", 0.2215),
    ("loss went from 0.775 to 0.2215", 0.2215),  # the last number of what the label introduces
    ("loss[-1] = 0.2215", 0.2215), ("loss(100) = 0.2215", 0.2215), ("loss in layer 2: 0.2215", 0.2215),
    ("Loss: 2.3012 -> 0.2215", 0.2215), ("final loss: 0.2215, accuracy: 0.93", 0.2215),
    ("final loss: 0.2215 for learning rate 0.05", 0.2215), ("loss = 0.2215 with eta 0.05", 0.2215),
    ("loss (after 100 epochs): 0.2215 lr 0.05", 0.2215), ("Loss: 2.3012 → 0.2215", 0.2215),
    ("Loss: 2.3012 then 0.2215", 0.2215), ("loss: 2.3 and finally 0.2215", 0.2215), ("loss: 0.2 then 5.0", 5.0),
    ("done: 0.2215 after 100 epochs", 0.2215),  # no label: counts of epochs are never the reported value
    ("trained for 100 epochs", None),
])
def test_the_number_that_belongs_to_the_label_is_read(text, number):
    assert cell.last_number(text, ["loss"]) == (pytest.approx(number) if number is not None else None)


def cell_check(**kw):
    return CellCheck(kind="cell", file="work.ipynb", cell="train", what="the final loss", **kw)


def test_cell_output_compared_with_the_key_within_tolerance(tmp_path):
    nb = parsed(tmp_path, "# train\nprint(f'final loss: {loss:.4f}')")
    ctx = context(key={"loss": 0.22147}, notebook=run_of(nb, record(2, stdout="final loss: 0.2215\n")))
    assert cell.judge(cell_check(expect="loss", rtol=0.01), ctx).status == "passed"
    ctx = context(key={"loss": 0.5}, notebook=run_of(nb, record(2, stdout="final loss: 0.2215\n")))
    out = cell.judge(cell_check(expect="loss", rtol=0.01), ctx)
    assert out.status == "failed" and "printed by cell 2 (`# train`)" in out.message and "expected 0.5" in out.message
    hidden = cell.judge(cell_check(expect="loss", rtol=0.01), context(key={"loss": 0.5}, reveal=False,
                                                                   notebook=run_of(nb, record(2, stdout="0.2215"))))
    assert "0.5" not in hidden.message and "not correct" in hidden.message


def test_cell_result_variable_and_bounds(tmp_path):
    nb = parsed(tmp_path, "# train\nacc = evaluate()\nacc")
    result = run_of(nb, record(2, result=0.62, watch={"acc": 0.95, "gone": Absent("`gone` is not defined")}))
    low = cell.judge(cell_check(minimum=0.9), context(notebook=result))
    assert low.status == "failed" and "is 0.62 (the result of cell 2" in low.message and "at least 0.9" in low.message
    assert cell.judge(cell_check(minimum=0.9, variable="acc"), context(notebook=result)).status == "passed"
    gone = cell.judge(cell_check(minimum=0.9, variable="gone"), context(notebook=result))
    assert gone.status == "failed" and "`gone` is not defined" in gone.message
    plot_last = run_of(nb, record(2, result=sandbox.Unsupported("an object of type Line2D"), stdout="acc 0.93"))
    assert cell.judge(cell_check(minimum=0.9), context(notebook=plot_last)).message.startswith(
        "the final loss is 0.93 (printed by cell 2")  # a plot as the last line: the printed number counts
    silent = cell.judge(cell_check(maximum=1.0), context(notebook=run_of(nb, record(2))))
    assert "reports no number" in silent.message


def test_cell_not_found_or_not_run(tmp_path):
    nb = parsed(tmp_path, "x = 1")
    missing = cell.judge(cell_check(minimum=0), context(notebook=run_of(nb, record(2))))
    assert missing.status == "failed" and "no cell is named 'train'" in missing.message
    nb = parsed(tmp_path, "# train\nraise NotImplementedError")
    todo = cell.judge(cell_check(minimum=0), context(notebook=run_of(nb, record(2, "error", error="NotImplementedError"))))
    assert todo.status == "not-attempted" and "is not implemented yet" in todo.message


def test_figure_needs_something_drawn(tmp_path):
    nb = parsed(tmp_path, "# train\nplt.plot(losses)", "plt.figure()")
    check = FigureCheck(kind="figure", file="work.ipynb", cell="train", what="the loss curve")
    drawn = run_of(nb, record(2, figures=[{"axes": 1, "artists": 1, "png": None}]), record(3))
    assert figure.judge(check, context(notebook=drawn)).message == \
        "cell 2 (`# train`) draws the loss curve (1 axes, 1 plotted elements)"
    empty = run_of(nb, record(2, figures=[{"axes": 1, "artists": 0, "png": None}]), record(3))
    assert "nothing is plotted" in figure.judge(check, context(notebook=empty)).message
    anywhere = FigureCheck(kind="figure", file="work.ipynb")
    none = run_of(nb, record(2), record(3, figures=[{"axes": 0, "artists": 0, "png": None}]))
    assert figure.judge(anywhere, context(notebook=none)).message.startswith("the notebook makes a figure")
    assert figure.judge(anywhere, context(notebook=run_of(nb, record(2), record(3)))).status == "failed"


def test_cell_and_figure_checks_of_a_script_say_it_has_no_cells():
    script = context(notebook=NotebookRun("work.py", load={"log": []}))
    drawn = figure.judge(FigureCheck(kind="figure", file="work.ipynb", what="the loss curve"), script)
    assert drawn.status == "failed" and drawn.message == "the loss curve is checked in the notebook; work.py is a script"
    printed = cell.judge(CellCheck(kind="cell", file="work.ipynb", cell="train", minimum=0.0, what="the loss"), script)
    assert printed.status == "failed" and printed.message == \
        "the loss is read from the notebook cell 'train'; work.py is a script"


def test_a_notebook_stopped_by_the_templates_raise_is_not_attempted_and_any_real_error_is_a_failure(tmp_path):
    nb = parsed(tmp_path, "def train():\n    raise NotImplementedError", "train()", "x = 1 / 0")
    unfinished = record(3, "error", error="NotImplementedError ", line=1)
    untouched = runs.judge(RUNS, context(notebook=run_of(nb, record(2), unfinished, record(4))))
    assert untouched.status == "not-attempted" and "is not implemented yet: NotImplementedError" in untouched.message
    # a student's own mistake beside it is what the notebook fails on
    broken = runs.judge(RUNS, context(notebook=run_of(nb, record(2), unfinished,
                                                      record(4, "error", error="ZeroDivisionError: division by zero"))))
    assert broken.status == "failed"
    # the same for a script handed in for the notebook: its top-level statements are its cells
    script = NotebookRun("work.py", load={"log": [{"line": 7, "kind": "exception", "error": "NotImplementedError"}]})
    assert runs.judge(RUNS, context(notebook=script)).status == "not-attempted"
    mixed = NotebookRun("work.py", load={"log": [{"line": 7, "kind": "exception", "error": "NotImplementedError"},
                                                 {"line": 9, "kind": "exception", "error": "NameError: h"}]})
    assert runs.judge(RUNS, context(notebook=mixed)).status == "failed"
