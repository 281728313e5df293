"""Notebook submissions: reading and validating, running cells in the child like a kernel, budgets, feedback."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import notebook, sandbox
from grader.notebook import NotebookError


def write(path: Path, *cells, **metadata) -> Path:
    nb = new_notebook(cells=[new_code_cell(c) if isinstance(c, str) else c for c in cells])
    nb.metadata.update(metadata)
    nbformat.write(nb, path)
    return path


def run_notebook(path: Path, watch=None, cell_seconds=5.0, budget=20.0, figures=False, jobs=()):
    nb = notebook.read(path, "work.ipynb")
    spec = nb.worker_spec(watch or {})
    notebooks = sandbox.Notebooks({"work.ipynb": spec}, cell_seconds=cell_seconds, budget_seconds=budget,
                                  figures=figures)
    run = sandbox.run_child({}, list(jobs), {}, file_order=["work.ipynb"], aliases={}, notebooks=notebooks)
    return nb, run, {c["index"]: c for c in run.cells.get("work.ipynb", [])}


# --- reading -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, says", [
    ("{", "not a notebook (not valid JSON)"),
    ("", "not a notebook (not valid JSON)"),
    (json.dumps({"nbformat": 9, "nbformat_minor": 0, "metadata": {}, "cells": []}), "Unsupported nbformat version 9"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                 "cells": [{"cell_type": "code", "source": "x = 1", "outputs": []}]}), "is not a valid notebook"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}), "is not a valid notebook"),
])
def test_malformed_notebooks_get_one_line_that_names_the_problem(tmp_path, text, says):
    path = tmp_path / "work.ipynb"
    path.write_text(text)
    with pytest.raises(NotebookError) as err:
        notebook.read(path)
    message = str(err.value)
    assert says in message and "work.ipynb" in message and "\n" not in message


def test_binary_notebooks_are_refused(tmp_path):
    (tmp_path / "a.ipynb").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(NotebookError, match="not UTF-8"):
        notebook.read(tmp_path / "a.ipynb")


@pytest.mark.parametrize("kernelspec", [{"name": "bash", "display_name": "Bash", "language": "bash"},
                                        {"name": "ir", "display_name": "R", "language": "R"}])
def test_a_kernelspec_is_student_metadata_the_cells_run_as_python_and_the_report_says_so(tmp_path, kernelspec):
    nb = notebook.read(write(tmp_path / "n.ipynb", "x = 1", kernelspec=kernelspec))
    assert [c.source for c in nb.code_cells] == ["x = 1"]
    assert nb.notes == (f"n.ipynb: its metadata names a {kernelspec['language']} kernel; the cells were run as Python",)
    assert notebook.read(write(tmp_path / "p.ipynb", "x = 1")).notes == ()


def test_stored_outputs_never_count_against_the_size_limit(tmp_path):
    image = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (30 * 2**20)}}
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "y = 2", "outputs": [image]}
    pasted = {"cell_type": "markdown", "metadata": {}, "source": "![a](attachment:a.png)",
              "attachments": {"a.png": {"image/png": "B" * (5 * 2**20)}}}
    path = tmp_path / "plots.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell, pasted]}))
    assert path.stat().st_size > notebook.MAX_NOTEBOOK_BYTES
    nb = notebook.read(path)
    assert [c.source for c in nb.code_cells] == ["y = 2"] and nb.node.cells[0].outputs == []
    code = {**cell, "outputs": [], "source": "z = 0  # " + "c" * (21 * 2**20)}
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [code]}))
    with pytest.raises(NotebookError, match="MB of code and text .limit 20 MB, stored outputs not counted"):
        notebook.read(path)


def test_old_v3_notebooks_are_converted(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
          "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "outputs": [], "language": "python"}]}]}
    (tmp_path / "old.ipynb").write_text(json.dumps(v3))
    assert [c.source for c in notebook.read(tmp_path / "old.ipynb").code_cells] == ["x = 1"]


def test_magics_and_shell_escapes_become_python_calls(tmp_path):
    nb = notebook.read(write(tmp_path / "n.ipynb", "%matplotlib inline\n!pip install torch\nx = 1"))
    python = nb.code_cells[0].python
    assert "get_ipython().run_line_magic('matplotlib', 'inline')" in python
    assert "get_ipython().system('pip install torch')" in python and "x = 1" in python


def test_cells_are_named_by_tag_grade_id_or_first_comment(tmp_path):
    tagged = new_code_cell("a = 1", metadata={"tags": ["accuracy"]})
    graded = new_code_cell("b = 2", metadata={"nbgrader": {"grade_id": "train", "grade": True}})
    nb = notebook.read(write(tmp_path / "n.ipynb", tagged, graded, "# 7.3.f: the training loop\nc = 3",
                             "# 7.3.fx is another task\nd = 4", new_markdown_cell("# 7.3.f")))
    assert nb.find("accuracy").index == 1 and nb.find("train").index == 2
    assert nb.find("7.3.f").index == 3 and nb.find("7.3.F").index == 3  # not 4 (a longer id), not the markdown
    assert nb.find("nothing") is None


def test_a_script_for_a_notebook_is_cut_where_its_cells_would_be(tmp_path):
    script = tmp_path / "backprop.py"
    script.write_text("#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nimport numpy as np\n\n\n"
                      "# In[2]:\n\n\n# 7.3.f: train\nlosses = [3.0, 2.0]\nprint(f'final loss: {losses[-1]}')\n"
                      "# a trailing note\n\n# %% 7.3.g\n@staticmethod\ndef f(\n    x):\n    # inside\n\n    # a block\n"
                      "    return x\n")
    nb = notebook.from_script(script)
    assert nb.name == "backprop.py" and len(nb.code_cells) == 3
    assert nb.find("7.3.f").source.startswith("# 7.3.f: train") and "print" in nb.find("7.3.f").source
    assert nb.find("7.3.g").source.startswith("# %% 7.3.g\n@staticmethod")  # never cut inside a statement
    assert notebook.script_sections("def broken(:\n") == ["def broken(:\n"]


def test_guarded_code_of_a_notebook_runs_as_in_jupyter(tmp_path):
    path = write(tmp_path / "n.ipynb", "x = 1", "if __name__ == '__main__':\n    y = 2")
    _, run, cells = run_notebook(path)
    assert cells[2]["status"] == "ok" and cells[2]["names"] == ["y"]


# --- running ----------------------------------------------------------------------------------

def test_a_failing_cell_does_not_stop_the_later_ones(tmp_path):
    path = write(tmp_path / "n.ipynb", "import numpy as np\ndef f(x):\n    return 2 * x",
                 "# exploring\ny = f(2)\nundefined + 1\nz = 'never'", "w = f(21)")
    _, run, cells = run_notebook(path)
    assert cells[2]["status"] == "error" and cells[2]["error"].startswith("NameError") and cells[2]["line"] == 3
    assert "y" in cells[2]["names"] and "z" not in cells[2]["names"]  # the cell stops at its exception, like Jupyter
    assert cells[3]["status"] == "ok" and cells[3]["names"] == ["w"]
    assert run.loads[0]["log"] == [] and run.finished


def test_a_looping_notebook_costs_its_budget_once(tmp_path):
    loop = "while True:\n    pass"
    path = write(tmp_path / "n.ipynb", loop, loop, loop, "after = 1")
    _, run, cells = run_notebook(path, cell_seconds=0.6, budget=1.0)
    assert cells[1]["status"] == "timeout" and "0.6 s" in cells[1]["error"]
    assert cells[2]["status"] == "timeout"  # stopped when the budget ran out, before its own 0.6 s
    assert [cells[i]["status"] for i in (3, 4)] == ["skipped", "skipped"]
    assert "time budget of 1 s" in cells[4]["error"] and run.finished and not run.killed


def test_shell_escapes_and_installs_are_not_run_but_recorded(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path / "n.ipynb", f"!touch {marker}\n%pip install jax\n%conda install numpy\nfiles = !ls\nok = 1")
    _, _, cells = run_notebook(path)
    assert cells[1]["status"] == "ok" and not marker.exists()
    assert cells[1]["skipped"] == [f"!touch {marker}", "%pip install jax", "%conda install numpy", "!ls"]
    assert "ok" in cells[1]["names"]


def test_ipython_semantics_magics_display_await_and_results(tmp_path):
    path = write(tmp_path / "n.ipynb",
                 "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'\n%time t = 6 * 7",
                 "%%time\nu = t + 1",
                 "%timeit sum(range(10))",
                 "import asyncio\nawait asyncio.sleep(0)\nv = u * 2\nv",
                 "from IPython.display import display, Markdown\ndisplay(Markdown('hi'), 3)\nprint('acc: 93.5%')",
                 "get_ipython().run_line_magic('who', '')\nimport matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.show()")
    _, _, cells = run_notebook(path, figures=True)
    assert all(c["status"] == "ok" for c in cells.values()), [c["error"] for c in cells.values()]
    assert "t" in cells[1]["names"] and "u" in cells[2]["names"]
    assert cells[4]["result"] == 86 and cells[4]["result_text"] == "86"
    assert cells[5]["displayed"] == ["<Markdown>", "3"] and cells[5]["stdout"] == "acc: 93.5%\n"
    figure = cells[6]["figures"][0]
    assert figure["axes"] == 1 and figure["artists"] == 1 and figure["png"].startswith(b"\x89PNG")


def test_a_watched_name_is_read_right_after_its_cell(tmp_path):
    path = write(tmp_path / "n.ipynb", "acc = 0.5", "acc = 0.9", "acc = 'overwritten later'")
    _, _, cells = run_notebook(path, watch={2: ["acc", "missing.attr"]})
    assert cells[2]["watch"]["acc"] == 0.9
    assert isinstance(cells[2]["watch"]["missing.attr"], sandbox.Absent)


def test_functions_a_notebook_defines_are_graded_like_a_modules(tmp_path):
    path = write(tmp_path / "n.ipynb", "def double(x):\n    return 2 * x", "def broken(x):\n    return x / 0")
    jobs = [{"id": "a#0", "file": "work.ipynb", "timeout": 5.0, "observe": ["r"],
             "steps": [{"op": "call", "target": "double", "name": "r", "args": [21], "kwargs": {}}]},
            {"id": "b#0", "file": "work.ipynb", "timeout": 5.0, "observe": ["r"],
             "steps": [{"op": "call", "target": "broken", "name": "r", "args": [1], "kwargs": {}}]}]
    _, run, _ = run_notebook(path, jobs=jobs)
    assert run.jobs["a#0"]["observed"] == {"r": 42}
    assert run.jobs["b#0"]["status"] == "error" and (run.jobs["b#0"]["cell"], run.jobs["b#0"]["line"]) == (2, 2)
    assert run.jobs["b#0"]["error"].startswith("ZeroDivisionError")


def test_a_printing_loop_and_a_looping_repr_keep_their_time_limits(tmp_path):
    path = write(tmp_path / "n.ipynb", "while True:\n    print('x')",
                 "class Slow:\n    def __repr__(self):\n        while True:\n            pass\nSlow()",
                 "after = 1")
    _, run, cells = run_notebook(path, cell_seconds=0.5, budget=10.0)
    assert cells[1]["status"] == "timeout" and cells[1]["stdout"].startswith("x\nx\n")
    assert "took longer than 0.5 s" in cells[2]["late"]
    assert cells[3]["status"] == "ok" and run.finished and not run.killed


def test_a_watched_name_that_raises_and_odd_magics(tmp_path):
    path = write(tmp_path / "n.ipynb",
                 "class Net:\n    @property\n    def bad(self):\n        raise ValueError('no')\nnet = Net()",
                 "%%writefile helper.py\ndef triple(x):\n    return 3 * x",
                 "import helper\nt = helper.triple(2)",
                 "%run helper.py\nu = triple(3)",
                 "%cd /\n%env A=1",
                 "import IPython.core.pylabtools as p\nassert p.backend2gui == {}",
                 "len('silenced');  # a trailing ';' hides the result, as in IPython")
    _, _, cells = run_notebook(path, watch={1: ["net.bad"]})
    assert "raised ValueError: no" in cells[1]["watch"]["net.bad"].why
    assert [cells[i]["status"] for i in range(2, 8)] == ["ok"] * 6, [cells[i]["error"] for i in range(2, 8)]
    assert cells[5]["skipped"] == ["%cd /", "%env A=1"] and cells[7]["result_text"] is None


def test_figures_count_even_when_saving_fails_and_never_leak_into_later_cells(tmp_path):
    path = write(tmp_path / "n.ipynb", "import matplotlib.pyplot as plt",
                 "plt.plot([1, 2]); plt.title(r'$\\frac{1}$')", "plt.plot([3, 4])")
    for figures in (False, True):
        _, _, cells = run_notebook(path, figures=figures)
        assert cells[2]["figures"][0]["artists"] == 1 and cells[3]["figures"][0]["artists"] == 1
        assert (cells[2]["figures"][0]["png"] is None) and (cells[3]["figures"][0]["png"] is not None) == figures


def test_forged_cell_records_and_pictures_are_not_trusted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 1000
    (out / "blobs.bin").write_bytes(png + b"not a picture")
    figure = {"axes": 1, "artists": 1, "png": [0, len(png)]}
    records = [{"record": "cell", "file": "work.ipynb", "index": 2, "status": "ok",
                "figures": [figure, figure, {"axes": 1, "artists": 1, "png": [len(png), 13]},
                            {"axes": 1, "artists": 1, "png": [0, 10**9]}, {"axes": 1, "artists": 1, "png": "../x"}]},
               {"record": "cell", "file": "work.ipynb", "index": 2, "status": "error"},  # a repeat
               {"record": "cell", "file": "work.ipynb", "index": 9, "status": "ok"},  # not a code cell
               {"record": "cell", "file": "other.ipynb", "index": 1, "status": "ok"},  # not in the plan
               {"record": "cell", "file": ["unhashable"], "index": 1, "status": "ok"},
               {"record": "cell", "file": "work.ipynb", "index": 3, "status": "ok", "error": "bad \ud800 text"}]
    (out / "results.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    specs = {"work.ipynb": {"cells": [{"index": 2}, {"index": 3}]}}
    for figures, expected in ((True, [png, None, None, None, None]), (False, [None] * 5)):
        run = sandbox.ChildRun()
        sandbox._read_results(out, run, sandbox.Notebooks(specs, figures=figures))
        cells = {c["index"]: c for c in run.cells["work.ipynb"]}
        assert set(run.cells) == {"work.ipynb"} and set(cells) == {2, 3} and cells[2]["status"] == "ok"
        assert [f["png"] for f in cells[2]["figures"]] == expected  # each picture is read once
        assert cells[3]["error"] == "bad ? text"
    (out / "blobs.bin").unlink()
    (out / "blobs.bin").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_bytes(png)
    run = sandbox.ChildRun()
    sandbox._read_results(out, run, sandbox.Notebooks(specs, figures=True))
    assert run.cells["work.ipynb"][0]["figures"][0]["png"] is None  # a link the child left is not followed


def test_notebook_text_with_lone_surrogates_still_gives_a_report(tmp_path):
    folder = tmp_path / "nnti-ws2324-sheet7" / "Sur_6001"
    folder.mkdir(parents=True)
    text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "id": "a",
         "source": "# \ud800 comment\nraise ValueError('\ud800')"}]})
    (folder / "backprop.ipynb").write_text(text)
    from click.testing import CliRunner
    from grader.cli import main
    result = CliRunner().invoke(main, [str(folder.parent), "--json", str(tmp_path / "r.json"),
                                       "--feedback", str(tmp_path / "fb")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())["submissions"][0]
    assert report["notes"][0]["message"] == "ValueError: ?" and report["notes"][0]["source"] == "# ? comment"
    assert (tmp_path / "fb" / "nnti-ws2324-sheet7" / "Sur_6001.backprop.html").exists()


def test_validation_errors_name_the_cell(tmp_path):
    bad = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "ok", "id": "a"},
        {"cell_type": "code", "metadata": {}, "source": 5, "outputs": [], "execution_count": None, "id": "b"}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(bad))
    with pytest.raises(NotebookError, match=r"not a valid notebook \(cell 2: "):
        notebook.read(tmp_path / "n.ipynb")


def test_a_cell_with_hundreds_of_magics_is_not_handed_to_ipython(tmp_path):
    source = "x = !ls\n" * 400 + "y = 1\n" * 2000
    nb = notebook.read(write(tmp_path / "n.ipynb", source))
    assert nb.code_cells[0].python == source  # taken as plain Python: the child reports its SyntaxError


@pytest.mark.parametrize("source", ["%%time\n# 7.3.f: train the network\nlosses = train()",
                                    "%matplotlib inline\n\n# 7.3.f\nlosses = train()"])
def test_a_cell_magic_on_line_one_does_not_hide_the_comment_that_names_the_cell(source):
    cell = notebook.Cell(index=3, kind="code", source=source, python=source)
    assert cell.named("7.3.f") and cell.first_line.startswith("# 7.3.f")
    assert not notebook.Cell(index=3, kind="code", source="%%time\nlosses = train()", python="").named("7.3.f")
