"""What a course's CI reads: JUnit XML and Gradescope's results.json, each valid against its consumer's schema;
GitHub annotations and the job summary; --fail-under; and tables in a CI log that keep every column."""
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner

from grader import api
from grader.cli import main
from grader.report import github, gradescope_report, junit_report
from tests.conftest import ROOT, hidden_values

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SHEET6 = ROOT / "submissions" / "nnti-ws2425-sheet6"
RIGHT, WRONG = SHEET6 / "Krueger_2581234_Hartmann_2579911", SHEET6 / "Lange_2580456_Werner_2582301"


@pytest.fixture(scope="module")
def run():
    return api.grade([SHEET6])


def test_junit_xml_validates_against_the_junit_schema_and_counts_every_task(run):
    text = junit_report.render(run)
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(text.encode())
    root = ET.fromstring(text.encode())
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {f"nnti-ws2425-sheet6/{r.name}" for r in run.submissions}
    for report in run.submissions:
        suite = suites[f"nnti-ws2425-sheet6/{report.name}"]
        cases = suite.findall("testcase")
        assert len(cases) == len(report.tasks) == int(suite.get("tests"))
        failed = [t for t in report.tasks if t.status in ("partial", "failed", "not-attempted")]
        assert int(suite.get("failures")) == len(failed) == sum(c.find("failure") is not None for c in cases)
        props = {p.get("name"): float(p.get("value")) for p in suite.iter("property")}
        assert props["points"] == pytest.approx(report.points, abs=1e-4)
        assert sum(props[f"{t.id}.points"] for t in report.tasks) == pytest.approx(report.points, abs=1e-3)


def test_gradescope_results_validate_against_the_specification_and_keep_hidden_values_out(tmp_path):
    single = api.grade([WRONG], sheet="nnti-ws2425-sheet6")
    results = json.loads(gradescope_report.render(single))
    jsonschema.validate(results, json.loads((SCHEMAS / "gradescope-results.schema.json").read_text()))
    report = single.submissions[0]
    assert results["score"] == pytest.approx(report.points, abs=1e-4)
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(report.points, abs=1e-3)
    visibility = {t["number"]: t["visibility"] for t in results["tests"]}
    assert {t.id for t in report.tasks if t.visibility == "hidden"} == {n for n, v in visibility.items()
                                                                        if v == "after_published"}
    text = json.dumps(results)
    leaked = [value for value in hidden_values("nnti-ws2425-sheet6") if value in text]
    assert not leaked
    with pytest.raises(api.UsageError, match="--gradescope writes one submission's results.json, but 3 were graded"):
        gradescope_report.render(api.grade([SHEET6]))


def test_the_cli_writes_both_files_and_fails_under_the_threshold(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, [str(RIGHT), "--sheet", "nnti-ws2425-sheet6", "--fail-under", "100",
                              "--junit", str(tmp_path / "r.xml"), "--gradescope", str(tmp_path / "results.json")])
    assert ok.exit_code == 0, ok.output
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(str(tmp_path / "r.xml"))
    assert json.loads((tmp_path / "results.json").read_text())["score"] == pytest.approx(4.6572)
    low = runner.invoke(main, [str(WRONG), "--sheet", "nnti-ws2425-sheet6", "--fail-under", "90"])
    assert low.exit_code == 1
    assert re.search(r"error: 1 submission\(s\) below 90 % of the checkable points: Lange_2580456_Werner_2582301 "
                     r"[\d.]+ %\n$", low.output)


def test_in_github_actions_failing_tasks_are_annotated_and_the_summary_is_written(tmp_path, monkeypatch, run):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    result = CliRunner().invoke(main, [str(WRONG), "--sheet", "nnti-ws2425-sheet6"])
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if line.startswith("::")]
    wrong = next(r for r in run.submissions if r.name == WRONG.name)
    not_passed = [t for t in wrong.tasks if t.status in github.NOT_PASSED]
    titled = [line for line in lines if ",title=nnti-ws2425-sheet6 Lange_2580456_Werner_2582301 " in line]
    assert len(titled) == len(not_passed) > 0  # one per task that did not pass, each a single line
    failed = next(t for t in not_passed if t.status == "failed")
    assert any(line.startswith("::error file=") and f"{failed.id}%3A 0/" in line for line in titled)
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## nngrade: nnti-ws2425-sheet6, Lange_2580456_Werner_2582301")
    assert "| task | points | status | feedback |" in summary


