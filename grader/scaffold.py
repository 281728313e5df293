"""`grade new SHEET-ID`: a course's own sheet that grades out of the box, to be edited into the real one.

The example is a one-hidden-layer tanh network for regression: hand-computed forward pass and loss (answer), the
same in code (value), a derivative (expression), the output activation (choice) and a derivation (manual). The
reference uses the built-in named steps (reference.common), so the error model names slips in it unasked.
"""
from __future__ import annotations

import re
from pathlib import Path

from grader.errors import UsageError
from grader.sheets import module_name

SHEET_ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

REFERENCE = '''"""{sheet}: a one-hidden-layer tanh network for regression (the scaffold's example; make it your sheet's).

The reference computes every expected value from the rubric's given data. Write it as the sheet's solution, in
named steps (reference.common: linear, tanh, ...), so that the grader's error model can name a student's slip
(a transposed weight matrix, a missing bias, another activation) without a list of mistakes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from reference.common import linear, tanh
from reference.formula import Formula, Variable
from reference.given import GivenModel, Matrix, Vector

SHEET_ID = "{sheet}"


class Network(GivenModel):
    """Given data of exercise 1 (the rubric's [given."1"])."""

    x: Vector
    W1: Matrix  # hidden x input
    b1: Vector
    w2: Vector
    b2: float
    t: float


GIVEN_MODELS = {{"1": Network}}


def forward(x, W1, b1, w2, b2) -> dict[str, Any]:
    z = linear(W1, x, b1, where="hidden")
    h = tanh(z)
    y = linear(w2, h, b2, where="output")
    return {{"z": z, "h": h, "y": float(y)}}


def squared_loss(y, t) -> float:
    return 0.5 * (y - t) ** 2


FORMULAS = {{
    "3.dl_dy": Formula("y - t", lambda y, t: np.asarray(y) - t, {{"y": Variable(), "t": Variable()}},
                       doc="derivative of 1/2 (y - t)^2 with respect to y"),
}}


def answer_key(given: dict[str, Any]) -> dict[str, Any]:
    g = Network.model_validate(given["1"])
    out = forward(g.x, g.W1, g.b1, g.w2, g.b2)
    key: dict[str, Any] = {{f"1.{{name}}": value for name, value in g.model_dump().items()}}  # the inputs steps use
    key.update({{f"1.{{name}}": value for name, value in out.items()}})
    key["1.loss"] = squared_loss(out["y"], g.t)
    key.update({{name: formula.text for name, formula in FORMULAS.items()}})
    key["4.output"] = "linear"
    return key
'''

RUBRIC = '''# {sheet}: the scaffold of `grade new`. Every value below is an example: change the given data, tasks and
# points to your sheet's. `grade rubric check --course .` says what does not fit the reference.
schema_version = 1
sheet = "{sheet}"
title = "A one-hidden-layer tanh network"
course = "your course"
source = "the sheet's text or file name"
total_points = 10
answers_file = "answers.toml"   # pen-and-paper results, under the answer key's names (`grade key {sheet}`)
files = ["network.py"]          # the code files a submission holds

[defaults]
visibility = "public"           # "hidden": reports never show expected values

# Given data: the reference computes every expected value from these (reference/{module}.py, GIVEN_MODELS).
[given."1"]
x = [1.0, -0.5]
W1 = [[0.5, -0.25], [0.1, 0.4], [-0.3, 0.2]]
b1 = [0.5, -0.4, 0.3]
w2 = [1.0, -0.5, 0.25]
b2 = 0.2
t = 1.0

# answer: a hand-computed number or vector from answers.toml, within a tolerance (rounded values are fine)
[[tasks]]
id = "1.a"
title = "Forward pass by hand"
points = 3
[[tasks.checks]]
kind = "answer"
key = "1.h"
[[tasks.checks]]
kind = "answer"
key = "1.y"

[[tasks]]
id = "1.b"
title = "Squared loss by hand"
points = 1
[[tasks.checks]]
kind = "answer"
key = "1.loss"

# value: the student's code runs in a sandbox; steps call its functions with given data ($KEY), observe
# compares what came back with answer-key entries
[[tasks]]
id = "2"
title = "The forward pass in code"
points = 3
hint = "forward(x, W1, b1, w2, b2) returns the network's output y."
[[tasks.checks]]
kind = "value"
file = "network.py"
steps = [{{op = "call", target = "forward", name = "y", args = ["$1.x", "$1.W1", "$1.b1", "$1.w2", "$1.b2"]}}]
observe = {{y = "1.y"}}

# expression: a formula string, evaluated at random sample points against the reference's FORMULAS entry
[[tasks]]
id = "3"
title = "Derivative of the loss with respect to y"
points = 1
[[tasks.checks]]
kind = "expression"
key = "3.dl_dy"

# choice: a named choice in the student's own words; mistakes explain typical wrong ones
[[tasks]]
id = "4"
title = "Output activation for regression"
points = 1
[[tasks.checks]]
kind = "choice"
key = "4.output"
accept = ["linear", "identity", "none", "no activation"]
mistakes."sigmoid" = {{id = "bounded-output", message = "a regression target can lie outside (0, 1); sigmoid cannot reach it"}}

# manual: points a tutor enters
[[tasks]]
id = "5"
title = "Why tanh and not a linear hidden layer"
points = 1
[[tasks.checks]]
kind = "manual"
criteria = "a composition of linear maps is linear: without a nonlinearity the hidden layer adds nothing"
'''

