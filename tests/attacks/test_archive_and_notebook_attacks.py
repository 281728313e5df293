"""Archive and notebook tricks: refused or neutralised with one line, never executed in the parent."""
import json
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from grader import api, intake
from tests.conftest import ROOT

SHEET7 = "nnti-ws2324-sheet7"
CONTROL_NB = ROOT / "submissions" / SHEET7 / "Mueller_2571234_Schmidt_2569876" / "backprop.ipynb"


def grade_one(path: Path, sheet: str = SHEET7):
    return api.grade([path], sheet=sheet).submissions[0]


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(tmp_path):
    bomb = tmp_path / "Bomb_1000001.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("backprop.ipynb", b"\0" * (40 * 2**20))
    report = grade_one(bomb)
    assert "expands" in report.flags[-1] and "zip bomb" in report.flags[-1]
    assert all(t.status in ("error", "pending-manual") for t in report.tasks)


def test_a_zip_whose_sizes_lie_stops_at_the_real_limit(tmp_path):
    liar = tmp_path / "Liar_1000002.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", b"x" * (65 * 2**20))
    sub = intake.open_submission(liar, SHEET7, ["backprop.ipynb"])
    sub.cleanup()
    assert "larger than 64 MB" in sub.problem


def test_symlinks_devices_and_odd_names_in_a_zip(tmp_path):
    archive = tmp_path / "Odd_1000003.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("backprop.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        fifo = zipfile.ZipInfo("answers.toml")
        fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(fifo, "")
        zf.writestr("notes\u202egnp.py", "print('rtl')")
    sub = intake.open_submission(archive, SHEET7, ["backprop.ipynb"])
    try:
        assert "backprop.ipynb" not in sub.files  # the link was skipped, not followed
        assert all(p.is_file() and not p.is_symlink() for p in sub.files.values())
    finally:
        sub.cleanup()
    assert intake.printable("notes\u202egnp.py") == "notes\\u202egnp.py"


def test_a_name_with_a_right_to_left_override_is_shown_spelled_out(tmp_path):
    folder = tmp_path / SHEET7 / "Eve_1000004\u202etxt.exe"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_bytes(CONTROL_NB.read_bytes())
    report = grade_one(folder)
    assert report.name == "Eve_1000004\\u202etxt.exe" and "\u202e" not in report.model_dump_json()


def test_too_many_entries(tmp_path):
    archive = tmp_path / "Many_1000005.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(intake.MAX_ZIP_MEMBERS + 1):
            zf.writestr(f"f{i}.txt", "x")
    assert "entries (limit" in grade_one(archive).flags[-1]


def test_stored_outputs_and_metadata_never_count(tmp_path):
    """A template notebook dressed up as a finished one: passing outputs, nbgrader metadata, execution counts."""
    nb = nbformat.read(ROOT / "rubrics" / "files" / SHEET7 / "backprop.ipynb", as_version=4)
    for count, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        cell.outputs = [new_output("stream", name="stdout", text="all automatic checks passed\nfinal loss: 0.2215\n")]
        cell.metadata["nbgrader"] = {"grade": True, "points": 100, "grade_id": "7.3.f", "locked": True}
    folder = tmp_path / SHEET7 / "Fake_1000006"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "backprop.ipynb")
    report = grade_one(folder)
    assert report.points == 0 and {t.status for t in report.tasks if t.id.startswith("7.3.")} <= \
        {"not-attempted", "failed", "error"}


@pytest.mark.filterwarnings("ignore")  # nbformat warns per duplicated cell id while the test builds the notebook
@pytest.mark.parametrize("build, says", [
    (lambda: new_notebook(cells=[new_code_cell("x = 1")] * 100_000), "has 100000 cells (limit 2000)"),
    (lambda: new_notebook(cells=[new_code_cell("x = 1  # " + "y" * 25 * 2**20)]),
     "holds 25 MB of code and text (limit 20 MB"),
])
def test_huge_notebooks_are_refused_in_one_line(tmp_path, build, says):
    folder = tmp_path / SHEET7 / "Huge_1000007"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_text(json.dumps(build()))
    report = grade_one(folder)
    assert any(says in flag for flag in report.flags)
    assert all(t.status in ("error", "not-attempted", "pending-manual") for t in report.tasks)


def test_a_gradebook_cell_never_starts_a_formula():
    from grader.report import csv_report
    from grader.report.models import Member, RunReport, SubmissionReport

    evil = SubmissionReport(name="=HYPERLINK(\"http://x\")", sheet=SHEET7, points=1, max_points=2,
                            members=[Member(name="@SUM(A1)", id="1")], flags=["-2+3"])
    text = csv_report.render(RunReport(submissions=[evil]))
    row = text.splitlines()[1]
    assert "'=HYPERLINK" in row and "'@SUM(A1)" in row and "'-2+3" in row
