"""nngrade side by side with nbgrader on the same generated notebooks, in one run (issue 18).

    python bench/bench_peers.py [N] [--reps R] [--jobs J] [--skip-nbgrader] [--cache DIR]

nbgrader 0.9.6 is not a project dependency: the first run installs it from PyPI (with ipykernel and numpy) into
its own venv under `$XDG_CACHE_HOME/nngrade-bench` (else `~/.cache/nngrade-bench`, or --cache DIR) and later
runs reuse it. Its notebooks run on a kernelspec of that venv's python, `nngrade-bench`, installed into the venv.

N students (default 30) each get one notebook of a small activation exercise: nnti-ws2425-sheet6's
`activations.py` of the Krueger_2581234_Hartmann_2579911 example (sigmoid, tanh, relu, softmax, both derivatives
and forward) as one code cell, and a cell that prints a forward pass. Every fifth student's relu is wrong on
purpose (np.maximum(x, 0.1); students 1, 6, 11, ...). The same code is written twice:
- for nngrade as `nnti-ws2425-sheet6/Student_<100000+i>/activations.ipynb` beside the Krueger folder's
  `answers.toml`, graded by `grade DIR --json F -j J` (the sibling `grade` script of this interpreter);
- for nbgrader as a course (`source/ps1/activations.ipynb` with a solution cell and four locked grade cells of
  1 point each that assert values of sigmoid, relu, softmax and forward; `nbgrader generate_assignment`), each
  student's release copy with their code in the solution cell under `submitted/<student>/ps1/`, graded by one
  `nbgrader autograde ps1 --force` (one kernel per notebook, one notebook at a time, as nbgrader does).

Printed figures:
- seconds per notebook of each grader (wall clock of the whole command, interpreter start-up included, / N;
  median of R repetitions run interleaved: nbgrader, nngrade, nbgrader, nngrade, ...), each repetition's own
  figures, and the ratio nbgrader / nngrade. Each repetition's scores are checked: nngrade's JSON report must give
  the right students the Krueger submission's automatic score (4.6572, as tests/test_submissions.py records) and
  the wrong ones the score below; nbgrader's gradebook (`nbgrader export`) 4 and 2 points;
- the one-notebook self-check: `grade check FOLDER --sheet nnti-ws2425-sheet6` on one student's folder, a fresh
  process each time (median of 5);
- the unchanged re-run: `grade DIR --json F --resume` right after a full run wrote F, as a share of the full run;
- the parent's memory: the peak RSS of the `grade` process itself (getrusage(RUSAGE_SELF) at its exit, in a small
  wrapper that runs the script), for N and 4N notebooks. Not `/usr/bin/time -f %M`: that is the largest process
  of the tree, and a child's figure starts from the parent's RSS at the fork.
Each figure is printed beside its goal from issue 18; nothing is asserted about time.
"""
from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
SHEET = "nnti-ws2425-sheet6"
SOURCE = ROOT / "submissions" / SHEET / "Krueger_2581234_Hartmann_2579911"
NBGRADER = "0.9.6"
KERNEL = "nngrade-bench"
RIGHT_RELU = "np.maximum(np.asarray(x, dtype=float), 0.0)"
WRONG_RELU = "np.maximum(np.asarray(x, dtype=float), 0.1)"
# nngrade's automatic points: the Krueger submission's score, and that score less what a relu with floor 0.1
# costs: 6.3.code's relu value (0.25) and 6.3.a's forward value (0.2857 of its automatic share).
NNGRADE_POINTS = {True: 4.6572, False: 4.1215}
NBGRADER_POINTS = {True: 4.0, False: 2.0}  # the relu and forward grade cells fail for a wrong relu
GOALS = {"ratio": 15.0, "per_notebook": 0.1, "self_check": 0.6, "resume": 5.0}

TESTS = {
    "sigmoid": "x = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])\n"
               "assert np.allclose(sigmoid(x), [0.0, 1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-3.0)), 1.0])",
    "relu": "assert np.allclose(relu(np.array([[-1.0, 0.0], [2.0, -3.0]])), [[0.0, 0.0], [2.0, 0.0]])",
    "softmax": "Z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])\n"
               "e = np.exp([1.0, 2.0, 3.0])\n"
               "assert np.allclose(softmax(Z), [e / e.sum(), e / e.sum()])",
    "forward": "x = np.array([1.0, 2.0, 1.0])\n"
               "W1 = np.array([[2.0, -1.0], [1.0, -3.0], [-2.0, 5.0]])\n"
               "W2 = np.array([[6.0, 2.0], [-1.0, 8.0]])\n"
               "assert np.allclose(forward(x, W1, W2), [1 / (1 + np.exp(-8.0)), 1 / (1 + np.exp(8.0))])",
}


