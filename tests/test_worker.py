"""The isolated child: statement-by-statement loading, job statuses, plain data only, limits."""
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader import sandbox
from grader.sandbox import Absent, Unsupported

STUDENT = textwrap.dedent('''
    import numpy as np
    import matplotlib.pyplot as plt
    print("demo output")
    plt.plot([1, 2, 3]); plt.show()
    undefined_demo_name + 1

    class Sigmoid:
        def evaluate(self, z):
            return 1 / (1 + np.exp(-z))
        def gradient(self, z):
            raise NotImplementedError

    class Sneaky(np.ndarray):
        pass

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    def subclass():
        return np.zeros(3).view(Sneaky)

    def always_equal():
        return AlwaysEqual()

    def as_list():
        return [[1, 2], [3, 4.5]]

    def pair():
        return 2.5, np.array([1.0, 2.0])

    def boom():
        return 1 / 0

    def spin():
        while True:
            pass

    def leave():
        raise SystemExit(3)

    def loss_of(w):
        return float(np.sum(w ** 2))

    class Model:
        def __init__(self):
            self.w = np.array([1.0, -2.0, 0.5])
        def loss(self):
            return 0.5 * float(np.sum(self.w ** 2)), None
        def grad(self):
            return self.w.copy()

    import grader  # the grader's own packages are not importable in the child
''')


def line_of(text: str) -> int:
    return next(i for i, line in enumerate(STUDENT.splitlines(), 1) if text in line)


def call(jid, target, args=(), observe=("r",), timeout=5.0):
    return {"id": jid, "file": "code.py", "timeout": timeout,
            "steps": [{"op": "call", "target": target, "name": "r", "args": list(args), "kwargs": {}}],
            "observe": list(observe)}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> sandbox.ChildRun:
    folder = tmp_path_factory.mktemp("student")
    (folder / "code.py").write_text(STUDENT)
    jobs = [
        {"id": "eval", "file": "code.py", "timeout": 5.0,
         "steps": [{"op": "new", "name": "act", "cls": "sigmoid", "args": [], "kwargs": {}},
                   {"op": "call", "target": "act.evaluate", "name": "r", "args": [{"$npy": "z.npy"}], "kwargs": {}}],
         "observe": ["r"]},
        {"id": "todo", "file": "code.py", "timeout": 5.0,
         "steps": [{"op": "new", "name": "act", "cls": "sigmoid", "args": [], "kwargs": {}},
                   {"op": "call", "target": "act.gradient", "name": "r", "args": [[1.0]], "kwargs": {}}],
         "observe": ["r"]},
        call("missing", "not_there"),
        call("subclass", "subclass"),
        call("always_equal", "always_equal"),
        call("list", "as_list"),
        call("pair", "pair", observe=("r[0]", "r[1]", "r[2]")),
        call("boom", "boom"),
        call("spin", "spin", timeout=0.5),
        call("exit", "leave"),
        {"id": "fd", "file": "code.py", "timeout": 5.0,
         "steps": [{"op": "new", "name": "m", "cls": "Model", "args": [], "kwargs": {}},
                   {"op": "call", "target": "m.grad", "name": "g", "args": [], "kwargs": {}}],
         "observe": ["g"],
         "fd": {"params": ["m.w"], "loss": "value[0]", "eps": 1e-6,
                "loss_steps": [{"op": "call", "target": "m.loss", "name": "value", "args": [], "kwargs": {}}]}},
        call("after", "boom"),
    ]
    return sandbox.run_child({"code.py": folder / "code.py"}, jobs, {"z.npy": np.array([0.0, 2.0])},
                             file_order=["code.py"], aliases={"sigmoid": ["Sigmoid"]})


def test_failing_top_level_statements_are_reported_and_loading_goes_on(run):
    notes = run.loads[0]["log"]
    assert [(n["line"], n["error"].split(":")[0]) for n in notes] == [(line_of("undefined_demo_name"), "NameError"),
                                                                         (line_of("import grader"), "ModuleNotFoundError")]
    assert run.jobs["eval"]["status"] == "ok"  # the class after the broken line exists


def test_aliases_find_renamed_classes_and_values_come_back_as_arrays(run):
    np.testing.assert_allclose(run.jobs["eval"]["observed"]["r"], 1 / (1 + np.exp(-np.array([0.0, 2.0]))))


