"""The README's "Add your own sheet", run command by command in a temporary folder, as a course would."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def tutorial_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Add your own sheet"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_add_your_own_sheet_tutorial_runs_as_written(tmp_path):
    bin_folder = str(Path(sys.executable).parent)  # where `grade` and `pytest` of this environment are
    env = {**{k: v for k, v in os.environ.items() if k != "NNGRADE_COURSE"},
           "PATH": bin_folder + os.pathsep + os.environ.get("PATH", ""), "COLUMNS": "250"}
    here = tmp_path
    outputs = {}
    for command in tutorial_commands():
        for part in command.split("&&"):
            words = shlex.split(part)
            if words[0] == "cd":
                here = here / words[1]
                continue
            done = subprocess.run(words, cwd=here, env=env, capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, f"{part}: {done.stdout}{done.stderr}"
            outputs[part.strip()] = done.stdout
    assert "1 of 1 rubric files valid" in outputs["grade rubric check"]
    graded = outputs["grade examples ml-ws2627-sheet8 --details"]
    assert "the bias is left out of the linear map (hidden)" in graded
    assert re.search(r"Ada_1000001.*9/10", graded) and re.search(r"Bob_1000002.*1/10", graded)
    assert "3 passed" in outputs["pytest -q tests"]
