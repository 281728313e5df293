"""Grading on a Dask cluster gives the report a local run gives: a LocalCluster of two worker processes, and a
`dask scheduler` with `dask worker` processes started as the README says."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader import api, cluster
from grader.errors import UsageError
from tests.conftest import ROOT

pytest.importorskip("distributed")
SHEET6 = ROOT / "submissions" / "nnti-ws2425-sheet6"


def comparable(run) -> list[dict]:
    """The reports without what differs between any two runs: timings and the child's temporary paths."""
    out = []
    for report in json.loads(run.model_dump_json())["submissions"]:
        for name in ("seconds", "student_seconds", "output"):
            report.pop(name)
        for task in report["tasks"]:
            task.pop("seconds")
        out.append(report)
    return out


@pytest.fixture(scope="module")
def local_run():
    return api.grade([SHEET6], workers=2)


def test_a_local_cluster_of_two_worker_processes_gives_the_local_report(local_run):
    run = api.grade([SHEET6], scheduler="local:2")
    assert comparable(run) == comparable(local_run)
    assert run.isolation == local_run.isolation and [r.name for r in run.submissions] == [
        "Krueger_2581234_Hartmann_2579911", "Lange_2580456_Werner_2582301", "Schmitt_2578890"]


def test_on_a_cluster_resume_reuses_unchanged_results_and_course_sheets_travel_by_path(local_run):
    again = api.grade([SHEET6], scheduler="local:1", previous=local_run.submissions)
    assert again.reused == 3 and comparable(again) == comparable(local_run)
    course = ROOT / "tests" / "course"
    examples = [course / "submissions" / "toy-sheet"]
    local = api.grade(examples, course=[course])
    remote = api.grade(examples, course=[course], scheduler="local:1")
    assert comparable(remote) == comparable(local) and remote.sheets == local.sheets


def test_a_submission_the_worker_cannot_unpack_is_reported_on_that_submission(tmp_path):
    from grader.found import Found

    folder = tmp_path / "Huge_1"
    folder.mkdir()
    for i in range(cluster.SHIPPED.members + 1):
        (folder / f"f{i}.txt").write_text("x")
    found = Found(path=folder, sheet="nnti-ws2425-sheet6", shown=str(folder), name="Huge_1")
    answer = json.loads(cluster.grade_task(cluster.payload(found, [], None, "abc")))
    from grader.report.models import SubmissionReport

    report = SubmissionReport.model_validate_json(answer["report"])
    assert report.name == "Huge_1" and report.points == 0 and report.fingerprint == "abc"
    assert "could not be shipped to the worker" in report.grader_error and answer["isolation"]


@pytest.mark.parametrize("address, says", [("local:0", "local:N"), ("local:x", "local:N"),
                                           ("myhost", "tcp://host:8786")])
def test_a_wrong_scheduler_address_is_a_usage_error(address, says):
    with pytest.raises(UsageError, match=says):
        cluster.parse(address)


ENV = {k: v for k, v in os.environ.items() if k not in ("CI", "NNGRADE_COURSE")}


@pytest.fixture
def dask_processes(tmp_path):
    """A `dask scheduler` and two `dask worker` processes on localhost, as the README starts them."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    address_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(address_file)], env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        workers = [subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"], env=ENV,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        yield address, workers
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            process.wait(timeout=30)


@pytest.mark.slow
def test_dask_scheduler_and_worker_processes_started_as_the_readme_says(tmp_path, local_run, dask_processes):
    address, _ = dask_processes
    out = tmp_path / "cluster.json"
    done = subprocess.run([sys.executable, "-m", "grader", str(SHEET6), "--json", str(out)], capture_output=True,
                          text=True, env={**ENV, "NNGRADE_SCHEDULER": address}, timeout=600)
    assert done.returncode == 0, done.stderr
    from grader.report.models import RunReport

    assert comparable(RunReport.model_validate_json(out.read_text())) == comparable(local_run)


@pytest.mark.slow
def test_a_worker_that_dies_mid_task_costs_a_retry_not_a_result(tmp_path, local_run, dask_processes):
    import psutil

    address, workers = dask_processes
    sheet = tmp_path / "nnti-ws2425-sheet6"
    shutil.copytree(SHEET6, sheet)
    slow = sheet / "Krueger_2581234_Hartmann_2579911" / "activations.py"
    slow.write_text("import time\ntime.sleep(8)\n" + slow.read_text())  # still running when the others are done
    out = tmp_path / "cluster.json"
    grading = subprocess.Popen([sys.executable, "-m", "grader", str(sheet), "--json", str(out)], env={
        **ENV, "NNGRADE_SCHEDULER": address}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = None
    started = time.monotonic()
    while killed is None and time.monotonic() < started + 120 and grading.poll() is None:
        for nanny in workers:  # after 4 s only the slow submission's sandboxed child is still running
            tree = psutil.Process(nanny.pid).children(recursive=True)
            if time.monotonic() > started + 4 and any("child.py" in " ".join(p.cmdline()) for p in tree):
                victim = next(p for p in psutil.Process(nanny.pid).children() if "python" in p.name())
                victim.kill()  # the worker process dies; its nanny starts a new one
                killed = victim.pid
                break
        time.sleep(0.1)
    _, errors = grading.communicate(timeout=600)
    assert killed is not None and grading.returncode == 0, errors
    from grader.report.models import RunReport

    assert [r.points for r in RunReport.model_validate_json(out.read_text()).submissions] == [
        r.points for r in local_run.submissions]
