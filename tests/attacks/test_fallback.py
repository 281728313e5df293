"""Without bubblewrap: the run says which layers are off, and the audit hook still gives clear refusals."""
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader import api, isolation, sandbox
from grader.report.models import RunReport
from grader.report.table import isolation_header
from tests.attacks.conftest import loopback_listener
from tests.conftest import ROOT

KRUEGER = ROOT / "submissions" / "nnti-ws2425-sheet6" / "Krueger_2581234_Hartmann_2579911"


def test_without_bubblewrap_the_header_names_the_missing_layers(monkeypatch):
    monkeypatch.setattr(isolation, "bwrap_binary", lambda: None)
    iso = isolation.detect.__wrapped__("/usr/bin/python3", (), ())
    layers = {layer.name: layer for layer in iso.layers}
    assert iso.bwrap is None and not layers["filesystem"].active and "no bubblewrap" in layers["filesystem"].how
    assert layers["guard"].active and "weaker layer" in layers["guard"].how
    header = isolation_header(RunReport(isolation=list(iso.layers))).plain
    assert "OFF: filesystem" in header


def test_the_audit_hook_refuses_files_network_and_programs(tmp_path):
    secret = tmp_path / "rubrics"
    secret.mkdir()
    (secret / "hidden.toml").write_text("expected = 42")
    listener, port = loopback_listener()
    code = tmp_path / "code.py"
    code.write_text(textwrap.dedent(f"""
        import os, socket, subprocess
        results = []
        for attempt in (lambda: open({str(secret / 'hidden.toml')!r}).read(),
                        lambda: os.listdir({str(secret)!r}),
                        lambda: open("/etc/passwd").read(),
                        lambda: socket.create_connection(("127.0.0.1", {port}), timeout=1),
                        lambda: subprocess.run(["true"]),
                        lambda: os.system("true"),
                        lambda: os.fork()):
            try:
                attempt()
                results.append("ALLOWED")
            except PermissionError as exc:
                results.append(str(exc))
        def report():
            return results
        """))
    job = {"id": "a#0", "file": "code.py", "timeout": 5.0, "observe": ["r"],
           "steps": [{"op": "call", "target": "report", "name": "r", "args": [], "kwargs": {}}]}
    run = sandbox.run_child({"code.py": code}, [job], {}, file_order=["code.py"], aliases={},
                            forbidden=(str(secret),))
    listener.close()
    refusals = run.jobs["a#0"]["observed"]["r"]
    assert "ALLOWED" not in refusals and run.layers["guard"]
    assert refusals[0] == refusals[1] == f"the grader does not let submissions open {secret}"
    assert refusals[2] == "the grader does not let submissions open /etc"  # outside the allowed roots
    assert refusals[3].startswith("the grader does not allow network access")
    assert all(r.startswith("the grader does not allow starting") for r in refusals[4:])


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(), reason="needs root and /usr/bin/python3")
def test_a_root_grader_starts_the_sandbox_as_an_unprivileged_user():
    """With an interpreter other users can read, student code is uid 65534 on the host too."""
    folder = Path(tempfile.mkdtemp(prefix="nngrade-test-venv-"))  # pytest's tmp_path is private to root
    try:
        folder.chmod(0o755)
        venv = folder / "course"
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
        if subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "numpy"]).returncode:
            pytest.skip("numpy cannot be installed here")
        run = api.grade([KRUEGER], python=str(venv / "bin" / "python"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    layers = {layer.name: layer for layer in run.isolation}
    if not layers["user"].active and "cannot read" in layers["user"].how:  # a checkout in a private folder
        pytest.skip(layers["user"].how)
    assert layers["user"].active and "uid 65534 on the host" in layers["user"].how
    assert run.submissions[0].points == pytest.approx(4.6572)


def test_a_folder_closed_to_other_users_is_named():
    base = Path(tempfile.mkdtemp(prefix="nngrade-test-closed-"))  # pytest's tmp_path is private to its user
    try:
        base.chmod(0o755)
        closed, worker = base / "private", base / "private" / "grader" / "worker.py"
        worker.parent.mkdir(parents=True)
        worker.write_text("")
        closed.chmod(0o700)
        assert isolation.closed_to_others((str(worker),)) == str(closed)
        closed.chmod(0o755)
        worker.chmod(0o600)
        assert isolation.closed_to_others((str(worker),)) == str(worker)
        worker.chmod(0o644)
        assert isolation.closed_to_others((str(worker),)) is None
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_fallback_grades_the_examples_exactly_like_the_sandbox(monkeypatch):
    """The audit hook's allowed roots are wide enough for numpy, matplotlib and notebooks."""
    sheets = [ROOT / "submissions" / "nnti-ws2324-sheet7", ROOT / "submissions" / "leuphana-dl-ss24-ex2"]
    sandboxed = {(r.sheet, r.name): r.points for r in api.grade(sheets).submissions}
    monkeypatch.setattr(isolation, "bwrap_binary", lambda: None)
    isolation.detect.cache_clear()
    try:
        fallback = api.grade(sheets)
    finally:
        isolation.detect.cache_clear()
    assert "guard" in [layer.name for layer in fallback.isolation if layer.active]
    assert {(r.sheet, r.name): r.points for r in fallback.submissions} == sandboxed


def test_hidden_folders_are_hidden_where_the_child_sees_them_also_through_a_symlinked_root(tmp_path):
    real = tmp_path / "real" / "site-packages"
    (real / "grader" / "worker").mkdir(parents=True)
    (real / "pack").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    root = str(tmp_path / "link" / "site-packages")
    hidden = isolation.hidden_within((str(real / "grader"), str(real / "pack"), str(real), "/nonexistent"),
                                     (root, str(real / "grader" / "worker")))
    # the child sees the libraries at the root's own path; the root itself is never hidden
    assert hidden == (f"{root}/grader", f"{root}/pack")
    worker = str(real / "grader" / "worker")
    assert isolation.masking(hidden, (root, worker)) == [
        "--tmpfs", f"{root}/grader", "--tmpfs", f"{root}/pack", "--ro-bind", worker, worker,  # the worker, back
        "--remount-ro", f"{root}/grader", "--remount-ro", f"{root}/pack"]
