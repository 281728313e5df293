"""Grading on a Dask cluster: each submission is one task, graded by a Dask worker exactly as a local run grades
it (the same sandbox and limits, probed once per worker process), so a MOOC's thousands of notebooks spread over
many machines.

What crosses the network is plain data: the submission as the bytes of a tar of its files, the sheet's id and the
course folders as strings, the discovery record as JSON; a result is the report's JSON and the worker's isolation
layers as JSON. Student code runs only in the worker's sandboxed children and never produces anything that is
unpickled: the worker turns the child's records into the report like a local run. Workers build their own answer
keys from the rubric (built-in sheets, installed packs, or course folders at the same path on every machine).

`--scheduler tcp://HOST:8786` uses a running cluster; `--scheduler local:N` starts a LocalCluster of N worker
processes on this machine. A worker that dies mid-task costs a retry (Dask reschedules its tasks), not a result.
"""
from __future__ import annotations

import io
import json
import logging
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from grader import archives, scratch
from grader.errors import UsageError
from grader.found import Found
from grader.report.models import IsolationLayer, Member, SubmissionReport

RETRIES = 2
# what the worker unpacks: the grader's own tar of a submission (the intake limits apply to its contents later)
SHIPPED = archives.Limits(members=archives.SUBMISSION.members * 4, total_bytes=archives.DOWNLOAD.total_bytes,
                          file_bytes=archives.DOWNLOAD.file_bytes)


def parse(address: str) -> tuple[str, int | str]:
    """("local", N) for `local:N`, ("remote", address) for a scheduler's address."""
    if address.startswith("local:"):
        count = address.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--scheduler {address}: write local:N with N worker processes, e.g. local:4")
        return "local", int(count)
    if "://" not in address:
        raise UsageError(f"--scheduler {address}: give a scheduler address such as tcp://host:8786, or local:N")
    return "remote", address


def packed(path: Path) -> bytes:
    """A submission's files as a tar (a folder, an archive or a single file), links left out."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(path, arcname=path.name, filter=lambda info: info if info.isfile() or info.isdir() else None)
    return buffer.getvalue()


def payload(found: Found, course: list[str], python: str | None, print_: str) -> dict[str, Any]:
    record = {"sheet": found.sheet, "shown": found.shown, "name": found.name, "flags": list(found.flags),
              "members": None if found.members is None else [m.model_dump() for m in found.members]}
    return {"files": packed(found.path), "root": found.path.name, "found": json.dumps(record),
            "course": course, "python": python, "fingerprint": print_}


_SETUPS: dict[tuple, Any] = {}


def grade_task(task: dict[str, Any]) -> str:
    """Run in a Dask worker process: unpack, grade as a local run does, answer with JSON."""
    from grader import api, grading, sheets

    record = json.loads(task["found"])
    key = (record["sheet"], tuple(task["course"]), task["python"])
    if key not in _SETUPS:  # once per worker process and sheet: the key, the plan, the sandbox probe
        found_sheets = sheets.discover(task["course"], implicit=False)
        rubric = api.load_rubric(record["sheet"], found=found_sheets)
        _SETUPS[key] = grading.SheetSetup.build(found_sheets[record["sheet"]], rubric, task["python"])
    setup = _SETUPS[key]
    folder = scratch.folder("cluster")
    members = None if record["members"] is None else tuple(Member(**m) for m in record["members"])
    found = Found(path=folder / "files" / task["root"], sheet=record["sheet"], shown=record["shown"],
                  name=record["name"], members=members, flags=tuple(record["flags"]))
    try:
        tar_path = folder / "submission.tar"
        tar_path.write_bytes(task["files"])
        try:
            archives.unpack(tar_path, folder / "files", SHIPPED)
            report = grading.grade_safely(found, setup, grading.sandbox.Limits())
        except archives.ArchiveError as exc:  # more files than a submission may have: graded as unusable
            report = failed(found, setup.rubric, f"the submission could not be shipped to the worker ({exc})")
        report.fingerprint = task["fingerprint"]
        return json.dumps({"report": report.model_dump_json(), "worker": _worker_name(),
                           "isolation": [layer.model_dump() for layer in setup.isolation.layers]})
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def failed(found: Found, rubric, why: str) -> SubmissionReport:
    from grader.grading import failure_report

    return failure_report(found, rubric, why)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except Exception:  # run outside a worker (a test calling grade_task directly)
        return "this process"


class DaskRunner:
    """grading.grade's runner on a Dask cluster; `by_worker` collects each worker's isolation layers."""

    def __init__(self, address: str, course: list[str], python: str | None):
        self.address, self.course, self.python = address, course, python
        self.by_worker: dict[str, list[IsolationLayer]] = {}

    @property
    def layers(self) -> list[IsolationLayer]:
        """The layers the workers' children had: once when every worker had the same, else per worker (a worker
        without bubblewrap says so under its own address)."""
        found = list(self.by_worker.values())
        if all(layers == found[0] for layers in found):
            return found[0] if found else []
        return [layer.model_copy(update={"how": f"{layer.how} (worker {worker})"})
                for worker, layers in sorted(self.by_worker.items()) for layer in layers]

    def __call__(self, todo) -> Iterator[SubmissionReport]:
        if not todo:
            return
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'dask[distributed]'") from None
        kind, where = parse(self.address)
        cluster = LocalCluster(n_workers=where, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR) if kind == "local" else None
        logging.getLogger("distributed").setLevel(logging.ERROR)  # Dask's shutdown chatter is not the tutor's
        try:
            with Client(cluster if cluster is not None else where) as client:
                futures = {client.submit(grade_task, payload(found, self.course, self.python, print_), pure=False,
                                         retries=RETRIES, key=f"nngrade-{index}"): (found, setup, print_)
                           for index, (found, setup, print_) in enumerate(todo)}
                for future in as_completed(list(futures)):
                    try:
                        answer = json.loads(future.result())
                    except Exception as exc:  # the task failed on every try: that submission's result says so
                        found, setup, print_ = futures[future]
                        report = failed(found, setup.rubric, f"the cluster could not grade it ({type(exc).__name__}: "
                                                             f"{str(exc)[:200]}); please report it")
                        report.fingerprint = ""  # never reused
                        yield report
                        continue
                    self.by_worker[answer["worker"]] = [IsolationLayer(**layer) for layer in answer["isolation"]]
                    yield SubmissionReport.model_validate_json(answer["report"])
        except OSError as exc:
            raise UsageError(f"--scheduler {self.address}: cannot reach the scheduler ({exc}); start it with "
                             "`dask scheduler` or use local:N") from None
        finally:
            if cluster is not None:
                cluster.close()


def grade(pairs, address: str, course: list[str], python: str | None, **options):
    """grading.grade with its submissions graded on the cluster; the report's isolation section lists what the
    workers' children had."""
    from grader import grading

    runner = DaskRunner(address, course, python)
    run = grading.grade(pairs, runner=runner, **options)
    if runner.by_worker:
        run = run.model_copy(update={"isolation": runner.layers})
    return run


__all__ = ["DaskRunner", "grade", "grade_task", "parse", "payload"]