def test_not_implemented_is_not_attempted_and_missing_names_are_named(run):
    assert run.jobs["todo"]["status"] == "not-attempted"
    assert run.jobs["missing"]["status"] == "missing"
    assert "defines no `not_there`" in run.jobs["missing"]["error"]


def test_objects_that_are_not_plain_numbers_never_reach_the_parent(run):
    assert isinstance(run.jobs["subclass"]["observed"]["r"], Unsupported)
    assert "Sneaky" in run.jobs["subclass"]["observed"]["r"].what
    assert isinstance(run.jobs["always_equal"]["observed"]["r"], Unsupported)


def test_lists_and_tuples_come_back_as_lists_and_index_paths_work(run):
    assert run.jobs["list"]["observed"]["r"] == [[1, 2], [3, 4.5]]
    observed = run.jobs["pair"]["observed"]
    assert observed["r[0]"] == 2.5
    np.testing.assert_array_equal(observed["r[1]"], [1.0, 2.0])
    assert isinstance(observed["r[2]"], Absent)


def test_exceptions_timeouts_and_exit_cost_only_their_own_job(run):
    assert run.jobs["boom"]["status"] == "error" and "ZeroDivisionError" in run.jobs["boom"]["error"]
    assert run.jobs["boom"]["line"] == line_of("1 / 0")
    assert run.jobs["spin"]["status"] == "timeout"
    assert run.jobs["exit"]["status"] == "error" and "SystemExit" in run.jobs["exit"]["error"]
    assert run.jobs["after"]["status"] == "error"  # the job after a timeout and an exit still ran
    assert run.finished and run.killed is None


def test_finite_differences_of_the_students_own_loss(run):
    # loss = 0.5 |w|^2, so the derivative is w itself
    np.testing.assert_allclose(run.jobs["fd"]["fd"]["m.w"], [1.0, -2.0, 0.5], rtol=1e-7)


def test_output_is_captured_and_layers_are_reported(run):
    assert "demo output" in run.stdout
    assert run.layers["memory"] and run.layers["cpu"]


def test_a_loop_that_ignores_the_alarm_is_killed_by_the_parent(tmp_path):
    (tmp_path / "code.py").write_text(textwrap.dedent('''
        import signal
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        def spin():
            while True:
                pass
    '''))
    limits = sandbox.Limits(load_seconds=1.0)
    run = sandbox.run_child({"code.py": tmp_path / "code.py"}, [call("spin", "spin", timeout=0.5)], {},
                            file_order=["code.py"], aliases={}, limits=limits)
    assert run.killed and "limit" in run.killed
    assert "spin" not in run.jobs


def test_memory_limit_turns_a_huge_allocation_into_an_error(tmp_path):
    (tmp_path / "code.py").write_text("import numpy as np\ndef big():\n    return np.ones((2**31,))\n")
    run = sandbox.run_child({"code.py": tmp_path / "code.py"}, [call("big", "big")], {},
                            file_order=["code.py"], aliases={}, limits=sandbox.Limits(memory_bytes=512 * 2**20))
    assert run.jobs["big"]["status"] == "error"
    assert "Memory" in run.jobs["big"]["error"]


def test_an_unparsable_file_is_reported_with_its_line(tmp_path):
    (tmp_path / "code.py").write_text("def f(:\n    pass\n")
    run = sandbox.run_child({"code.py": tmp_path / "code.py"}, [call("f", "f")], {},
                            file_order=["code.py"], aliases={})
    assert run.loads[0]["log"][0]["kind"] == "unreadable"
    assert run.jobs["f"]["status"] == "error" and "line 1" in run.jobs["f"]["error"]


def reader(folder):
    return sandbox.ArrayReader(sandbox.Blobs(folder))


def test_decode_refuses_malformed_tags(tmp_path):
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array(["x"], dtype=object), allow_pickle=True)
    (tmp_path / "blobs.bin").write_bytes(buffer.getvalue())
    arrays = reader(tmp_path)
    assert isinstance(sandbox.decode({"npy": "../../etc/passwd"}, arrays), Unsupported)
    assert isinstance(sandbox.decode({"npy": [0, 10**9]}, arrays), Unsupported)  # past the end of the file
    assert isinstance(sandbox.decode({"npy": [-1, 5]}, arrays), Unsupported)
    assert isinstance(sandbox.decode({"num": "1"}, arrays), Unsupported)
    assert isinstance(sandbox.decode({"float": "1e400"}, arrays), Unsupported)
    assert sandbox.decode({"seq": [{"num": 1}, {"float": "nan"}]}, arrays)[0] == 1
    assert isinstance(sandbox.decode({"npy": [0, len(buffer.getvalue())]}, arrays), Unsupported)  # object dtype


