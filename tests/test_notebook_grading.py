"""Notebooks end to end: graded like scripts, the template, HTML feedback, the course's interpreter."""
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from grader import api
from grader.cli import main
from grader.environment import EnvironmentProblem, probe
from tests.conftest import ROOT, RUBRICS

SHEET7 = ROOT / "submissions" / "nnti-ws2324-sheet7"
LEUPHANA = ROOT / "submissions" / "leuphana-dl-ss24-ex2"
runner = CliRunner()


def as_notebook(script: Path, target: Path) -> None:
    """A student's script split into one cell per top-level statement, as a notebook would hold it."""
    source = script.read_text()
    lines = source.splitlines()
    cells = [new_code_cell("\n".join(lines[node.lineno - 1 - len(node.decorator_list if hasattr(node, "decorator_list") else []):node.end_lineno]))
             for node in ast.parse(source).body]
    nbformat.write(new_notebook(cells=cells), target)


def statuses(report) -> dict[str, str]:
    return {t.id: t.status for t in report.tasks}


def test_code2_work_handed_in_as_a_notebook_grades_like_the_script(tmp_path):
    sheet = tmp_path / "leuphana-dl-ss24-ex2"
    for name in ("Braun_3045821_Wolf_3046190", "Schroeder_3044702_Klein_3047315"):
        folder = sheet / name
        folder.mkdir(parents=True)
        shutil.copy(LEUPHANA / name / "answers.toml", folder)
        as_notebook(LEUPHANA / name / "code2.py", folder / "my_solution.ipynb")
    notebooks = {r.name: r for r in api.grade([sheet]).submissions}
    scripts = {r.name: r for r in api.grade([LEUPHANA / n for n in notebooks], sheet="leuphana-dl-ss24-ex2").submissions}
    for name, report in notebooks.items():
        expected = statuses(scripts[name])
        why = {t.id: t.message for t in report.tasks if t.status != expected.get(t.id)}
        assert statuses(report) == statuses(scripts[name]), (report.flags, why)
        assert report.points == pytest.approx(scripts[name].points)
        assert "code2.py graded from my_solution.ipynb" in report.flags


def test_one_file_of_a_multi_file_sheet_handed_in_as_a_notebook(tmp_path):
    """nn_model.ipynb beside nn_modules.py: the notebook's checks still find the classes of the scripts."""
    tuda = ROOT / "submissions" / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"
    folder = tmp_path / "tuda-sml-ss23-hw4" / "Keller_2734561_Frank_2729873"
    folder.mkdir(parents=True)
    for name in ("nn_modules.py", "answers.toml"):
        shutil.copy(tuda / name, folder)
    as_notebook(tuda / "nn_model.py", folder / "nn_model.ipynb")
    script = api.grade([tuda]).submissions[0]
    notebook = api.grade([folder]).submissions[0]
    assert statuses(notebook) == statuses(script) and notebook.points == pytest.approx(script.points)
    assert "nn_model.py graded from nn_model.ipynb" in notebook.flags


def test_the_shipped_template_runs_and_is_graded_as_not_attempted(tmp_path):
    result = runner.invoke(main, ["template", "nnti-ws2324-sheet7", "--out", str(tmp_path / "Lang_2570001")])
    assert result.exit_code == 0 and "backprop.ipynb" in result.output
    nbformat.validate(nbformat.read(tmp_path / "Lang_2570001" / "backprop.ipynb", as_version=4))
    report = api.grade([tmp_path / "Lang_2570001"], sheet="nnti-ws2324-sheet7").submissions[0]
    got = statuses(report)
    # 7.3.g too: the notebook stops at the template's own `raise NotImplementedError`
    assert {got[f"7.3.{t}"] for t in "abcdefg"} == {"not-attempted"}
    assert report.points == 0