def is_right(i: int) -> bool:
    return i % 5 != 1  # every fifth student from the second on: N = 4 has one too


def student_name(i: int) -> str:
    return f"Student_{100000 + i}"  # Name_id, as a group folder is named (a digit in the name is flagged)


def student_code(i: int) -> tuple[str, str]:
    """The two code cells of student i: the functions of the Krueger submission, and its `__main__` block as a
    cell of its own (a notebook has no `if __name__` guard)."""
    text = (SOURCE / "activations.py").read_text()
    body, _, main = text.partition('\nif __name__ == "__main__":\n')
    body = body[body.index("import numpy"):].rstrip() + "\n"  # without the module docstring
    if RIGHT_RELU not in body or not main:
        raise SystemExit(f"error: {SOURCE / 'activations.py'} changed: no `{RIGHT_RELU}` or no __main__ block")
    if not is_right(i):
        body = body.replace(RIGHT_RELU, WRONG_RELU)
    demo = "\n".join(line[4:] for line in main.splitlines()) + f"\nstudent = {i}\n"
    return body, demo


def nngrade_set(folder: Path, n: int) -> Path:
    """N notebooks under folder/nnti-ws2425-sheet6, each beside the Krueger answers file; returns the sheet
    folder."""
    sheet = folder / SHEET
    for i in range(n):
        sub = sheet / student_name(i)
        sub.mkdir(parents=True)
        nb = new_notebook(cells=[new_code_cell(code) for code in student_code(i)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, sub / "activations.ipynb")
        shutil.copyfile(SOURCE / "answers.toml", sub / "answers.toml")
    return sheet


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        what: str = "") -> float:
    """Wall clock of one command; a failure is a one-line error that quotes the command's last line."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise SystemExit(f"error: {what or command[0]} failed (exit {done.returncode}): "
                         f"{lines[-1] if lines else 'no output'}")
    return seconds


# nbgrader: its venv, its course, its batch


def cache_folder(given: str | None) -> Path:
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nngrade-bench"


def nbgrader_venv(cache: Path) -> Path:
    """The venv with nbgrader, ipykernel and numpy and the `nngrade-bench` kernelspec: made once, then reused."""
    venv = cache / f"nbgrader-{NBGRADER}"
    python, ready = venv / "bin" / "python", venv / ".nngrade-bench-ready"
    if ready.exists() and python.exists():
        return venv
    hint = "; --skip-nbgrader prints nngrade's figures only"
    print(f"installing nbgrader {NBGRADER} into {venv} (once; a minute or two) ...", flush=True)
    steps = [([sys.executable, "-m", "venv", "--clear", str(venv)], "creating the venv"),
             ([str(python), "-m", "pip", "install", "--quiet", f"nbgrader=={NBGRADER}", "ipykernel", "numpy"],
              f"pip install nbgrader=={NBGRADER}"),
             ([str(python), "-m", "ipykernel", "install", "--prefix", str(venv), "--name", KERNEL,
               "--display-name", "Python (nngrade-bench)"], "installing the kernelspec"),
             ([str(python), "-c", f"import nbgrader, numpy; assert nbgrader.__version__ == {NBGRADER!r}"],
              "importing nbgrader")]
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for command, what in steps:
            run(command, what=f"{what} in {venv}")
    except OSError as exc:
        raise SystemExit(f"error: nbgrader {NBGRADER} could not be installed into {venv}: {exc}{hint}") from exc
    except SystemExit as exc:
        raise SystemExit(f"{exc}{hint}") from exc
    ready.write_text(f"nbgrader {NBGRADER}\n")
    return venv


def nbgrader_env(venv: Path, course: Path) -> dict[str, str]:
    """The venv first on PATH, its kernelspecs found first, and no user-wide Jupyter configuration."""
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               JUPYTER_PATH=str(venv / "share" / "jupyter"), JUPYTER_CONFIG_DIR=str(course / ".jupyter"))
    env.pop("PYTHONPATH", None)
    return env


def grade_cell(cell, grade_id: str, points: float, *, solution: bool) -> None:
    cell.metadata["nbgrader"] = {"grade": not solution, "grade_id": grade_id, "locked": not solution,
                                 "schema_version": 3, "solution": solution, "task": False,
                                 **({} if solution else {"points": points})}


def nbgrader_course(folder: Path, n: int, venv: Path) -> Path:
    """A course with assignment ps1 generated from its source notebook and N students' submissions."""
    course = folder / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / ".jupyter").mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'nngrade-bench'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.Execute.kernel_name = {KERNEL!r}\n")
    solution, demo = student_code(0)
    cells = [new_markdown_cell("# Activations (nnti-ws2425-sheet6, exercise 6.3)"),
             new_code_cell(f"### BEGIN SOLUTION\n{solution}### END SOLUTION"), new_code_cell(demo)]
    grade_cell(cells[1], "activations", 0, solution=True)
    for name, test in TESTS.items():
        cells.append(new_code_cell(test))
        grade_cell(cells[-1], f"test_{name}", 1, solution=False)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python (nngrade-bench)", "language": "python"}
    nbformat.write(nb, course / "source" / "ps1" / "activations.ipynb")
    env = nbgrader_env(venv, course)
    run([str(venv / "bin" / "nbgrader"), "generate_assignment", "ps1", "--force"], cwd=course, env=env,
        what="nbgrader generate_assignment")
    release = nbformat.read(course / "release" / "ps1" / "activations.ipynb", as_version=4)
    for i in range(n):
        nb = copy.deepcopy(release)
        code, demo = student_code(i)
        answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "activations")
        answer.source = code
        nb.cells[nb.cells.index(answer) + 1].source = demo
        target = course / "submitted" / student_name(i) / "ps1"
        target.mkdir(parents=True)
        nbformat.write(nb, target / "activations.ipynb")
    return course


