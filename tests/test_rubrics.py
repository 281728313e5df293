"""Rubric files: the shipped ones are valid, points are as printed, and broken ones are reported precisely."""
import re
from pathlib import Path

import pytest

from grader import api
from grader.rubric import RubricError, load, parse
from tests.conftest import BUILTIN, RUBRICS

SHEETS = list(BUILTIN)


def test_every_sheet_has_a_valid_rubric():
    files, problems = api.check_rubrics([RUBRICS])
    assert {f.stem for f in files} == set(SHEETS)
    assert problems == []


def points(sheet: str, prefix: str) -> float:
    r = load(RUBRICS / f"{sheet}.toml")
    return sum(t.points for t in r.tasks if re.match(rf"{re.escape(prefix)}(\.|$)", t.id) and not t.bonus)


@pytest.mark.parametrize("sheet,prefix,printed", [
    ("nnti-ws2324-sheet7", "7.1", 0.25 + 0.25 + 0.5 + 1),
    ("nnti-ws2324-sheet7", "7.3", 5),
    ("tub-ml-sheet1", "1", 10 + 10),
    ("tub-ml-sheet1", "2", 10 + 10 + 10),
    ("tub-ml-sheet1", "3", 10 + 10),
    ("tub-ml-sheet1", "4", 30),
    ("nnti-ws2425-sheet6", "6.1", 2 * 0.5 + 2 * 0.25 + 1 + 0.5 + 0.5 + 0.25),
    ("nnti-ws2425-sheet6", "6.2", 5 * 0.25),
    ("nnti-ws2425-sheet6", "6.4", 3 * 0.25 + 0.75),
    ("nnti-ws2425-sheet6", "6.5", 4 * 0.25),
    ("nnti-ws2425-sheet6", "6.6", 1.75),
    ("tuda-sml-ss23-hw4", "4.1", 5),  # "each (sub)task is worth 1 point"
    ("tuda-sml-ss23-hw4", "4.2", 5),
    ("tuda-sml-ss23-hw4", "4.4", 7),
])
def test_points_are_as_printed_on_the_sheet(sheet, prefix, printed):
    assert points(sheet, prefix) == pytest.approx(printed)


def test_bonus_points_do_not_count_towards_the_maximum():
    r = load(RUBRICS / "nnti-ws2425-sheet6.toml")
    bonus = [t for t in r.tasks if t.bonus]
    assert sum(t.points for t in bonus) == pytest.approx(3 * 0.5)
    assert r.max_points == pytest.approx(sum(t.points for t in r.tasks) - 1.5)


def test_tasks_without_printed_points_are_marked_chosen():
    r = load(RUBRICS / "leuphana-dl-ss24-ex2.toml")
    assert all(t.points_source == "chosen" for t in r.tasks)  # the sheet prints no points


def test_assumed_input_is_marked():
    r = load(RUBRICS / "nnti-ws2425-sheet6.toml")
    assert [a.given for a in r.assumptions] == ["6.3.x"]


