"""Correct solutions written differently from the shipped examples get full automatic marks and no diagnosis.

tests/variants/<sheet>/ holds correct work written the way students write it (other shapes the sheet allows,
lists, float32, scipy, loops or einsum, notebooks for scripts and scripts for notebooks, `__main__` guards,
helpers, printed sentences, fractions, synonyms, the sheet's own notation); each folder's VARIANTS.md says
how. The expected total is computed from the rubric alone: every automatic share of every task the grading
environment can check (4.3's JAX tasks are `unavailable` without jax and are left out).
"""
from pathlib import Path

import pytest

from grader import api
from tests.conftest import BUILTIN, ROOT

VARIANTS = ROOT / "tests" / "variants"
FOLDERS = sorted((sheet.name, folder.name) for sheet in VARIANTS.iterdir() if sheet.is_dir()
                 for folder in sheet.iterdir() if folder.is_dir() or folder.suffix in (".py", ".ipynb", ".zip"))


@pytest.fixture(scope="module")
def run():
    return {(s.sheet, s.name): s for s in api.grade([VARIANTS]).submissions}


def automatic_share(sheet: str, task_id: str) -> float:
    task = api.load_rubric(sheet).task(task_id)
    total = sum(c.weight for c in task.checks)
    return 0.0 if task.bonus else task.points * sum(c.weight for c in task.checks if c.kind != "manual") / total


def test_every_sheet_has_at_least_five_correct_variants():
    sheets = {sheet for sheet, _ in FOLDERS}
    assert sheets == set(BUILTIN)
    for sheet in sheets:
        assert sum(s == sheet for s, _ in FOLDERS) >= 5, sheet
        assert (VARIANTS / sheet / "VARIANTS.md").is_file()


@pytest.mark.parametrize("sheet, name", FOLDERS)
def test_a_correct_variant_gets_full_automatic_marks_and_no_diagnosis(run, sheet, name):
    report = run[(sheet, Path(name).stem)]
    counted = [t for t in report.tasks if t.status != "unavailable"]
    expected = sum(automatic_share(sheet, t.id) for t in counted)
    lost = {t.id: t.message for t in counted if t.points < automatic_share(sheet, t.id) - 1e-3}
    assert not lost, lost
    assert report.points == pytest.approx(expected, abs=1e-3)
    assert {t.id: t.diagnoses for t in report.tasks if t.diagnoses} == {}