def nbgrader_batch(course: Path, venv: Path, n: int) -> tuple[float, bool]:
    """Wall clock of one `nbgrader autograde` of every student, and whether the gradebook has the expected
    scores."""
    shutil.rmtree(course / "autograded", ignore_errors=True)
    env = nbgrader_env(venv, course)
    seconds = run([str(venv / "bin" / "nbgrader"), "autograde", "ps1", "--force"], cwd=course, env=env,
                  what="nbgrader autograde")
    grades = course / "grades.csv"
    run([str(venv / "bin" / "nbgrader"), "export", "--to", str(grades)], cwd=course, env=env,
        what="nbgrader export")
    with grades.open(newline="") as f:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    expected = {student_name(i): NBGRADER_POINTS[is_right(i)] for i in range(n)}
    return seconds, scores == expected


# nngrade


def nngrade_batch(grade: str, sheet: Path, report: Path, jobs: int, *extra: str) -> tuple[float, bool]:
    """Wall clock of one `grade` run over the sheet folder, and whether its JSON report has the expected
    scores."""
    seconds = run([grade, str(sheet), "--json", str(report), "-j", str(jobs), *extra], what="grade")
    return seconds, nngrade_scores_ok(report, sheet)


def nngrade_scores_ok(report: Path, sheet: Path) -> bool:
    n = sum(1 for _ in sheet.iterdir())
    subs = json.loads(report.read_text())["submissions"]
    scores = {s["name"]: round(s["points"], 4) for s in subs if not s["grader_error"]}
    return scores == {student_name(i): NNGRADE_POINTS[is_right(i)] for i in range(n)}