MINIMAL = """
schema_version = 1
sheet = "nnti-ws2324-sheet7"
title = "t"
course = "c"
source = "s"
[given."7.2"]
x = [-1.0, 1.0]
y = [1.0, 0.0]
W_hidden = [[0.15, -0.25, 0.05], [0.2, 0.1, -0.15]]
W_out = [[0.2, 0.5], [-0.35, 0.15], [0.15, -0.2]]
[[tasks]]
id = "7.2.a"
title = "Forward"
points = 1
[[tasks.checks]]
kind = "answer"
key = "7.2.L1"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(RubricError) as info:
        parse(text, "r.toml")
    return [str(p) for p in info.value.problems]


def test_minimal_rubric_parses():
    assert parse(MINIMAL, "r.toml").tasks[0].checks[0].key == "7.2.L1"


@pytest.mark.parametrize("change,expected", [
    (('points = 1', 'points = -1'), "r.toml: task 7.2.a: points: Input should be greater than or equal to 0"),
    (('key = "7.2.L1"', 'key = "7.2.L3"'), "r.toml: task 7.2.a: checks[0].key: '7.2.L3' is not in the sheet's answer key"),
    (('kind = "answer"', 'kind = "guess"'), "r.toml: task 7.2.a: checks[0]: Input tag 'guess' found using 'kind' does not match any of the expected tags"),
    (('sheet = "nnti-ws2324-sheet7"', 'sheet = "nope"'), "r.toml: sheet: unknown sheet 'nope'"),
    (('W_out = [[0.2, 0.5], [-0.35, 0.15], [0.15, -0.2]]', 'W_out = [[0.2, 0.5], [-0.35]]'), "r.toml: given.7.2.W_out: must be a non-empty matrix"),
    (('W_out = [[0.2, 0.5], [-0.35, 0.15], [0.15, -0.2]]', 'W_out = [[0.2, 0.5], [-0.35, 0.15]]'), "r.toml: given.7.2: W_out has 2 rows but W_hidden has 3 columns"),
    (('[given."7.2"]', '[given."7.3"]'), "r.toml: given.7.2: missing: the reference needs this section"),
    (('title = "Forward"', 'title = "Forward"\nweight = 3'), "r.toml: task 7.2.a: weight: Extra inputs are not permitted"),
    (('schema_version = 1', 'schema_version = 1\ntotal_points = 3'), "r.toml: total_points: the sheet's total is 3 but the non-bonus tasks add up to 1"),
    (('id = "7.2.a"', 'id = "7.2 a"'), "r.toml: task 7.2 a: id: '7.2 a' is not a dotted task id"),
    (('x = [-1.0, 1.0]', 'x = [-1.0, nan]'), "r.toml: given.7.2.x: must contain finite numbers only"),
])
def test_problems_name_file_task_and_field(change, expected):
    text = MINIMAL.replace(*change)
    assert text != MINIMAL
    found = problems_of(text)
    assert any(p.startswith(expected) for p in found), found


def test_duplicate_task_ids_and_bad_toml():
    twice = MINIMAL + MINIMAL[MINIMAL.index("[[tasks]]"):]
    assert any("task id '7.2.a' appears twice" in p for p in problems_of(twice))
    assert problems_of("sheet = ")[0].startswith("r.toml: (syntax): not valid TOML")


def with_code_task(steps: str) -> str:
    """MINIMAL plus a value-check task on a file the rubric does not list."""
    return MINIMAL.replace('source = "s"', 'source = "s"\nfiles = ["net.py"]') + f"""
[[tasks]]
id = "7.3"
title = "code"
points = 1
[[tasks.checks]]
kind = "value"
file = "other.py"
steps = {steps}
observe = {{out = "7.2.nothing"}}
"""


def test_plan_paths_are_validated():
    found = problems_of(with_code_task('[{op = "call", target = "forward", name = "out"}, {op = "call", target = "1bad"}]'))
    assert any("task 7.3: checks[0].steps[1].target: '1bad' is not a name path" in p for p in found), found


def test_plan_problems_after_structure_is_valid():
    found = problems_of(with_code_task('[{op = "call", target = "forward", name = "out", args = ["$7.2.x", "@missing"]}]'))
    assert any("task 7.3: checks[0].file: 'other.py' is not among the rubric's files" in p for p in found)
    assert any("step 1 uses @missing, which no earlier step creates" in p for p in found)
    assert any("checks[0].observe.out: '7.2.nothing' is not in the sheet's answer key" in p for p in found)


def test_property_and_formula_names_are_cross_checked():
    base = (RUBRICS / "nnti-ws2425-sheet6.toml").read_text()
    found = problems_of(base.replace('property = "sigmoid_symmetry"', 'property = "sigmoid_symetry"'))
    assert any("task 6.1.1.a: checks[1].property: 'sigmoid_symetry' is not a reference property" in p for p in found)
    found = problems_of(base.replace('key = "6.1.2.W1"', 'key = "6.1.2.W9"'))
    assert any("task 6.1.2: checks[0].key: '6.1.2.W9' is not a reference formula" in p for p in found)


def test_file_name_must_match_sheet(tmp_path: Path):
    path = tmp_path / "other-name.toml"
    path.write_text(MINIMAL)
    with pytest.raises(RubricError, match="file is named 'other-name' but states sheet 'nnti-ws2324-sheet7'"):
        load(path)


def test_a_public_task_may_not_reveal_a_hidden_tasks_key():
    text = MINIMAL.replace('points = 1', 'points = 1\nvisibility = "hidden"') + """
[[tasks]]
id = "7.2.z"
title = "self-check"
points = 1
[[tasks.checks]]
kind = "answer"
key = "7.2.L1"
"""
    found = problems_of(text)
    assert any("task 7.2.z: visibility: public, but grades '7.2.L1' which hidden task 7.2.a keeps secret" in p
               for p in found), found


def test_a_choice_mistake_must_not_be_an_accepted_answer():
    sheet6 = (RUBRICS / "nnti-ws2425-sheet6.toml").read_text()
    clash = sheet6.replace('mistakes."softmax" = {id = "multi-label-as-multi-class"',
                           'mistakes."Logistic" = {id = "multi-label-as-multi-class"')
    assert clash != sheet6
    found = problems_of(clash)
    assert any("'Logistic' is both accepted and listed as a mistake" in p for p in found), found
