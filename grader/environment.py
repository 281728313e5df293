"""The interpreter that runs student code, and which of the rubric's required modules it has.

The grader needs neither torch nor jax; a course's environment may. `--python
PATH` (or the rubric's `python`) names that interpreter. It is asked once per
run, in a child of its own, whether it is usable (Python >= 3.10 with numpy) and
which modules the rubric's tasks require; tasks whose modules are missing are
reported as unavailable, not as the student's failure.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from grader.worker import probe as probe_script

MIN_VERSION = (3, 10)
PROBE = Path(__file__).resolve().parent / "worker" / "probe.py"


class EnvironmentProblem(Exception):
    """The interpreter cannot run student code; the message says what to fix."""


@dataclass(frozen=True)
class Environment:
    python: str | None  # None: the grader's own interpreter
    version: tuple[int, ...] = tuple(sys.version_info[:3])
    modules: dict[str, bool] = field(default_factory=dict)
    roots: tuple[str, ...] = ()  # folders the interpreter reads from: bound read-only into the sandbox
    installed: tuple[str, ...] = ()  # where it has the grader's or a sheet pack's packages: hidden in the sandbox

    @property
    def label(self) -> str:
        return f"{self.python or sys.executable} (Python {'.'.join(map(str, self.version))})"

    def missing(self, required: list[str]) -> list[str]:
        return [name for name in required if not self.modules.get(name, False)]


def _own(modules: tuple[str, ...]) -> Environment:
    return Environment(None, modules=probe_script.report(["numpy", *modules])["modules"])


@lru_cache(maxsize=16)
def probe(python: str | None, modules: tuple[str, ...] = (), packages: tuple[str, ...] = ()) -> Environment:
    """Ask the interpreter once (cached per run) for its version and modules, and where it has `packages`
    (the grader's and the sheet's top-level packages, which a course environment may have installed too)."""
    # absolute, not resolved: a venv's python is a symlink to the base interpreter but has other packages
    if python is None or Path(python).absolute() == Path(sys.executable).absolute():
        return _own(("numpy",) + modules)
    path = shutil.which(python) or python
    if not Path(path).is_file():
        raise EnvironmentProblem(f"--python {python}: no such interpreter; give the path of the course "
                                 "environment's python (e.g. ~/envs/course/bin/python)")
    try:
        done = subprocess.run([path, "-I", str(PROBE), json.dumps(["numpy", *modules]), json.dumps(packages)],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        version = tuple(int(v) for v in answer["version"])
        found = {str(k): v is True for k, v in answer["modules"].items()}
        numpy_error = answer.get("numpy_error")
        roots = tuple(str(r) for r in answer.get("roots", []) if isinstance(r, str))
        installed = tuple(str(r) for r in answer.get("installed", []) if isinstance(r, str))
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError, TypeError):
        raise EnvironmentProblem(f"--python {python} does not run as a Python interpreter; "
                                 "give the path of the course environment's python") from None
    if version < MIN_VERSION:
        raise EnvironmentProblem(f"--python {python} is Python {'.'.join(map(str, version))}; "
                                 f"student code needs Python {'.'.join(map(str, MIN_VERSION))} or newer")
    if not found.get("numpy"):
        raise EnvironmentProblem(f"--python {python} has no numpy; install it there (`{path} -m pip install numpy`)")
    if numpy_error:
        raise EnvironmentProblem(f"--python {python}: numpy does not import ({numpy_error}); repair it there "
                                 f"(`{path} -m pip install --force-reinstall numpy`)")
    return Environment(path, version, found, roots, installed)
