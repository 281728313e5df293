"""The child's main loop: apply limits, load the student's files, run each job, stream results.

Results go to `results.jsonl` one line per record, flushed as soon as a job ends:
when the parent has to kill the child (a loop that ignores SIGALRM), every job
finished before keeps its result and only the rest count as timed out.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import deadline, guard, limits, loader, notebook
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


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


@dataclass
class Loaded:
    """The student's files after loading: modules by stem, and why the others could not be loaded."""

    modules: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # file name -> reason
    files: set[str] = field(default_factory=set)  # code file names in tracebacks, to find student lines
    cells: dict[str, int] = field(default_factory=dict)  # notebook cell file name -> cell index
    present: set[str] = field(default_factory=set)  # rubric file names the submission supplies


def module_name(file: str) -> str:
    return Path(file).stem


def _run_job(job: dict[str, Any], loaded: Loaded, aliases: dict[str, list[str]], default_seed: int,
             out: Output, inputs: Inputs) -> dict[str, Any]:
    record: dict[str, Any] = {"record": "job", "id": job["id"], "status": "ok", "observed": {}}
    module = loaded.modules.get(module_name(job["file"]))
    if module is None:
        if job["file"] not in loaded.present:
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
            record["aliases"] = ns.used[:10]
            if job.get("fd"):
                fd = job["fd"]
                seen: list[float] = []
                grads = finite_differences(ns, fd["params"], fd["loss_steps"], fd["loss"], fd["eps"], inputs, seen)
                record["fd"] = {p: (encode(g, out.arrays) if not isinstance(g, str) else {"absent": g})
                                for p, g in grads.items()}
                record["fd_precision"] = max(seen, default=float(np.finfo(float).eps))
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
        frame = loader.student_frame(exc, loaded.files | set(loaded.cells))
        if frame:
            record["line"] = frame[1]
            record["where"] = os.path.basename(frame[0])  # which file: a check may call into another one
            if frame[0] in loaded.cells:
                record["cell"] = loaded.cells[frame[0]]
    if step is not None and record["status"] != "ok":
        record["step"] = describe_step(step)
    record["seconds"] = round(time.monotonic() - started, 4)
    return record


def _notebook_runner(plan: dict[str, Any], spec: dict[str, Any], out: Output, aliases: dict[str, list[str]]):
    """Runs a notebook's cells when the notebook is imported, streaming one record per cell."""
    def run(module) -> None:
        def read(path: str) -> Any:
            try:
                return encode(Namespace(module, {}, aliases).resolve(path), out.arrays)
            except PlanError as exc:
                return {"absent": str(exc)}
            except Exception as exc:  # a property that raises
                return {"absent": f"reading `{path}` raised {loader.describe(exc)}"}

        notebook.run_cells(module, spec, plan.get("cell_seconds", 10.0), plan.get("notebook_seconds", 60.0),
                           out.arrays, bool(plan.get("figures")), out.write, read)
    return run


def _load_files(plan: dict[str, Any], workspace: Path, out: Output) -> Loaded:
    log: list[dict[str, Any]] = []
    notebooks = plan.get("notebooks", {})
    runners = {module_name(name): _notebook_runner(plan, {**spec, "name": name}, out, plan.get("aliases", {}))
               for name, spec in notebooks.items()}
    finder = loader.WorkspaceFinder(workspace, log, plan.get("statement_seconds", 10.0),
                                    set(plan.get("blocked", [])), runners)
    sys.meta_path.insert(0, finder)
    loaded = Loaded(files={str(workspace / f"{module_name(name)}.py") for name in plan["files"]},
                    cells={f"<{spec['file']} cell {cell['index']}>": cell["index"]
                           for spec in notebooks.values() for cell in spec["cells"]},
                    present={name for name in plan["files"]
                             if name in notebooks or (workspace / f"{module_name(name)}.py").exists()})
    for name in plan["files"]:
        stem = module_name(name)
        if name not in loaded.present:
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
        except BaseException as exc:  # the notebook runner itself failed (a student broke sys or the stand-in)
            log.append({"file": name, "line": None, "kind": "exception", "error": loader.describe(exc)})
            loaded.errors[name] = f"could not be run: {loader.describe(exc)}"
        module = loaded.modules.get(stem)
        names = [k[:100] for k in list(getattr(module, "__dict__", {}))
                 if isinstance(k, str) and not k.startswith("__")][-5000:] if module is not None else []
        out.write({"record": "load", "file": name, "log": list(log), "seconds": round(time.monotonic() - started, 4),
                   "names": names})
    return loaded


def run(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    out_folder = Path(plan["out"])
    inputs = Inputs(Path(plan["inputs"]))
    layers = limits.apply(plan.get("limits", {}))
    out = Output(out_folder)
    workspace = Path(plan["workspace"])
    # in the sandbox: the working directory and matplotlib's config folder are tmpfs, filled from read-only copies
    for source, target in ((plan.get("workspace_source"), workspace),
                           (plan.get("config_source"), os.environ.get("MPLCONFIGDIR"))):
        if source and target:
            Path(target).mkdir(parents=True, exist_ok=True)
            for item in Path(source).iterdir():
                if item.is_file() and not item.is_symlink():
                    shutil.copyfile(item, Path(target) / item.name)
    os.chdir(workspace)
    sys.path.insert(0, str(workspace))
    os.environ["MPLBACKEND"] = "Agg"
    deadline.install()
    if plan.get("guard"):  # no sandbox on this machine: the audit hook is the weaker layer
        allowed = [*plan.get("allowed", []), *sys.path, sys.prefix, sys.base_prefix, str(workspace)]
        guard.install(plan.get("forbidden", []), allowed).active = True
        layers["guard"] = True
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