def test_workflow_commands_escape_what_github_would_read_as_syntax():
    from grader.report.models import RunReport, SubmissionReport, TaskResult

    task = TaskResult(id="1", points=0, max_points=1, status="failed", message="50% off:\nline, two")
    run = RunReport(submissions=[SubmissionReport(name="a,b:c", sheet="s", points=0, max_points=1, tasks=[task],
                                                  path="x")])
    (line,) = github.annotations(run)
    assert line.endswith("::50%25 off:%0Aline, two") and "title=s a%2Cb%3Ac 1%3A 0/1" in line


def test_a_ci_log_keeps_every_column_of_the_table(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = CliRunner().invoke(main, [str(WRONG), "--sheet", "nnti-ws2425-sheet6"])
    row = next(line for line in result.output.splitlines() if "Lange_2580456_Werner_2582301" in line)
    # submission, members, every exercise, total, %, flags: on one line, nothing folded
    assert re.search(r"Lange_2580456_Werner_2582301 .*Lange 2580456 .*\d+/\d+ .* 3\.46/\d+ .* \d+ ", row), row
    assert "pts pending tutor" in row


def workflow_commands() -> list[str]:
    """The `run:` steps of the README's workflow for a course repository, but the install (done here already)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text[text.index("### A course repository's CI"):], re.S).group(1)
    runs = [line.split("- run:", 1)[1].split("  #")[0].strip() for line in block.splitlines() if "- run:" in line]
    assert runs[0].startswith("pip install nngrade")
    return runs[1:]


@pytest.mark.parametrize("work, code", [(RIGHT, 0), (None, 1)])
def test_the_readmes_workflow_passes_finished_work_and_fails_an_empty_repository(tmp_path, work, code):
    import shlex
    import shutil
    import subprocess
    import sys

    repository = tmp_path / "sheet6-group-a"
    if work is None:
        repository.mkdir()
        (repository / "activations.py").write_text("def sigmoid(x):\n    raise NotImplementedError\n")
    else:
        shutil.copytree(work, repository)
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200",
           "NNGRADE_CACHE": str(tmp_path / "cache"), "CI": "true", "GITHUB_ACTIONS": "true",
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    for command in workflow_commands():
        done = subprocess.run(shlex.split(command), cwd=repository, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == code, done.stdout + done.stderr
        # a student's CI log: no hidden task's verdict, only "checked after the deadline"
        assert "6.3.b" not in "".join(l for l in done.stdout.splitlines() if l.startswith("::"))
    xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd")).validate(str(repository / "grades.xml"))
    skipped = ET.parse(repository / "grades.xml").getroot().findall(".//skipped")
    assert skipped and all(s.get("message") == "hidden: checked after the deadline" for s in skipped)


def test_an_annotation_points_at_the_line_where_the_students_code_raised(tmp_path, monkeypatch):
    import shutil

    work = tmp_path / "Raiser_1000001"
    shutil.copytree(RIGHT, work)
    source = (work / "activations.py").read_text()
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("def forward")) + 2
    lines.insert(at - 1, "    1 / 0")
    (work / "activations.py").write_text("\n".join(lines) + "\n")
    report = api.grade([work], sheet="nnti-ws2425-sheet6").submissions[0]
    task = next(t for t in report.tasks if t.id == "6.3.a")
    assert (task.status, task.file, task.line) == ("partial", "activations.py", at)  # its other check passes
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [str(work), "--sheet", "nnti-ws2425-sheet6"])
    assert any(line.startswith(f"::warning file=Raiser_1000001/activations.py,line={at},") and "6.3.a" in line
               for line in result.output.splitlines())
