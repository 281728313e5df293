"""Manual points: the tutors' CSV (`grade manual ... --template`), merged with `--manual`; totals include them;
overrides need a reason; a file with any problem is refused whole, with line numbers."""
import csv
import io

import pytest
from click.testing import CliRunner

from grader import api
from grader.cli import main
from grader.manual import manual_shares
from grader.report.models import RunReport
from tests.conftest import ROOT

SHEET6 = ROOT / "submissions" / "nnti-ws2425-sheet6"
ID = "nnti-ws2425-sheet6"


@pytest.fixture(scope="module")
def graded():
    return api.grade([SHEET6])


def filled(tmp_path, rows: dict[str, dict[str, str]], name: str = "m.csv"):
    result = CliRunner().invoke(main, ["manual", ID, str(SHEET6), "--template", str(tmp_path / name)])
    assert result.exit_code == 0 and "3 submission(s)" in result.output, result.output
    table = list(csv.DictReader(io.StringIO((tmp_path / name).read_text())))
    for row in table:
        row.update(rows.get(row["submission"], {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]))
    writer.writeheader()
    writer.writerows(table)
    (tmp_path / name).write_text(out.getvalue())
    return tmp_path / name


def test_the_template_has_a_column_per_manual_share(tmp_path):
    shares = manual_shares(api.load_rubric(ID))
    text = api.manual_template(ID, [SHEET6])
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["sheet", "submission", "members"] and header[-3:] == ["override", "reason", "comment"]
    assert header[3:-3] == [f"{task} (max {points:g})" for task, points in shares.items()]
    assert sum(shares.values()) == pytest.approx(sum(t.pending_points for t in api.grade(
        [SHEET6 / "Krueger_2581234_Hartmann_2579911"], sheet=ID).submissions[0].tasks))


def test_manual_points_and_overrides_merge_into_the_totals(tmp_path, graded):
    shares = manual_shares(api.load_rubric(ID))
    first, second = list(shares)[:2]
    file = filled(tmp_path, {"Krueger_2581234_Hartmann_2579911": {f"{first} (max {shares[first]:g})": str(shares[first]),
                                                                 "comment": "clean derivations"},
                             "Lange_2580456_Werner_2582301": {f"{second} (max {shares[second]:g})": "0.1",
                                                              "override": "6.3.b=0.25", "reason": "counted from 1, as "
                                                              "the lecture did"}})
    merged = {r.name: r for r in api.merge_manual(graded, file).submissions}
    before = {r.name: r for r in graded.submissions}
    krueger, lange = merged["Krueger_2581234_Hartmann_2579911"], merged["Lange_2580456_Werner_2582301"]
    assert krueger.points == pytest.approx(before[krueger.name].points + shares[first])
    assert "tutor: clean derivations" in krueger.flags
    task = next(t for t in lange.tasks if t.id == "6.3.b")
    assert task.points == 0.25 and "override: counted from 1" in task.detail
    assert lange.points == pytest.approx(before[lange.name].points + 0.1 + 0.25)
    assert merged["Schmitt_2578890"] == before["Schmitt_2578890"]


def test_a_file_with_any_problem_is_refused_whole_with_line_numbers(tmp_path, graded):
    shares = manual_shares(api.load_rubric(ID))
    first = list(shares)[0]
    file = filled(tmp_path, {"Krueger_2581234_Hartmann_2579911": {f"{first} (max {shares[first]:g})": "99"},
                             "Lange_2580456_Werner_2582301": {"override": "9.9=1", "reason": "x"}})
    with pytest.raises(api.UsageError) as caught:
        api.merge_manual(graded, file)
    message = str(caught.value)
    assert message.startswith(f"{file}: line 2: {first}: 99 is above the manual share's {shares[first]:g}")
    assert "line 3: override '9.9=1': nnti-ws2425-sheet6 has no task '9.9'" in message
    assert message.endswith("; nothing was merged") and "\n" not in message
    result = CliRunner().invoke(main, [str(SHEET6), "--manual", str(file), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and result.output.count("error:") == 1
    no_reason = filled(tmp_path, {"Lange_2580456_Werner_2582301": {"override": "6.3.b=0.25"}}, "n.csv")
    with pytest.raises(api.UsageError, match="line 3: an override needs a reason"):
        api.merge_manual(graded, no_reason)


def test_the_cli_merges_and_the_json_keeps_the_tutors_points(tmp_path):
    shares = manual_shares(api.load_rubric(ID))
    first = list(shares)[0]
    file = filled(tmp_path, {"Schmitt_2578890": {f"{first} (max {shares[first]:g})": "0.05"}})
    result = CliRunner().invoke(main, [str(SHEET6), "--manual", str(file), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    report = RunReport.model_validate_json((tmp_path / "r.json").read_text())
    schmitt = next(r for r in report.submissions if r.name == "Schmitt_2578890")
    assert schmitt.points == pytest.approx(3.0381 + 0.05)
