"""The class report (`grade --report DIR`): one offline HTML page for the course staff with each sheet's points,
task pass rates, frequent diagnoses, the submissions a tutor must look at and the entries not graded. The values
asserted here are worked out by hand from the run built below; a real browser shows the page with its charts."""
import base64
import io
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from grader.report import class_report
from grader.report.models import Lateness, Member, NotGraded, RunReport, SheetOrigin, SubmissionReport, TaskResult

HOSTILE = "<script>alert(1)</script>"
TRANSPOSED = "W_out gradient transposed"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def task(id: str, got: float, most: float, status: str, *diagnoses: str) -> TaskResult:
    return TaskResult(id=id, title=f"task {id}", points=got, max_points=most, status=status, message="",
                      diagnoses=list(diagnoses))


def submission(name: str, sheet: str, tasks: list[TaskResult], got: float, most: float, **fields) -> SubmissionReport:
    return SubmissionReport(name=name, sheet=sheet, tasks=tasks, points=got, max_points=most, **fields)


def a_run() -> RunReport:
    """Sheet A (tasks 1.1, 1.2, 2 worth 2, 3 and 5 points) and sheet B (tasks 1 and 2, worth 4 and 1)."""
    late = Lateness(hours=26.5, days=2, percent=20, deduction=1, policy="10 % per started day")
    sheet_a = [
        submission("Alpha_1_Beta_2", "sheet-a", [task("1.1", 2, 2, "passed"), task("1.2", 0, 3, "failed", TRANSPOSED),
                                                 task("2", 5, 5, "passed")], 7, 10,
                   members=[Member(name="Alpha", id="1"), Member(name="Beta", id="2")]),
        submission("Gamma_3", "sheet-a", [task("1.1", 2, 2, "passed"), task("1.2", 0, 3, "failed", TRANSPOSED),
                                          task("2", 3, 5, "partial", "bias summed over the wrong axis")], 4, 10,
                   members=[Member(name="Gamma", id="3")], late=late),
        submission(HOSTILE, "sheet-a", [task("1.1", 0, 2, "failed"), task("1.2", 0, 3, "failed", TRANSPOSED),
                                        task("2", 0, 5, "timeout")], 0, 10,
                   flags=["name does not follow Name1_id1_Name2_id2"]),
        submission("Delta_4", "sheet-a", [task("1.1", 2, 2, "passed"), task("1.2", 3, 3, "passed"),
                                          task("2", 5, 5, "passed")], 10, 10),
        submission("Eps_5", "sheet-a", [], 0, 10, grader_error="the worker's record could not be read"),
    ]
    sheet_b = [
        submission("Alpha_1_Beta_2", "sheet-b", [task("1", 4, 4, "passed"), task("2", 0, 1, "error")], 4, 5,
                   members=[Member(name="Alpha", id="1"), Member(name="Beta", id="2")]),
        submission("Zeta_6", "sheet-b", [task("1", 2, 4, "partial", "sign flipped"), task("2", 1, 1, "passed")], 3, 5,
                   flags=["for manual grading: scan.pdf"]),
    ]
    return RunReport(grader_version="0.1.0", reused=2, submissions=sheet_a + sheet_b,
                     sheets=[SheetOrigin(id=s, origin="built-in") for s in ("sheet-a", "sheet-b")],
                     not_graded=[NotGraded(path="uploads/Gamma_3 (1)", reason="an older upload of Gamma_3")])


class Page(HTMLParser):
    """The page's text, its tags, its images and its tables (rows of cell texts)."""

    def __init__(self, html: str):
        super().__init__()
        self.text, self.tags, self.images, self.tables, self.links, self.terms = [], [], [], [], [], []
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag in ("li", "br") and self._cell:
            self._cell.append("; ")  # a cell's lines, one after the other
        if tag == "img":
            self.images.append(attrs)
        self.links += [v for k, v in attrs.items() if k in ("src", "href")]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th", "dt", "dd"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th", "dt", "dd"):
            cell = " ".join("".join(self._cell).split())
            (self.tables[-1][-1] if tag in ("td", "th") else self.terms).append(cell)
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def header(self, table: int) -> list[str]:
        return self.tables[table][0]

    def rows(self, table: int) -> dict[str, list[str]]:
        return {row[0]: row[1:] for row in self.tables[table][1:]}


