"""--resume cannot go stale: a result is reused only while its submission, sheet and grader are unchanged, the
run says how many were reused, and the next run removes what a killed run left in the temporary folder."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from grader import api, scratch
from grader.cli import main
from grader.report.models import RunReport
from tests.conftest import ROOT

SHEET6 = ROOT / "submissions" / "nnti-ws2425-sheet6"


def test_an_edited_submission_is_graded_again_and_the_rest_reused(tmp_path):
    work = tmp_path / "nnti-ws2425-sheet6"
    shutil.copytree(SHEET6, work)
    report = tmp_path / "report.json"
    first = CliRunner().invoke(main, [str(work), "--json", str(report)])
    assert first.exit_code == 0, first.output
    before = RunReport.model_validate_json(report.read_text())
    assert all(r.fingerprint for r in before.submissions)
    again = api.grade([work], previous=before.submissions)
    assert again.reused == 3
    assert [(r.name, r.points) for r in again.submissions] == [(r.name, r.points) for r in before.submissions]
    lange = work / "Lange_2580456_Werner_2582301" / "activations.py"
    lange.write_text(Path(SHEET6 / "Krueger_2581234_Hartmann_2579911" / "activations.py").read_text())
    edited = CliRunner().invoke(main, [str(work), "--json", str(report), "--resume"])
    assert edited.exit_code == 0 and "reused 2 unchanged result(s)" in edited.output
    after = {r.name: r for r in RunReport.model_validate_json(report.read_text()).submissions}
    assert after["Lange_2580456_Werner_2582301"].points > before.submissions[1].points  # regraded, not kept
    forced = CliRunner().invoke(main, [str(work), "--json", str(report), "--resume", "--force"])
    assert "reused 0 unchanged result(s)" in forced.output


def test_the_next_run_removes_what_a_killed_run_left_behind():
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()  # a pid that has exited
    left = Path(tempfile.mkdtemp(prefix=f"nngrade-{gone}-child-"))
    (left / "ws").mkdir()
    (left / "ws" / "code2.py").write_text("a student's copy")
    mine = scratch.folder("child")
    other = Path(tempfile.mkdtemp(prefix=f"nngrade-{os.getppid()}-child-"))  # a process still alive
    try:
        assert scratch.sweep_orphans() >= 1
        assert not left.exists() and mine.exists() and other.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(other, ignore_errors=True)


def test_a_result_is_graded_again_when_what_discovery_says_about_it_changes(tmp_path):
    work = tmp_path / "nnti-ws2425-sheet6"
    shutil.copytree(SHEET6 / "Schmitt_2578890", work / "Schmitt_2578890")
    first = api.grade([work])
    assert first.submissions[0].flags == []
    shutil.copytree(SHEET6 / "Lange_2580456_Werner_2582301", work / "Schmitt_2578890_Lange_2580456")
    again = api.grade([work], previous=first.submissions)
    schmitt = next(r for r in again.submissions if r.name == "Schmitt_2578890")
    assert again.reused == 0 and "member 2578890 is also in Schmitt_2578890_Lange_2580456" in schmitt.flags


def test_bytecode_caches_written_by_an_import_do_not_change_a_fingerprint(tmp_path):
    from grader import fingerprint

    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text("x = 1\n")
    before = fingerprint.folder_digest(code)
    (code / "__pycache__").mkdir()
    (code / "__pycache__" / "module.cpython-311.pyc").write_bytes(b"\x00compiled")
    assert fingerprint.folder_digest(code) == before
    (code / "module.py").write_text("x = 2\n")
    assert fingerprint.folder_digest(code) != before


def test_cgroups_of_a_killed_run_are_removed_by_the_next_and_those_of_live_runs_kept():
    from grader import isolation

    parents = isolation.cgroup_parents()
    if not parents:
        import pytest

        pytest.skip("no cgroup this process may create here")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    left = [parent / f"nngrade-{gone}-0123456789ab" for parent in parents.values()]
    live = [parent / f"nngrade-{os.getpid()}-ba9876543210" for parent in parents.values()]
    for folder in left + live:
        folder.mkdir()
    try:
        assert isolation.sweep_cgroups() >= len(left)
        assert not any(f.exists() for f in left) and all(f.exists() for f in live)
    finally:
        for folder in left + live:
            if folder.exists():
                folder.rmdir()
