"""The HTML feedback page every submission gets, scripts and answers files too: every task's verdict and
diagnosis, student text escaped, no hidden expected value."""
from html.parser import HTMLParser

from click.testing import CliRunner

from grader.cli import main
from grader.report import feedback_html
from grader.report.models import SubmissionReport, TaskResult
from tests.conftest import ROOT, hidden_values

LANGE = ROOT / "submissions" / "nnti-ws2425-sheet6" / "Lange_2580456_Werner_2582301"


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_a_script_submission_gets_a_page_with_every_verdict_and_diagnosis(tmp_path):
    result = CliRunner().invoke(main, [str(LANGE), "--sheet", "nnti-ws2425-sheet6", "--feedback", str(tmp_path),
                                       "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "nnti-ws2425-sheet6" / "Lange_2580456_Werner_2582301.html").read_text()
    from grader.report.models import RunReport
    report = RunReport.model_validate_json((tmp_path / "r.json").read_text()).submissions[0]
    parsed = Cells()
    parsed.feed(page)
    text = " ".join(parsed.text)
    for task in report.tasks:
        assert task.id in text and task.status in text
        if task.visibility == "public":
            assert all(d in text for d in task.diagnoses)
    assert any(t.diagnoses for t in report.tasks if t.visibility == "public")
    # a hidden task's diagnosis names (sign-flip says the answer is the negative) stay with the tutor
    hidden = {d for t in report.tasks if t.visibility == "hidden" for d in t.diagnoses}
    assert hidden and not [d for d in hidden if f"diagnosis: {d}" in page or f", {d}" in page]
    assert not [v for v in hidden_values("nnti-ws2425-sheet6") if v in page]


def test_student_text_is_never_markup():
    task = TaskResult(id="1", points=0, max_points=1, status="failed", message="<script>alert(1)</script> & more")
    report = SubmissionReport(name="<b>x</b>", sheet="s", points=0, max_points=1, tasks=[task], flags=["<img src=x>"])
    page = feedback_html.render(report)
    parsed = Cells()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
