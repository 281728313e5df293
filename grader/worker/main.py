"""The child's main loop: apply limits, load the student's files, run each job, stream results.

Results go to `results.jsonl` one line per record, flushed as soon as a job ends:
when the parent has to kill the child (a loop that ignores SIGALRM), every job
finished before keeps its result and only the rest count as timed out.
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import deadline, limits, loader
from .encode import ArrayWriter, encode
from .plan import Inputs, Namespace, PlanError, describe_step, finite_differences, run_step


class Output:
    def __init__(self, folder: Path):
        self.folder = folder
        self.arrays = ArrayWriter(folder)
        self.stream = open(folder / "results.jsonl", "a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record) + "\n")
        self.stream.flush()


def _redirect_output(folder: Path) -> None:
    """Student prints go to files the parent reads with a size cap, never into results."""
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        target = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(target, fd)
        os.close(target)


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


@dataclass
class Loaded:
    """The student's files after loading: modules by stem, and why the others could not be loaded."""

    modules: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # file name -> reason
    files: set[str] = field(default_factory=set)  # absolute paths, to find student lines in tracebacks


def _run_job(job: dict[str, Any], loaded: Loaded, aliases: dict[str, list[str]], default_seed: int,
             out: Output, inputs: Inputs) -> dict[str, Any]:
    stem = job["file"].removesuffix(".py")
    record: dict[str, Any] = {"record": "job", "id": job["id"], "status": "ok", "observed": {}}
    module = loaded.modules.get(stem)
    if module is None:
        if not (Path.cwd() / job["file"]).exists():
            return {**record, "status": "missing", "error": f"the submission has no file {job['file']}"}
        why = loaded.errors.get(job["file"], "it could not be loaded")
        return {**record, "status": "error", "error": f"{job['file']} {why}"}
    ns = Namespace(module, loaded.modules, aliases)
    _seed(job.get("seed", default_seed))
    started = time.monotonic()
    step = None
    try:
        with deadline.limit(job["timeout"]):
            for step in job["steps"]:
                run_step(step, ns, inputs)
            step = None
            observed = {}
            for path in job["observe"]:
                try:
                    observed[path] = encode(ns.resolve(path), out.arrays)
                except PlanError as exc:
                    observed[path] = {"absent": str(exc)}
            record["observed"] = observed
            if job.get("fd"):
                fd = job["fd"]
                grads = finite_differences(ns, fd["params"], fd["loss_steps"], fd["loss"], fd["eps"], inputs)
                record["fd"] = {p: (encode(g, out.arrays) if not isinstance(g, str) else {"absent": g})
                                for p, g in grads.items()}
    except deadline.TimeLimit:
        record.update(status="timeout", error=f"stopped after {job['timeout']:g} s")
    except PlanError as exc:
        record.update(status="missing", error=str(exc))
    except NotImplementedError as exc:
        record.update(status="not-attempted", error=loader.describe(exc))
    except MemoryError:
        record.update(status="error", error="MemoryError: ran out of the memory limit")
    except BaseException as exc:  # student exceptions of every kind, SystemExit included
        record.update(status="error", error=loader.describe(exc))
        line = loader.student_line(exc, loaded.files)
        if line:
            record["line"] = line
    if step is not None and record["status"] != "ok":
        record["step"] = describe_step(step)
    record["seconds"] = round(time.monotonic() - started, 4)
    return record


def _load_files(plan: dict[str, Any], workspace: Path, out: Output) -> Loaded:
    log: list[dict[str, Any]] = []
    finder = loader.WorkspaceFinder(workspace, log, plan.get("statement_seconds", 10.0), set(plan.get("blocked", [])))
    sys.meta_path.insert(0, finder)
    loaded = Loaded(files={str(workspace / name) for name in plan["files"]})
    for name in plan["files"]:
        stem = name.removesuffix(".py")
        if not (workspace / name).exists():
            out.write({"record": "load", "file": name, "missing": True})
            continue
        _seed(plan.get("seed", 0))
        log.clear()
        started = time.monotonic()
        try:
            loaded.modules[stem] = loader.load(stem)
        except ImportError as exc:
            if not log:
                log.append({"file": name, "line": None, "kind": "unreadable", "error": str(exc)})
            loaded.errors[name] = log[-1]["error"]
        out.write({"record": "load", "file": name, "log": list(log), "seconds": round(time.monotonic() - started, 4)})
    return loaded


def run(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    out_folder = Path(plan["out"])
    inputs = Inputs(Path(plan["inputs"]))
    layers = limits.apply(plan.get("limits", {}))
    _redirect_output(out_folder)
    out = Output(out_folder)
    workspace = Path(plan["workspace"])
    os.chdir(workspace)
    sys.path.insert(0, str(workspace))
    os.environ["MPLBACKEND"] = "Agg"
    deadline.install()
    out.write({"record": "hello", "layers": layers, "pid": os.getpid()})
    loaded = _load_files(plan, workspace, out)
    for job in plan["jobs"]:
        out.write(_run_job(job, loaded, plan.get("aliases", {}), plan.get("seed", 0), out, inputs))
    out.write({"record": "done"})
    out.stream.close()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # a student may have replaced or closed the stream
            pass
    os._exit(0)  # skip interpreter teardown: student atexit handlers and __del__ methods do not run
