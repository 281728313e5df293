"""The grading process parses student text in several threads at once; CPython 3.11's parser is not safe for
that (python/cpython#106905), so every parse in the parent goes through grader.syntax's lock."""
import ast
import threading
import traceback
from pathlib import Path

from grader import syntax

GRADER = Path(__file__).resolve().parents[1] / "grader"
CHILD_ONLY = {"worker"}  # runs in the child, one thread


def _direct_parses(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "ast" and node.func.attr == "parse"]


def test_the_grading_process_parses_only_through_the_lock():
    offenders = {str(p.relative_to(GRADER)): lines for p in GRADER.rglob("*.py")
                 if p.relative_to(GRADER).parts[0] not in CHILD_ONLY and p.name != "syntax.py"
                 and (lines := _direct_parses(p))}
    assert offenders == {}


def test_the_scan_sees_a_direct_parse(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import ast\n\ntree = ast.parse(text)\n")
    assert _direct_parses(sample) == [3]


def test_a_parse_waits_while_another_thread_parses():
    started, finished = threading.Event(), []
    with syntax._PARSING:  # another thread is inside the parser
        worker = threading.Thread(target=lambda: (started.set(), finished.append(syntax.parse("x = 1"))))
        worker.start()
        started.wait(5)
        worker.join(0.2)
        assert worker.is_alive() and not finished
    worker.join(5)
    assert isinstance(finished[0], ast.Module)


def test_every_parse_while_grading_holds_the_lock(monkeypatch):
    """Grading in threads, every ast.parse in this process (numpy's .npy headers included) holds the lock."""
    from grader import api, grading  # noqa: F401 (imported before the threads start, as `grade` does)
    from tests.conftest import ROOT
    unlocked = []
    original = ast.parse

    def spy(*args, **kwargs):
        if not syntax.held():
            unlocked.append("".join(traceback.format_stack(limit=12)))
        return original(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    run = api.grade([ROOT / "tests" / "variants" / "leuphana-dl-ss24-ex2"], workers=4)
    assert run.submissions and unlocked == []
