"""`grade kit SHEET DIR`: what a course publishes. Its self-check runs without the reference implementation, and
nothing in it holds a hidden task's expected value or imports `reference`."""
import re
import shutil

import numpy as np
import pytest

from grader import api
from tests.conftest import BUILTIN, ROOT, hidden_values
from tests.test_starter import correct_example

KITS = ["nnti-ws2324-sheet7", "leuphana-dl-ss24-ex2", "tuda-sml-ss23-hw4"]  # sheets with public checkable tasks


def frozen_values(folder):
    """Every array and string the kit stores: its frozen key and its known mistakes' values."""
    out = []
    for path in folder.rglob("*.npz"):
        with np.load(path, allow_pickle=False) as data:
            out += [np.asarray(data[name]) for name in data.files if name != "index"]
            out += [str(data["index"])]
    return out


def shows(public, secret) -> bool:
    """`public` is `secret`, or holds it as one row (a batch that includes the hand calculation's example)."""
    if isinstance(public, str) or isinstance(secret, str):
        return isinstance(public, str) and isinstance(secret, str) and secret in public
    x, y = np.asarray(public, dtype=float), np.asarray(secret, dtype=float)
    if x.shape == y.shape:
        return bool(np.allclose(x, y))
    if y.ndim >= 1 and x.ndim > y.ndim and x.shape[-y.ndim:] == y.shape:
        return any(np.allclose(row, y) for row in x.reshape(-1, *y.shape))
    return False


@pytest.mark.parametrize("sheet", KITS)
def test_a_kit_holds_no_hidden_value_and_imports_no_reference(sheet, tmp_path):
    kit = tmp_path / "kit"
    api.write_kit(sheet, kit)
    key = api.answer_key(sheet)
    secrets = {name: key.values[name] for name in key.hidden}
    assert secrets
    stored = frozen_values(kit)
    index = stored.pop()  # the JSON index: names, strings, messages
    assert not [name for name in secrets if f'"{name}"' in index]
    leaked = [name for name, value in secrets.items() if not isinstance(value, str)
              and np.asarray(value, dtype=float).size > 1 and any(
                  shows(array, value) for array in stored if array.dtype.kind in "fiub")]
    leaked += [name for name, value in secrets.items() if isinstance(value, str) and any(c in value for c in "()*/")
               and value in index]
    assert not leaked
    texts = "\n".join(p.read_text(errors="replace") for p in kit.rglob("*") if p.is_file() and p.suffix != ".npz")
    assert not [v for v in hidden_values(sheet) if not v[0].isdigit() and not v.startswith("-") and v in texts]
    assert not re.search(r"^\s*(from|import)\s+reference\b", texts, re.M)
    module = kit / ".nngrade" / "reference" / f"{BUILTIN[sheet].reference.__name__.rpartition('.')[2]}.py"
    assert module.read_text().count("def ") == 1  # answer_key, reading the frozen values: no solution code


@pytest.mark.parametrize("sheet", KITS)
def test_the_kits_self_check_works_without_the_reference_and_rises_to_full_marks(sheet, tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    api.write_kit(sheet, kit)

    def no_reference(*args, **kwargs):
        raise AssertionError("the kit's self-check used the reference implementation")

    monkeypatch.setattr(BUILTIN[sheet].reference, "answer_key", no_reference)
    monkeypatch.chdir(kit)
    start = api.self_check(".")
    assert start.sheet == sheet and start.points == 0 and start.checkable > 0
    for source in correct_example(sheet).iterdir():
        shutil.copy(source, kit / source.name)
    done = api.self_check(".")
    assert done.points == pytest.approx(done.checkable, abs=1e-3) and done.checkable == start.checkable
    assert all(t.status == "hidden" for t in done.tasks
               if api.load_rubric(sheet).visibility_of(api.load_rubric(sheet).task(t.id)) == "hidden")


def test_a_kit_keeps_lists_as_lists_and_the_tutors_criteria_out(tmp_path):
    from grader.kit import frozen_key

    api.write_kit("leuphana-dl-ss24-ex2", tmp_path / "kit")
    frozen = frozen_key(next((tmp_path / "kit" / ".nngrade" / "reference").glob("*.npz")))
    key = api.answer_key("leuphana-dl-ss24-ex2").values
    lists = [name for name, value in key.items() if isinstance(value, list) and name in frozen]
    assert lists and all(frozen[name] == key[name] and isinstance(frozen[name], list) for name in lists)
    text = next((tmp_path / "kit" / ".nngrade" / "rubrics").glob("*.toml")).read_text()
    rubric = api.load_rubric("leuphana-dl-ss24-ex2")
    criteria = [c.criteria for t in rubric.tasks for c in t.checks if c.kind == "manual"]
    assert criteria and not [c for c in criteria if c in text]


def test_a_kit_for_a_sheet_without_checkable_tasks_writes_nothing(tmp_path):
    with pytest.raises(api.UsageError, match="has no task a kit can check"):
        api.write_kit("tub-ml-sheet1", tmp_path / "kit")
    assert not (tmp_path / "kit").exists()


def test_a_kits_diagnoses_come_along_for_its_public_tasks(tmp_path, monkeypatch):
    kit = tmp_path / "kit"
    api.write_kit("nnti-ws2324-sheet7", kit)
    weber = ROOT / "submissions" / "nnti-ws2324-sheet7" / "Weber_2573410_Fischer_2570012"
    for source in weber.iterdir():
        shutil.copy(source, kit / source.name)
    monkeypatch.chdir(kit)
    tasks = {t.id: t for t in api.self_check(".").tasks}
    assert tasks["7.3.a"].status == "partial" and "ReLU's derivative" in tasks["7.3.a"].message
    assert tasks["7.2.a"].status == "hidden"