CORRECT_CODE = '''import numpy as np


def forward(x, W1, b1, w2, b2):
    h = np.tanh(np.asarray(W1) @ np.asarray(x) + b1)
    return float(np.dot(w2, h) + b2)
'''

WRONG_CODE = '''import numpy as np


def forward(x, W1, b1, w2, b2):
    h = np.tanh(np.asarray(W1) @ np.asarray(x))  # forgot the hidden bias
    return float(np.dot(w2, h) + b2)
'''

EXAMPLES_README = '''# Example submissions of {sheet}

`grade rubric check --examples --course .` grades these and compares with what this file states: a heading per
submission, a table of task outcomes (pass, partial, fail, error, not-attempted) and, optionally, the points.

## {correct}
Correct throughout; 5 (the manual task) waits for a tutor.

points: 9

| task | outcome |
|---|---|
| 1.a | pass |
| 1.b | pass |
| 2 | pass |
| 3 | pass |
| 4 | pass |

## {wrong}
Forgot the hidden bias, in code and by hand (the loss follows from that y); sigmoid output.

| task | outcome |
|---|---|
| 1.a | fail |
| 1.b | fail |
| 2 | fail |
| 3 | pass |
| 4 | fail |
'''

TEST = '''"""The scaffold's examples, graded through nngrade's library API: run with `python -m pytest` in the course folder."""
from pathlib import Path

from grader import api

COURSE = Path(__file__).resolve().parent.parent
SHEET = "{sheet}"


def graded():
    run = api.grade([COURSE / "submissions" / SHEET], course=[COURSE])
    return {{report.name: report for report in run.submissions}}


def test_the_rubric_fits_the_reference():
    files, problems = api.check_rubrics(course=[COURSE])
    assert files and not problems


def test_the_examples_are_graded_as_their_readme_states():
    assert api.check_examples(course=[COURSE]) == []


def test_the_correct_example_gets_every_automatic_point_and_the_wrong_one_is_told_why():
    reports = graded()
    correct, wrong = reports["{correct}"], reports["{wrong}"]
    assert correct.points == 9 and all(t.status in ("passed", "pending-manual") for t in correct.tasks)
    assert wrong.points < correct.points
    assert any(t.diagnoses for t in wrong.tasks)
'''


def _answers(correct: bool) -> str:
    """The examples' answers files, worked by hand from the scaffold's given data (rounded, as students do)."""
    if correct:
        return ('"1.h" = [0.8093, -0.4621, -0.0997]\n"1.y" = 1.215\n"1.loss" = 0.0232\n'
                '"3.dl_dy" = "y - t"\n"4.output" = "linear (identity)"\n')
    return ('"1.h" = [0.5546, -0.0997, -0.3799]   # without b1\n"1.y" = 0.7094\n'
            '"1.loss" = 0.0422   # from y without b1\n"3.dl_dy" = "y - t"\n"4.output" = "sigmoid"\n')


def files(sheet_id: str) -> dict[str, str]:
    """Course-relative path -> content of a new sheet."""
    module = module_name(sheet_id)
    correct, wrong = "Ada_1000001", "Bob_1000002"
    fill = {"sheet": sheet_id, "module": module, "correct": correct, "wrong": wrong}
    examples = f"submissions/{sheet_id}"
    return {
        f"reference/{module}.py": REFERENCE.format(**fill),
        f"rubrics/{sheet_id}.toml": RUBRIC.format(**fill),
        f"{examples}/README.md": EXAMPLES_README.format(**fill),
        f"{examples}/{correct}/network.py": CORRECT_CODE,
        f"{examples}/{correct}/answers.toml": _answers(True),
        f"{examples}/{wrong}/network.py": WRONG_CODE,
        f"{examples}/{wrong}/answers.toml": _answers(False),
        f"tests/test_{module}.py": TEST.format(**fill),
    }


def new_sheet(sheet_id: str, course: Path | str, overwrite: bool = False) -> list[Path]:
    if not SHEET_ID_RE.match(sheet_id):
        raise UsageError(f"{sheet_id!r} is not a sheet id: lower-case letters, digits and hyphens, "
                         "e.g. `ml-ws2627-sheet8`")
    course = Path(course)
    planned = {course / path: text for path, text in files(sheet_id).items()}
    existing = [str(p) for p in planned if p.exists()]
    if existing and not overwrite:
        raise UsageError(f"{', '.join(existing[:3])} already exists; pass --force to overwrite")
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(planned)
