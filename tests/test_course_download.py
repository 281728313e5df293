"""Issue 17's done criterion, end to end through the command line: a Moodle "download all" of twenty mixed
hand-ins (folders, prefixed files, zips and a tar inside, nested folders, a notebook, groups, a group's differing
uploads, a late one, a zip bomb, a PDF) graded in one command into the grading worksheet, the class report and
per-student feedback; manual points merged; a run killed halfway and resumed gives the same result; an edited
hand-in is the only one graded again."""
import csv
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.conftest import ROOT

SHEET = "nnti-ws2425-sheet6"
EXAMPLES = ROOT / "submissions" / SHEET
GOOD, PARTIAL, WEAK = "Krueger_2581234_Hartmann_2579911", "Lange_2580456_Werner_2582301", "Schmitt_2578890"
POINTS = {GOOD: 4.6572, PARTIAL: 3.4631, WEAK: 3.0381}  # the shipped examples' scores (tests/test_submissions.py)
ON_TIME, LATE = (2026, 11, 20, 18, 0, 0), (2026, 11, 22, 10, 0, 0)  # due 2026-11-20 23:59 Berlin: 34 h late
pytestmark = pytest.mark.slow


def files(example: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (EXAMPLES / example).iterdir()}


def packed(entries: dict[str, bytes], tar: bool = False) -> bytes:
    """The same bytes every time (fixed times), as a re-uploaded unchanged archive is."""
    buffer = io.BytesIO()
    if tar:
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tf:
            for name, data in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    else:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=ON_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    return buffer.getvalue()


def as_notebook(code: bytes) -> bytes:
    cell = new_code_cell(code.decode())
    cell.id = "activations"
    return nbformat.writes(new_notebook(cells=[cell])).encode()


def hand_ins(edited: bool = False) -> dict[str, tuple[str, dict[str, bytes], tuple]]:
    """participant folder prefix -> (expected example, files, upload time)."""
    good, partial = files(GOOD), files(PARTIAL)
    out = {f"Student {k}_10000{k}": (GOOD, good, ON_TIME) for k in range(1, 7)}
    out["Lea Lange_200007"] = (GOOD if edited else PARTIAL, good if edited else partial, ON_TIME)
    out["Sam Schmitt_200008"] = (WEAK, files(WEAK), ON_TIME)
    out["Nora Notebook_200009"] = (GOOD, {"activations.ipynb": as_notebook(good["activations.py"]),
                                          "answers.toml": good["answers.toml"]}, ON_TIME)
    out["Nils Nested_200010"] = (GOOD, {"sheet6/src/activations.py": good["activations.py"],
                                        "sheet6/answers.toml": good["answers.toml"]}, ON_TIME)
    out["Zoe Zip_200011"] = (GOOD, {"handin.zip": packed({"sheet6/" + n: d for n, d in good.items()})}, ON_TIME)
    out["Tara Tar_200012"] = (GOOD, {"handin.tar.gz": packed(good, tar=True)}, ON_TIME)
    out["Bo Bomb_200013"] = (None, {"handin.zip": packed({"activations.py": b"\0" * (40 * 2**20)})}, ON_TIME)
    out["Paula Pdf_200014"] = (GOOD, {**good, "scan.pdf": b"%PDF-1.4 handwriting"}, ON_TIME)
    out["Lars Late_200015"] = (GOOD, good, LATE)
    out["Team 3-Anna Meier_200016"] = (GOOD, good, ON_TIME)  # a group: both members' copies are identical
    out["Team 3-Ben Roth_200017"] = (GOOD, good, ON_TIME)
    out["Team 5-Cem Kaya_200018"] = (PARTIAL, partial, (2026, 11, 19, 9, 0, 0))  # older, differing upload
    out["Team 5-Dora Lind_200019"] = (GOOD, good, ON_TIME)
    return out


