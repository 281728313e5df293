"""The `grade` command as users call it: exit codes, one-line errors, the key in both formats."""
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader import api
from grader.cli import main
from tests.conftest import BUILTIN, ROOT

runner = CliRunner()


def run(*args):
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("sheet", list(BUILTIN))
def test_key_table_for_every_sheet(sheet):
    result = run("key", sheet)
    assert result.exit_code == 0
    assert sheet in result.output
    assert "Given data" in result.output and "Expected values" in result.output


@pytest.mark.parametrize("sheet", list(BUILTIN))
def test_the_key_shows_a_hidden_tasks_values_only_when_asked(sheet):
    key = api.answer_key(sheet)
    assert key.hidden  # every built-in sheet has hidden tasks
    public = json.loads(run("key", sheet, "--json").output)
    everything = json.loads(run("key", sheet, "--json", "--hidden").output)
    assert set(everything) - set(public) == key.hidden and not key.hidden & set(public)
    table = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["key", sheet]).output
    assert table.count("(hidden: `grade key --hidden` shows it)") == len(key.hidden)
    shown = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["key", sheet, "--hidden"]).output
    assert "(hidden:" not in shown and f"{len(key.hidden)} expected values of hidden tasks" in shown


def test_key_json_sheet7_has_the_required_keys_and_values():
    result = run("key", "nnti-ws2324-sheet7", "--json", "--hidden")
    assert result.exit_code == 0
    key = json.loads(result.output)
    for name in ["7.2.x", "7.2.y", "7.2.W_hidden", "7.2.W_out", "7.2.z_hidden", "7.2.h", "7.2.z_out", "7.2.p",
                 "7.2.L1", "7.2.dL_dW_out", "7.2.dL_dW_hidden", "7.2.W_out_new", "7.2.W_hidden_new", "7.2.L2"]:
        assert name in key, name
    assert key["7.2.L1"] == pytest.approx(0.793, abs=5e-4)
    assert key["7.2.W_hidden"] == [[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]]
    assert len(key["7.2.dL_dW_hidden"]) == 2 and len(key["7.2.dL_dW_hidden"][0]) == 3


@pytest.mark.parametrize("sheet,names", [
    ("nnti-ws2425-sheet6", ["6.3.x", "6.3.W1", "6.3.W2", "6.3.h", "6.3.o", "6.3.predicted_class"]),
    ("leuphana-dl-ss24-ex2", ["5.s1", "5.x1", "5.s2", "5.x2", "5.E", "5.dE_dw1", "5.dE_db1", "5.dE_dw2", "5.dE_db2",
                              "7.lambda"]),
])
def test_key_json_has_the_named_keys(sheet, names):
    key = json.loads(run("key", sheet, "--json", "--hidden").output)
    assert all(name in key for name in names)
    assert all(not isinstance(v, dict) for v in key.values())  # flat


def test_key_json_leuphana_biases_are_vectors_and_lambda_solves_the_system():
    key = json.loads(run("key", "leuphana-dl-ss24-ex2", "--json", "--hidden").output)
    assert key["5.dE_db1"] and all(isinstance(v, float) for v in key["5.dE_db1"])
    lam, h = key["7.lambda"], key["7.h"]
    f = [sum(lam[j] * (i - j + 1) * h for j in range(i + 1)) for i in range(len(lam))]
    assert f == pytest.approx(key["7.f_"], abs=1e-12)


def test_key_json_formulas_are_strings():
    key = json.loads(run("key", "tub-ml-sheet1", "--json", "--hidden").output)
    assert key["1.a.dl_dmu"] == "sign(mu - t) / sigma"