def test_fifos_and_folders_the_child_leaves_behind_are_not_read(tmp_path):
    import os
    os.mkfifo(tmp_path / "results.jsonl")
    os.mkfifo(tmp_path / "blobs.bin")
    (tmp_path / "stdout.txt").mkdir()
    run = sandbox.ChildRun()
    sandbox._read_results(tmp_path, run)  # would block forever on open() of a FIFO
    assert run.jobs == {} and sandbox._tail(tmp_path / "stdout.txt") == ""
    assert isinstance(sandbox.decode({"npy": [0, 10]}, reader(tmp_path)), Unsupported)


def test_forged_records_and_repeated_array_references(tmp_path):
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.arange(3.0))
    (tmp_path / "blobs.bin").write_bytes(buffer.getvalue())
    where = [0, len(buffer.getvalue())]
    lines = [{"record": "hello", "layers": {"network": False}}, {"record": "hello", "layers": {"network": True}},
             {"record": "job", "id": "j", "status": "ok", "observed": {"x": {"seq": [{"npy": where}] * 50}}},
             {"record": "job", "id": "j", "status": "ok", "observed": {"x": {"num": 1}}},
             {"record": "job", "id": "k", "status": "ok", "seconds": 10 ** 400, "observed": {"x": {"num": 10 ** 400}}}]
    (tmp_path / "results.jsonl").write_text("\n".join(__import__("json").dumps(r) for r in lines) + "\n" + "[" * 100000)
    run = sandbox.ChildRun()
    sandbox._read_results(tmp_path, run)
    assert run.layers == {"network": False}  # the first hello, written before student code ran
    first = run.jobs["j"]["observed"]["x"]
    assert len(first) == 50 and all(a is first[0] for a in first)  # read once, not 50 times
    assert isinstance(run.jobs["k"]["observed"]["x"], Unsupported) and run.jobs["k"]["seconds"] == 0.0


def test_records_of_jobs_the_plan_never_had_are_dropped(tmp_path):
    """A child that writes a result for a job the parent did not plan (a forged retry) is not heard."""
    (tmp_path / "blobs.bin").write_bytes(b"")
    lines = [{"record": "job", "id": "4.2.d#1", "status": "ok", "observed": {}},
             {"record": "job", "id": "4.2.d#1/retry", "status": "ok", "observed": {"losses": {"num": 1.0}}}]
    (tmp_path / "results.jsonl").write_text("\n".join(json.dumps(line) for line in lines))
    run = sandbox.ChildRun()
    sandbox._read_results(tmp_path, run, jobs=frozenset({"4.2.d#1"}))
    assert set(run.jobs) == {"4.2.d#1"}


def test_plan_steps_an_optional_call_a_row_by_row_call_and_a_list_of_modules_by_any_name():
    """The worker's own step rules, on plain Python stand-ins (the variants test them on real submissions)."""
    from grader.worker.plan import Namespace, run_step

    class Module:
        pass

    class Model:
        def __init__(self):
            self.layers, self.inputs, self.rate = [Module(), Module()], [None, None], [0.1]

    def softmax_of_one_row(x):  # np.atleast_2d, as some students start: a row comes back as 1 x n
        e = np.exp(np.atleast_2d(x) - np.max(x))
        return e / e.sum()

    def needs_two(a, b):
        return a + b

    ns = Namespace(None, {"m": type("M", (), {"softmax": softmax_of_one_row, "needs_two": needs_two,
                                              "model": Model()})}, {"nn_modules": ["modules", "*"]})
    batch = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    run_step({"op": "call", "target": "softmax", "name": "p", "args": [batch], "by_rows": True}, ns, None)
    assert ns.results["p"].shape == (2, 3) and np.allclose(ns.results["p"].sum(axis=1), 1.0)
    run_step({"op": "call", "target": "needs_two", "name": "x", "args": [1.0], "optional": True}, ns, None)
    assert ns.results["x"] is None  # it raised: None, and the job goes on
    with pytest.raises(TypeError):
        run_step({"op": "call", "target": "needs_two", "name": "x", "args": [1.0]}, ns, None)
    assert len(ns.resolve("model.nn_modules")) == 2 and "`layers` for `nn_modules`" in ns.used