def sections(html: str) -> dict[str, str]:
    """The page cut at its second-level headings, keyed by the heading's id."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<h2 id="([^"]+)">.*?(?=<h2 |</body>)', html, re.S)}


def decoded(image: dict) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert image["src"].startswith(prefix) and image["alt"]
    data = base64.b64decode(image["src"][len(prefix):], validate=True)
    assert data.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(data))


def test_each_sheet_gets_its_points_tasks_and_diagnoses_worked_out_by_hand():
    html = class_report.render(a_run())
    part = sections(html)
    assert list(part) == ["sheet-0", "sheet-1", "flagged", "not-graded"]
    a, b = Page(part["sheet-0"]), Page(part["sheet-1"])
    assert "sheet-a: 5 submissions" in "".join(a.text) and "sheet-b: 2 submissions" in "".join(b.text)
    # points 7, 4, 0, 10, 0 of 10: mean 4.2, median 4
    assert a.rows(0)["points per submission"] == ["4.2", "4", "0", "10", "10"]
    assert b.rows(0)["points per submission"] == ["3.5", "3.5", "3", "4", "5"]
    # the grader failed on Eps_5: its missing tasks count neither way, so 4 submissions report each task
    tasks = a.rows(1)
    assert a.header(1) == ["task", "title", "max points", "mean points", "pass rate", "passed", "partial", "failed",
                             "timeout"]
    assert tasks["1.1"] == ["task 1.1", "2", "1.5", "75 % of 4", "3", "0", "1", "0"]
    assert tasks["1.2"] == ["task 1.2", "3", "0.75", "25 % of 4", "1", "0", "3", "0"]
    assert tasks["2"] == ["task 2", "5", "3.25", "50 % of 4", "2", "1", "0", "1"]
    assert b.rows(1)["2"] == ["task 2", "1", "0.5", "50 % of 2", "1", "0", "1"]
    # the diagnoses, counted over the submissions, the most frequent first
    text = " ".join(" ".join(a.text).split())
    assert "3 submissions: W_out gradient transposed" in text
    assert "1 submission: bias summed over the wrong axis" in text
    assert "1 submission: sign flipped" in " ".join(b.text)
    assert "sign flipped" not in text  # sheet B's diagnosis stays in sheet B
    # the alt texts carry the numbers too (the histogram's bins: 0, 0, 40, 70 and 100 %)
    histogram, chart = a.images
    assert histogram["alt"].endswith("0–10 %: 2, 40–50 %: 1, 70–80 %: 1, 90–100 %: 1")
    assert "1.2: 25 % passed, mean 25 % of 3 points" in chart["alt"]


def test_each_sheet_embeds_a_histogram_and_a_task_chart_that_decode_as_png():
    part = sections(class_report.render(a_run()))
    for sheet in ("sheet-0", "sheet-1"):
        images = Page(part[sheet]).images
        assert len(images) == 2
        for image in images:
            width, height = decoded(image).size
            assert width >= 600 and height >= 300


def test_the_submissions_a_tutor_must_look_at_are_flagged_with_the_reason():
    page = Page(sections(class_report.render(a_run()))["flagged"])
    rows = page.rows(0)
    assert sorted(rows) == sorted([HOSTILE, "Gamma_3", "Eps_5", "Alpha_1_Beta_2", "Zeta_6"])  # not Delta_4
    assert rows["Gamma_3"] == ["Gamma (3)", "sheet-a", "4 / 10",
                               "late by 26.5 h (2 started days): 1 point taken (20 %, 10 % per started day)"]
    assert rows[HOSTILE][-1] == "timeout: task 2; name does not follow Name1_id1_Name2_id2"
    assert rows["Eps_5"][-1] == "grader error: the worker's record could not be read"
    assert rows["Alpha_1_Beta_2"] == ["Alpha (1); Beta (2)", "sheet-b", "4 / 5", "error: task 2"]
    assert rows["Zeta_6"][-1] == "for manual grading: scan.pdf"


def test_the_header_counts_the_run_and_the_entries_not_graded_are_listed():
    html = class_report.render(a_run())
    terms = Page(html).terms
    assert dict(zip(terms[::2], terms[1::2])) == {
        "sheets": "sheet-a (built-in), sheet-b (built-in)",
        "submissions": "7 in this report: 5 graded in this run, 2 reused unchanged from a previous run",
        "grader version": "0.1.0"}
    page = Page(sections(html)["not-graded"])
    assert page.rows(0) == {"uploads/Gamma_3 (1)": ["an older upload of Gamma_3"]}


def test_student_text_is_escaped_and_the_page_needs_no_script_and_nothing_from_outside():
    run = a_run()
    run.submissions[0].flags.append('<img src="http://example.org/x.png">')
    run.submissions[0].tasks[0].diagnoses.append("<b>bold</b>")
    run.submissions[0].members.append(Member(name='"><iframe src=x>', id="9"))
    run.not_graded.append(NotGraded(path="<a href='http://example.org'>x</a>", reason="&"))
    html = class_report.render(run)
    page = Page(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert {"script", "iframe", "b", "link"}.isdisjoint(page.tags)  # no student markup, no scripts
    assert page.tags.count("a") == 4  # the contents' links: two sheets, flagged, not graded
    assert len(page.images) == 4
    assert all(link.startswith(("data:image/png;base64,", "#")) for link in page.links)


def test_write_creates_the_folder_and_returns_its_index(tmp_path):
    folder = tmp_path / "report" / "ws2425"
    path = class_report.write(a_run(), folder)
    assert path == folder / "index.html"
    assert path.read_text(encoding="utf-8") == class_report.render(a_run())


def test_empty_runs_sheets_without_submissions_and_zero_point_rubrics_do_not_break_the_page():
    assert "No grader error, timeout, error, late hand-in or flag." in class_report.render(RunReport())
    run = RunReport(sheets=[SheetOrigin(id="unused", origin="built-in"), SheetOrigin(id="zero", origin="built-in")],
                    submissions=[submission("A_1", "zero", [], 0, 0),
                                 submission("B_2", "zero", [task("1", 0, 0, "passed")], 0, 0)])
    html = class_report.render(run)
    assert "No submission of this sheet is in this report" in html
    assert "No submission of this sheet has points to score" in html
    page = Page(sections(html)["sheet-1"])
    assert page.rows(1)["1"][:4] == ["task 1", "0", "0", "100 % of 1"]
    decoded(page.images[0])  # the task chart, without a mean bar for a task worth nothing
    assert "No task results" in class_report.render(RunReport(submissions=[submission("A_1", "s", [], 0, 5)]))


# ---- in a real browser --------------------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# appended to a copy of the page only: for each image, whether the browser decoded it, written into the DOM
PROBE = ("<script>window.addEventListener('load', () => { const out = document.createElement('pre');"
         " out.id = 'probe'; out.textContent = Array.from(document.images).map("
         "i => 'IMAGE ' + (i.complete && i.naturalWidth > 0) + ' ' + i.naturalWidth + 'x' + i.naturalHeight)"
         ".join('\\n'); document.body.appendChild(out); });</script>")


def chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("NNGRADE_REQUIRE_BROWSER") == "1":
        pytest.fail("NNGRADE_REQUIRE_BROWSER=1 but there is no `chromium` on PATH (Debian: apt-get install chromium)")
    pytest.skip("no chromium on PATH (set NNGRADE_REQUIRE_BROWSER=1 to make this a failure)")


def browse(browser: str, profile, *arguments: str) -> subprocess.CompletedProcess:
    done = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_a_headless_browser_shows_the_page_with_every_chart(tmp_path):
    browser = chromium()
    started = time.monotonic()
    page = class_report.write(a_run(), tmp_path / "report")
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = browse(browser, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()).stdout
    images = re.findall(r"IMAGE (\w+) (\d+)x(\d+)", dom)
    assert len(images) == 4, dom[-2000:]
    assert all(ok == "true" and int(w) >= 600 and int(h) >= 300 for ok, w, h in images), images
    shot = tmp_path / "shot.png"
    browse(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri())
    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (2400, 1200)
    coloured = (pixels.min(axis=2) < 200).mean()  # text, rules and bars; a blank page has none
    assert coloured > 0.02, coloured
    blue = ((pixels[..., 2] > 150) & (pixels[..., 0] < 60)).sum()  # the charts' bars (#0969da) were painted
    assert blue > 2000, blue
    assert time.monotonic() - started < 60