def test_key_errors_are_one_line_with_exit_2():
    result = runner.invoke(main, ["key", "no-such-sheet"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: unknown sheet 'no-such-sheet'; known sheets:")
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["key", "--json"])
    assert result.exit_code == 2 and "--json prints one sheet" in result.output


def test_key_all_sheets_without_argument():
    result = run("key")
    assert result.exit_code == 0
    assert all(sheet in result.output for sheet in BUILTIN)


def test_rubric_check_passes_on_shipped_rubrics():
    result = run("rubric", "check", str(ROOT / "rubrics"))
    assert result.exit_code == 0
    assert "5 of 5 rubric files valid" in result.output


def test_rubric_check_reports_problems_and_exits_2(tmp_path):
    text = (ROOT / "rubrics" / "nnti-ws2324-sheet7.toml").read_text().replace('key = "7.2.L2"', 'key = "7.2.L9"')
    bad = tmp_path / "nnti-ws2324-sheet7.toml"
    bad.write_text(text)
    result = runner.invoke(main, ["rubric", "check", str(bad), str(ROOT / "rubrics" / "tub-ml-sheet1.toml")])
    assert result.exit_code == 2
    assert f"{bad}: task 7.2.d: checks[0].key: '7.2.L9' is not in the sheet's answer key" in result.output
    assert "1 of 2 rubric files valid, 1 problems" in result.output


def test_rubric_check_missing_path_is_a_usage_error(tmp_path):
    result = runner.invoke(main, ["rubric", "check", str(tmp_path / "nothing.toml")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_key_uses_a_course_rubric_that_replaces_the_built_in_one(tmp_path):
    text = (ROOT / "rubrics" / "nnti-ws2425-sheet6.toml").read_text()
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "nnti-ws2425-sheet6.toml").write_text(text.replace("x = [1.0, 2.0, 1.0]", "x = [1.0, 0.0, 0.0]"))
    key = json.loads(run("key", "nnti-ws2425-sheet6", "--json", "--hidden", "--course", str(tmp_path)).output)
    assert key["6.3.h"] == [2.0, 0.0]  # the tutor's own input: z1 = first row of W1 = (2, -1)


def test_python_dash_m_grader():
    out = subprocess.run([sys.executable, "-m", "grader", "key", "nnti-ws2324-sheet7", "--json", "--hidden"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout)["7.2.L2"] < json.loads(out.stdout)["7.2.L1"]


def test_grade_a_sheet_folder_writes_every_report(tmp_path):
    result = runner.invoke(main, [str(ROOT / "submissions" / "nnti-ws2324-sheet7"), "--json", str(tmp_path / "r.json"),
                                  "--csv", str(tmp_path / "r.csv"), "--feedback", str(tmp_path / "fb"),
                                  "--diagnoses", str(tmp_path / "d.csv")])
    assert result.exit_code == 0, result.output
    counts = (tmp_path / "d.csv").read_text().splitlines()
    assert counts[0] == "sheet,task,diagnosis,count,submissions"
    assert "nnti-ws2324-sheet7,7.2.a,log10,1,Weber_2573410_Fischer_2570012" in counts
    assert "Mueller_2571234_" in result.output and "Schmidt 2569876" in result.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["schema_version"] == 1 and len(data["submissions"]) == 5
    assert (tmp_path / "r.csv").read_text().count("\n") == 1 + 1 + 3 + 2 + 1 + 2  # header + one row per student
    assert len(list((tmp_path / "fb" / "nnti-ws2324-sheet7").glob("*.md"))) == 5


def test_run_is_the_default_command_and_details_show_tasks():
    result = run("run", str(ROOT / "submissions" / "nnti-ws2324-sheet7" / "Becker_2568823"), "--details")
    assert result.exit_code == 0 and "7.2.c" in result.output


@pytest.mark.parametrize("args, message", [
    (["no/such/folder"], "no such file or folder"),
    (["--sheet", "nope", "."], "unknown sheet 'nope'"),
])
def test_grade_usage_errors_are_one_line_with_exit_2(args, message, tmp_path):
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_folder_of_unknown_sheet_asks_for_sheet(tmp_path):
    (tmp_path / "Someone_1").mkdir()
    result = runner.invoke(main, [str(tmp_path / "Someone_1")])
    assert result.exit_code == 2 and "--sheet" in result.output


def test_python_m_grader_grades_a_single_py_file(tmp_path):
    folder = tmp_path / "leuphana-dl-ss24-ex2"
    folder.mkdir()
    source = ROOT / "submissions" / "leuphana-dl-ss24-ex2" / "Braun_3045821_Wolf_3046190" / "code2.py"
    (folder / "Braun_3045821.py").write_text(source.read_text())
    out = subprocess.run([sys.executable, "-m", "grader", str(folder), "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "r.json").read_text())["submissions"][0]
    statuses = {t["id"]: t["status"] for t in report["tasks"]}
    assert statuses["6.2.i"] == "passed" and statuses["5.i"] == "not-attempted"  # code only, no answers file


def test_resume_keeps_graded_submissions_and_grades_the_rest(tmp_path):
    sheet = ROOT / "submissions" / "nnti-ws2324-sheet7"
    report = tmp_path / "r.json"
    first = runner.invoke(main, [str(sheet / "Becker_2568823"), "--json", str(report)])
    assert first.exit_code == 0
    data = json.loads(report.read_text())
    data["submissions"][0]["tasks"][0]["detail"] = "kept"  # a kept result is not re-graded
    report.write_text(json.dumps(data))
    again = runner.invoke(main, [str(sheet), "--json", str(report), "--resume"])
    assert again.exit_code == 0, again.output
    subs = json.loads(report.read_text())["submissions"]
    assert len(subs) == 5 and [s["tasks"][0]["detail"] for s in subs if s["name"] == "Becker_2568823"] == ["kept"]


def test_resume_without_json_is_a_usage_error():
    result = runner.invoke(main, [str(ROOT / "submissions"), "--resume"])
    assert result.exit_code == 2 and "--resume needs --json" in result.output


def test_the_command_line_loads_the_library_only_when_a_command_needs_it():
    """`grade --version` and `--help` stay instant: the rubric models, numpy and the sheets load on first use."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, grader.cli; print(sorted(m for m in sys.modules if "
                             "m in ('grader.api', 'numpy', 'pydantic', 'grader.rubric')))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
    from importlib.metadata import version

    assert f"version {version('nngrade')}" in runner.invoke(main, ["--version"]).output
