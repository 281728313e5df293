"""nngrade as a regular package: built as a wheel, installed into a fresh venv beside a sheet pack, it grades the
shipped examples from any folder, and a hostile submission that searches every path it can see finds none of the
grader's, the references', the rubrics' or the pack's files, with the sandbox and with the audit hook alone."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_sheets import COURSE, TOY
from tests.test_submissions import EXPECTED

pytestmark = pytest.mark.slow

# Every file the child can reach: sys.path, the libraries' folders, the working folder and the usual places.
HOSTILE = textwrap.dedent('''
    import os, sys
    import numpy

    # what only the references, the rubrics, the grader's modules and the examples hold, and compiled files
    # named like the grader's and the references' modules
    SIGNS = ("def answer_key(given", "[[tasks.checks]]", "from grader.", "from reference.", "xi * wi")
    COMPILED = ("toy_sheet.", "tub_ml_sheet1.", "nnti_ws2324_sheet7.", "mutation_operators.", "known_mistakes.")
    roots = {p for p in sys.path if p} | {os.getcwd(), sys.prefix, "/tmp", "/opt", "/home", "/root", "/srv",
             os.path.dirname(os.path.dirname(numpy.__file__))}
    found, searched = [], 0
    for root in sorted(roots):
        for folder, dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                searched += 1
                if name.endswith(".pyc") and name.startswith(COMPILED):
                    found.append(path)
                if not name.endswith((".py", ".toml", ".ipynb", ".md")) or "numpy" in path or "matplotlib" in path:
                    continue
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        text = handle.read(200000)
                except OSError:
                    continue
                if any(sign in text for sign in SIGNS) and "SIGNS" not in text:  # not this file's own copies
                    found.append(path)
    for path in found[:20]:
        print("FOUND", path)
    print("SEARCHED", searched)


    def neuron(x, w, b):
        return 1 / (1 + numpy.exp(-(numpy.dot(w, x) + b)))
''')

PACK = textwrap.dedent('''
    [build-system]
    requires = ["setuptools>=68"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "toy-pack"
    version = "1.2"

    [project.entry-points."nngrade.sheets"]
    toy-sheet = "toy_pack.toy_sheet"

    [tool.setuptools]
    packages = ["toy_pack"]

    [tool.setuptools.package-data]
    toy_pack = ["rubrics/*.toml", "submissions/**/*"]
''')


def _run(command: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NNGRADE_COURSE", "VIRTUAL_ENV"))}
    env["COLUMNS"] = "300"  # tables keep every path whole
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=1800, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the nngrade wheel and the toy pack's wheel (tests/course/ as a package)."""
    tmp = tmp_path_factory.mktemp("wheel")
    (tmp / "real").mkdir()
    (tmp / "link").symlink_to(tmp / "real")  # the venv is used through a symlink, as under a symlinked /home
    venv = tmp / "link" / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    source = tmp / "source"  # a copy: building must not leave build/ or *.egg-info in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                                                 ".pytest_cache"))
    pack = tmp / "toy-pack"
    shutil.copytree(COURSE / "rubrics", pack / "toy_pack" / "rubrics")
    shutil.copytree(COURSE / "submissions", pack / "toy_pack" / "submissions")
    shutil.copy(COURSE / "reference" / "toy_sheet.py", pack / "toy_pack" / "toy_sheet.py")
    (pack / "toy_pack" / "__init__.py").write_text("")
    (pack / "pyproject.toml").write_text(PACK)
    wheels = tmp / "wheels"
    for project in (source, pack):
        built = _run([python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(project)], tmp)
        if built.returncode != 0:
            pytest.skip(f"cannot build a wheel here: {built.stderr.strip().splitlines()[-1:]}")
    done = _run([python, "-m", "pip", "install", "-q", *map(str, sorted(wheels.glob("*.whl")))], tmp)
    if done.returncode != 0:
        pytest.skip(f"the wheels' dependencies cannot be installed here: {done.stderr.strip().splitlines()[-1:]}")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return venv, elsewhere


def test_the_wheel_carries_rubrics_and_examples_and_grades_them_from_another_folder(installed):
    venv, elsewhere = installed
    done = _run([str(venv / "bin" / "grade"), "examples", "--json", "report.json"], elsewhere)
    assert done.returncode == 0, done.stderr
    report = json.loads((elsewhere / "report.json").read_text())
    points = {(s["sheet"], s["name"]): s["points"] for s in report["submissions"]}
    assert {key: points[key] for key in EXPECTED} == pytest.approx({key: p for key, (p, _) in EXPECTED.items()},
                                                                   abs=1e-3)
    assert points[(TOY, "Right_1000001")] == 2.0 and points[(TOY, "Wrong_1000002")] == 0.0
    assert {"id": TOY, "origin": "pack toy-pack 1.2", "replaces": ""} in report["sheets"]
    listed = _run([str(venv / "bin" / "python"), "-c", "from grader import api; print([str(s.rubric) for s in api.sheets()])"],
                  elsewhere)
    rubrics = json.loads(listed.stdout.replace("'", '"'))
    assert len(rubrics) == 6 and all("/site-packages/" in r for r in rubrics)  # read from the installed package
    key = _run([str(venv / "bin" / "grade"), "key", "tub-ml-sheet1", "--json", "--hidden"], elsewhere)
    assert key.returncode == 0 and "1.a.dl_dmu" in json.loads(key.stdout)
    template = _run([str(venv / "bin" / "grade"), "template", "nnti-ws2324-sheet7", "--out", "handout"], elsewhere)
    assert template.returncode == 0 and (elsewhere / "handout" / "backprop.ipynb").is_file()


GRADE_HOSTILE = '''
import json, sys
from grader import api, isolation
if sys.argv[2] == "guard":
    isolation.bwrap_binary = lambda: None  # the audit hook alone, as on a machine without bubblewrap
run = api.grade([sys.argv[1]])
print(json.dumps({r.name: [r.points, r.output] for r in run.submissions}))
print(json.dumps([layer.name for layer in run.isolation if layer.active]))
'''


@pytest.mark.parametrize("layer", ["filesystem", "guard"])
def test_a_hostile_submission_finds_none_of_the_graders_or_the_packs_files(installed, layer):
    venv, elsewhere = installed
    subs = elsewhere / f"subs-{layer}" / TOY
    shutil.copytree(COURSE / "submissions" / TOY / "Right_1000001", subs / "Right_1000001")
    (subs / "Hostile_1000003").mkdir()
    (subs / "Hostile_1000003" / "neuron.py").write_text(HOSTILE)
    done = _run([str(venv / "bin" / "python"), "-c", GRADE_HOSTILE, str(subs.parent), layer], elsewhere)
    assert done.returncode == 0, done.stderr
    reports, active = map(json.loads, done.stdout.strip().splitlines()[-2:])
    assert layer in active
    points, output = reports["Hostile_1000003"]
    assert points == 2.0 and reports["Right_1000001"][0] == 2.0
    searched = int(output.split("SEARCHED", 1)[1].split()[0])
    assert searched > 500, output  # it did look: numpy's and the other libraries' files are there to see
    assert "FOUND" not in output, output