def write_download(path: Path, edited: bool = False) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for prefix, (_, content, when) in hand_ins(edited).items():
            for name, data in content.items():
                zf.writestr(zipfile.ZipInfo(f"{prefix}_assignsubmission_file_/{name}", date_time=when), data)
        good = files(GOOD)  # participant 20 downloaded with "download in folders" off: prefixed file names
        for name, data in good.items():
            zf.writestr(zipfile.ZipInfo(f"Fritz Flach_200020_assignsubmission_file_{name}", date_time=ON_TIME), data)
        zf.writestr(zipfile.ZipInfo("Fritz Flach_200020_assignfeedback_file_/marked.pdf", date_time=ON_TIME), b"%PDF")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose rubric for the sheet adds a deadline and a late policy (the built-in reference)."""
    folder = tmp_path_factory.mktemp("course")
    (folder / "rubrics").mkdir()
    text = (ROOT / "rubrics" / f"{SHEET}.toml").read_text()
    deadline = ('[deadline]\nat = 2026-11-20T23:59:00\ntimezone = "Europe/Berlin"\nlate = "percent-per-day"\n'
                'percent = 10\ncap = 50\n\n')
    (folder / "rubrics" / f"{SHEET}.toml").write_text(text.replace("[defaults]", deadline + "[defaults]", 1))
    download = folder / "hand-ins" / "NNTI Sheet 6-4711.zip"
    download.parent.mkdir()
    write_download(download)
    return folder, download


def grade(course_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NNGRADE_COURSE")}
    sheet = [] if args[0] == "manual" else ["--sheet", SHEET]
    return subprocess.run([sys.executable, "-m", "grader", *args, "--course", str(course_dir), *sheet],
                          capture_output=True, text=True, cwd=course_dir, env=env, timeout=900)


def results(path: Path) -> dict[str, tuple]:
    """What a tutor reads of each submission: points, task statuses, flags, lateness (timings aside)."""
    data = json.loads(path.read_text())
    return {s["name"]: (s["points"], tuple((t["id"], t["status"], t["points"]) for t in s["tasks"]),
                        tuple(s["flags"]), json.dumps(s["late"])) for s in data["submissions"]}


def test_a_moodle_download_is_graded_into_worksheet_class_report_and_feedback(course, tmp_path):
    folder, download = course
    out = grade(folder, str(download), "--json", str(tmp_path / "r.json"), "--moodle", str(tmp_path / "sheet.csv"),
                "--csv", str(tmp_path / "grades.csv"),
                "--report", str(tmp_path / "class"), "--feedback", str(tmp_path / "feedback"))
    assert out.returncode == 0, out.stderr
    run = json.loads((tmp_path / "r.json").read_text())
    reports = {s["name"]: s for s in run["submissions"]}
    expected = {prefix.split("_")[0].split("-")[-1]: example for prefix, (example, _, _) in hand_ins().items()}
    assert sorted(reports) == sorted({*(n for n in expected if not n.startswith(("Anna", "Ben", "Cem", "Dora"))),
                                      "Team 3", "Team 5", "Fritz Flach"})
    for name, example in expected.items():
        if name in reports and example and name != "Lars Late":
            assert reports[name]["points"] == pytest.approx(POINTS[example], abs=1e-3), name
    assert reports["Team 5"]["points"] == pytest.approx(POINTS[GOOD], abs=1e-3)  # the newest upload
    assert reports["Fritz Flach"]["points"] == pytest.approx(POINTS[GOOD], abs=1e-3)
    assert reports["Lars Late"]["late"]["days"] == 2 and reports["Lars Late"]["late"]["percent"] == 20
    assert reports["Lars Late"]["points"] == pytest.approx(POINTS[GOOD] * 0.8, abs=1e-3)
    assert reports["Student 1"]["late"] is None and reports["Student 1"]["submitted_at"] == "2026-11-20T18:00:00+01:00"
    assert "zip bomb" in reports["Bo Bomb"]["flags"][-1] and reports["Bo Bomb"]["points"] == 0
    assert "for manual grading: scan.pdf" in reports["Paula Pdf"]["flags"]
    assert [(m["name"], m["id"]) for m in reports["Team 3"]["members"]] == [("Anna Meier", "200016"), ("Ben Roth", "200017")]
    assert {Path(e["path"]).name: e["reason"].split(" than")[0] for e in run["not_graded"]} == {
        "Team 5-Cem Kaya_200018_assignsubmission_file_": "an older upload of group Team 5",
        "Fritz Flach_200020_assignfeedback_file_": "feedback files from Moodle, not a submission"}
    sheet = {row["Identifier"]: row for row in csv.DictReader(io.StringIO((tmp_path / "sheet.csv").read_text()))}
    assert len(sheet) == 20 and sheet["Participant 200015"]["Grade"] == f"{reports['Lars Late']['points']:g}"
    assert sheet["Participant 200018"]["Grade"] == sheet["Participant 200019"]["Grade"] == f"{reports['Team 5']['points']:g}"
    book = {row["name"]: row for row in csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text()))}
    assert (book["Lars Late"]["late_hours"], book["Lars Late"]["submitted_at"]) == ("34.02", "2026-11-22T10:00:00+01:00")
    assert float(book["Lars Late"]["late_deduction"]) == pytest.approx(POINTS[GOOD] * 0.2, abs=1e-3)
    assert book["Student 1"]["late_hours"] == "" and book["Anna Meier"]["total"] == book["Ben Roth"]["total"]
    page = (tmp_path / "class" / "index.html").read_text()
    assert page.count("data:image/png;base64,") >= 2 and "Lars Late" in page and "Bo Bomb" in page
    late = (tmp_path / "feedback" / SHEET / "Lars Late.md").read_text()
    assert "Late: handed in 2026-11-22T10:00:00+01:00 (Moodle's download (the zip's times)), 34.02 h late" in late
    assert len(list((tmp_path / "feedback" / SHEET).glob("*.md"))) == len(reports)


def test_manual_points_killing_halfway_and_an_edited_hand_in(course, tmp_path):
    folder, download = course
    full = tmp_path / "full.json"
    assert grade(folder, str(download), "--json", str(full)).returncode == 0
    # manual points: the tutors' sheet filled in for two submissions, merged into the totals
    template = tmp_path / "manual.csv"
    out = grade(folder, "manual", SHEET, str(download), "--template", str(template))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(template.read_text())))
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("6."))
    most = float(rows[0][column].split("max ")[1].rstrip(")"))
    for row in rows[1:]:
        if row[1] in ("Student 1", "Lars Late"):
            row[column] = f"{most:g}"
    with open(template, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    merged = grade(folder, str(download), "--json", str(full), "--resume", "--manual", str(template))
    assert merged.returncode == 0, merged.stderr
    after = {s["name"]: s for s in json.loads(full.read_text())["submissions"]}
    assert after["Student 1"]["points"] == pytest.approx(POINTS[GOOD] + most, abs=1e-3)
    assert after["Lars Late"]["points"] == pytest.approx((POINTS[GOOD] + most) * 0.8, abs=1e-3)  # 20 % of the new total
    # killed halfway, then resumed: the same result as the uninterrupted run
    fresh = tmp_path / "fresh.json"
    assert grade(folder, str(download), "--json", str(fresh)).returncode == 0
    killed = tmp_path / "killed.json"
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NNGRADE_COURSE")}
    child = subprocess.Popen([sys.executable, "-m", "grader", str(download), "--json", str(killed), "-j", "1",
                              "--course", str(folder), "--sheet", SHEET], cwd=folder, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and child.poll() is None:
        if killed.exists() and killed.read_text().count('"fingerprint"') >= 6:
            break
        time.sleep(0.2)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    halfway = killed.read_text().count('"fingerprint"')
    assert 6 <= halfway < 18
    resumed = grade(folder, str(download), "--json", str(killed), "--resume")
    assert resumed.returncode == 0 and f"reused {halfway} unchanged result(s)" in resumed.stderr
    assert results(killed) == results(fresh)
    # one hand-in edited in a new download: only it is graded again
    write_download(download, edited=True)
    edited = grade(folder, str(download), "--json", str(killed), "--resume")
    assert edited.returncode == 0 and "reused 17 unchanged result(s)" in edited.stderr
    now = results(killed)
    assert now["Lea Lange"][0] == pytest.approx(POINTS[GOOD], abs=1e-3)
    assert {k: v for k, v in now.items() if k != "Lea Lange"} == {k: v for k, v in results(fresh).items() if k != "Lea Lange"}
    write_download(download)  # the module's other test sees the original