RSS_WRAPPER = """\
import resource, runpy, sys
script, out = sys.argv[1], sys.argv[2]
sys.argv = [script, *sys.argv[3:]]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    with open(out, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def parent_memory(grade: str, sheet: Path, folder: Path, jobs: int) -> float:
    """Peak RSS in MiB of the `grade` process itself, grading the sheet folder once."""
    out = folder / "rss.txt"
    run([sys.executable, "-c", RSS_WRAPPER, grade, str(out), str(sheet), "--json", str(folder / "rss.json"),
         "-j", str(jobs)], what="grade (memory)")
    return int(out.read_text()) / 1024


def verdict(ok: bool) -> str:
    return "scores as expected" if ok else "scores NOT as expected"


def side_by_side(grade: str, sheet: Path, course: Path | None, venv: Path | None, folder: Path,
                 args: argparse.Namespace) -> None:
    """The interleaved repetitions: each one printed, then the medians and their ratio."""
    times: dict[str, list[float]] = {"nbgrader": [], "nngrade": []}
    for rep in range(args.reps):
        line = f"repetition {rep + 1}:"
        if course and venv:
            seconds, ok = nbgrader_batch(course, venv, args.n)
            times["nbgrader"].append(seconds)
            line += f" nbgrader {seconds:6.2f} s ({verdict(ok)}),"
        seconds, ok = nngrade_batch(grade, sheet, folder / f"nngrade-{rep}.json", args.jobs)
        times["nngrade"].append(seconds)
        print(f"{line} nngrade {seconds:6.2f} s ({verdict(ok)})", flush=True)
    ours = statistics.median(times["nngrade"])
    print(f"nngrade:  {ours / args.n:.3f} s per notebook (median of {args.reps}, start-up included; "
          f"goal <= {GOALS['per_notebook']:g} s)")
    if times["nbgrader"]:
        theirs = statistics.median(times["nbgrader"])
        print(f"nbgrader: {theirs / args.n:.3f} s per notebook (median of {args.reps}, start-up included)")
        print(f"ratio nbgrader / nngrade: {theirs / ours:.1f}x (goal >= {GOALS['ratio']:g}x)")


def self_check(grade: str, sheet: Path) -> None:
    folder = sheet / student_name(0)
    seconds = [run([grade, "check", str(folder), "--sheet", SHEET], what="grade check") for _ in range(5)]
    print(f"one-notebook self-check (grade check, a fresh process each): {statistics.median(seconds):.2f} s "
          f"(median of 5; goal <= {GOALS['self_check']:g} s)")


def resume(grade: str, sheet: Path, folder: Path, n: int, jobs: int) -> None:
    report = folder / "resume.json"
    full, _ = nngrade_batch(grade, sheet, report, jobs)
    again, ok = nngrade_batch(grade, sheet, report, jobs, "--resume")
    reused = json.loads(report.read_text()).get("reused", 0)
    print(f"unchanged re-run (--resume): {again:.2f} s, {100 * again / full:.1f} % of the full run's {full:.2f} s "
          f"({reused} of {n} results reused, {verdict(ok)}; goal <= {GOALS['resume']:g} %)")


def memory(grade: str, sheet: Path, folder: Path, n: int, jobs: int) -> None:
    large = nngrade_set(folder / "large", 4 * n)
    figures = [f"{label} = {count}: {parent_memory(grade, where, folder, jobs):.0f} MiB"
               for label, count, where in (("N", n, sheet), ("4N", 4 * n, large))]
    print(f"grade's own peak RSS: {', '.join(figures)} (goal: flat in N)")


def versions(venv: Path | None) -> str:
    ours = f"nngrade {metadata.version('nngrade')} (numpy {metadata.version('numpy')}, {os.cpu_count()} cores)"
    if venv is None:
        return ours
    done = subprocess.run([str(venv / "bin" / "python"), "-c", "import ipykernel, nbconvert, numpy; "
                           "print(nbconvert.__version__, ipykernel.__version__, numpy.__version__)"],
                          capture_output=True, text=True, env=nbgrader_env(venv, venv))
    nbconvert, ipykernel, numpy = (done.stdout.split() + ["?"] * 3)[:3]
    return (f"{ours}; nbgrader {NBGRADER} (nbconvert {nbconvert}, ipykernel {ipykernel}, numpy {numpy}; "
            f"one kernel per notebook, one notebook at a time)")


def main() -> None:
    parser = argparse.ArgumentParser(description="nngrade side by side with nbgrader (issue 18)")
    parser.add_argument("n", type=int, nargs="?", default=30, help="notebooks (default 30)")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="grade -j (default: cores)")
    parser.add_argument("--skip-nbgrader", action="store_true", help="print nngrade's figures only")
    parser.add_argument("--cache", help="folder for nbgrader's venv (default $XDG_CACHE_HOME/nngrade-bench)")
    args = parser.parse_args()
    if args.n < 1 or args.reps < 1 or args.jobs < 1:
        parser.error("N, --reps and --jobs must be at least 1")
    grade = str(Path(sys.executable).with_name("grade"))
    if not Path(grade).exists():
        raise SystemExit(f"error: no `grade` script beside {sys.executable}; run this with nngrade's venv python")
    venv = None if args.skip_nbgrader else nbgrader_venv(cache_folder(args.cache))
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        sheet = nngrade_set(folder / "nngrade", args.n)
        course = nbgrader_course(folder / "nbgrader", args.n, venv) if venv else None
        print(versions(venv))
        print(f"{args.n} notebooks, {sum(not is_right(i) for i in range(args.n))} of them with a wrong relu; "
              f"grade -j {args.jobs}")
        side_by_side(grade, sheet, course, venv, folder, args)
        self_check(grade, sheet)
        resume(grade, sheet, folder, args.n, args.jobs)
        memory(grade, sheet, folder, args.n, args.jobs)
        print(f"bench took {time.perf_counter() - started:.0f} s (an nbgrader install not counted)")


if __name__ == "__main__":
    main()