def test_html_feedback_shows_work_outputs_and_verdicts_in_place(tmp_path):
    folder = tmp_path / "nnti-ws2324-sheet7" / "Ost_2570002"
    folder.mkdir(parents=True)
    nb = nbformat.read(SHEET7 / "Weber_2573410_Fischer_2570012" / "backprop.ipynb", as_version=4)
    nb.cells.insert(1, new_markdown_cell('My notes <script>alert("x")</script> <img src=x onerror=alert(1)>'))
    nb.cells.insert(2, new_raw_cell('<script>alert("raw")</script>', metadata={"format": "text/html"}))
    nb.cells.insert(3, new_markdown_cell("[click](javascript:alert(1)) ![i](data:text/html,x) [r][ref] &#106;avascript:"
                                         "\n\n[ref]: JavaScript:alert(2)\n\n`a < b` is code"))
    nbformat.write(nb, folder / "backprop.ipynb")
    result = runner.invoke(main, [str(folder.parent), "--feedback", str(tmp_path / "fb")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "fb" / "nnti-ws2324-sheet7" / "Ost_2570002.backprop.html").read_text()
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;alert" in page
    links = re.findall(r'(?:href|src)="([^"]*)"', page)
    live = [u for u in links if re.match(r"\s*(javascript|data|vbscript)\s*:", u, re.I)]
    assert [u[:22] for u in live] == ["data:image/png;base64,"]  # our figure; the student's links are dead
    assert "<code>a &lt; b</code>" in page  # code spans show what the student wrote
    relu, verdict, softmax = (page.index(s) for s in ("leaky_relu_grad</span>", "Grader, task 7.3.a", "softmax</span>"))
    assert relu < verdict < softmax  # the verdict follows the cell that defines the function
    assert page.index("Grader, task 7.3.f") > page.index("final loss: 0.0639")  # after the named training cell
    assert "data:image/png;base64," in page and "0.38 of 0.75 points (partial)" in page
    assert (tmp_path / "fb" / "nnti-ws2324-sheet7" / "Ost_2570002.md").exists()


def test_a_task_needing_modules_the_environment_lacks_is_unavailable_not_failed(tmp_path):
    text = (RUBRICS / "nnti-ws2324-sheet7.toml").read_text().replace(
        'id = "7.3.d"', 'id = "7.3.d"\nrequires = ["no_such_module_nngrade"]')
    rubrics = tmp_path / "rubrics"
    shutil.copytree(RUBRICS, rubrics)
    (rubrics / "nnti-ws2324-sheet7.toml").write_text(text)
    report = api.grade([SHEET7 / "Mueller_2571234_Schmidt_2569876"], course=[tmp_path]).submissions[0]
    task = next(t for t in report.tasks if t.id == "7.3.d")
    assert (task.status, task.points, task.pending_points) == ("unavailable", 0.0, 1.25)
    assert "needs no_such_module_nngrade" in task.message and "--python" in task.message
    assert report.points == pytest.approx(2.3333 + 5 - 1.25, abs=1e-3)


def test_an_unusable_interpreter_is_one_clear_line(tmp_path):
    with pytest.raises(EnvironmentProblem, match="no such interpreter"):
        probe(str(tmp_path / "nope"), ())
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True)
    bare = tmp_path / "bare" / "bin" / "python"
    with pytest.raises(EnvironmentProblem, match="has no numpy"):
        probe(str(bare), ())
    broken = tmp_path / "broken"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(broken)], check=True)
    site = next((broken / "lib").glob("python3*/site-packages"))
    (site / "numpy").mkdir()
    (site / "numpy" / "__init__.py").write_text("raise ImportError('half-installed')")
    with pytest.raises(EnvironmentProblem, match="numpy does not import .ImportError: half-installed"):
        probe(str(broken / "bin" / "python"), ())
    result = runner.invoke(main, [str(SHEET7), "--python", str(tmp_path / "nope")])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "no such interpreter" in result.output


def _python310() -> str | None:
    for candidate in ("python3.10", "/root/.pyenv/versions/3.10.13/bin/python"):
        found = shutil.which(candidate)
        if found and subprocess.run([found, "-c", "import sys; assert sys.version_info[:2] == (3, 10)"],
                                    capture_output=True).returncode == 0:
            return found
    return None


@pytest.mark.slow
@pytest.mark.skipif(_python310() is None, reason="no Python 3.10 on this machine")
def test_student_code_runs_in_a_course_interpreter_on_python_310(tmp_path):
    """The child side runs on Python 3.10 with nothing but numpy (no IPython, no grader), and plots with
    a matplotlib older than 3.9, which asks IPython for its GUI backend."""
    subprocess.run([_python310(), "-m", "venv", str(tmp_path / "course")], check=True)
    python = tmp_path / "course" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "numpy"], check=True)
    mueller = SHEET7 / "Mueller_2571234_Schmidt_2569876"
    got = statuses(api.grade([mueller], python=str(python)).submissions[0])
    assert {got[f"7.3.{t}"] for t in "abcde"} == {"passed"}
    assert got["7.3.g"] == "failed"  # no matplotlib: the import cell fails
    subprocess.run([str(python), "-m", "pip", "install", "-q", "matplotlib<3.9"], check=True)
    got = statuses(api.grade([mueller], python=str(python)).submissions[0])
    assert {got[f"7.3.{t}"] for t in "abcdefg"} == {"passed"}
