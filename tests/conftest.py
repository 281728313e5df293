import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from grader import sheets as discovery

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"
BUILTIN = {sheet.id: sheet for sheet in discovery.builtin()}  # the tests parametrise over the discovered sheets


def reference_of(sheet_id: str):
    """A built-in sheet's reference module, as discovery found it."""
    return BUILTIN[sheet_id].reference


def pytest_configure(config):
    """The error model's disk cache (grader/mutant_cache.py) goes to this run's own folder: a test never reads
    what an earlier run or the user's own grading left behind. CI variables of the machine are cleared."""
    folder = tempfile.mkdtemp(prefix="nngrade-cache-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ["NNGRADE_CACHE"] = folder
    # the machine's CI settings are not the tests' business: a test that wants them sets them itself
    for name in ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NNGRADE_COURSE", "NNGRADE_DISABLE_PACK_AUTOLOAD"):
        os.environ.pop(name, None)


def rubric_given(sheet: str) -> dict:
    """The given data exactly as the shipped rubric states them."""
    with open(RUBRICS / f"{sheet}.toml", "rb") as fh:
        return tomllib.load(fh)["given"]


def course_python(tmp_path_factory, variable: str, packages: list[str], what: str) -> str:
    """A course environment with `packages` in a fresh venv (the grader's own has none of them), or the
    interpreter the environment variable `variable` names; the test skips where they cannot be installed."""
    if os.environ.get(variable):
        return os.environ[variable]
    folder = tmp_path_factory.mktemp("courseenv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = str(folder / "bin" / "python")
    done = subprocess.run([python, "-m", "pip", "install", "-q", *packages], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"{what} cannot be installed here: {done.stderr.strip().splitlines()[-1:]}")
    return python


def hidden_values(sheet: str) -> list[str]:
    """A hidden task's expected numbers as a report would print them (3 and 4 significant digits), where they
    are distinctive enough that finding one means it leaked, and its formulas."""
    import numpy as np

    from grader import api

    key = api.answer_key(sheet)
    out = set()
    for name in key.hidden:
        value = key.values[name]
        if isinstance(value, str):  # a formula; a choice's words appear anyway where a student picked them
            if any(c in value for c in "()*/"):
                out.add(value)
            continue
        for number in np.asarray(value, dtype=float).ravel():
            for digits in (3, 4):
                text = f"{number:.{digits}g}"
                if len(text.lstrip("-")) >= 5:
                    out.add(text)
    return sorted(out)
