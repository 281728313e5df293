"""Hostile submissions written for this project: every one is contained, and nobody else's result changes.

One batch grades a correct control submission of nnti-ws2425-sheet6 beside attackers
that forge scores, read secrets, reach the network, exhaust processes, memory, disk
or output, fight the time limits, end early, shadow libraries or the grader, and
try to write outside the sandbox. Hostile code only ever targets paths under the
test's temporary folder (`ESCAPE`) and the loopback port the test itself opens.
"""
import hashlib
import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from grader import api, grading, sandbox
from tests.attacks.conftest import loopback_listener
from tests.conftest import ROOT, RUBRICS

SHEET = "nnti-ws2425-sheet6"
CONTROL = ROOT / "submissions" / SHEET / "Krueger_2581234_Hartmann_2579911"
BASE = (CONTROL / "activations.py").read_text()
LIMITS = sandbox.Limits(load_seconds=10.0, statement_seconds=3.0)
FORWARD_TASK = "6.3.a"  # its value check calls forward(x, W1, W2)

RETURNS = {  # forward replaced by one returning something that is not plain numbers
    "eq_object": "class AlwaysEqual:\n    def __eq__(self, other):\n        return True\n"
                 "    def __array__(self, *a, **k):\n        return np.zeros(2)\n"
                 "def forward(x, W1, W2):\n    return AlwaysEqual()",
    "subclass": "class Sneaky(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(2, bool).view(np.ndarray)\n"
                "def forward(x, W1, W2):\n    return np.zeros(2).view(Sneaky)",
    "masked": "def forward(x, W1, W2):\n    return np.ma.masked_array(np.zeros(2), mask=[True, True])",
    "object_dtype": "def forward(x, W1, W2):\n    return np.array([0.5, 0.5], dtype=object)",
    "nan": "def forward(x, W1, W2):\n    return np.full(2, np.nan)",
}


def attacks(escape: Path, port: int) -> dict[str, str]:
    """name -> code appended to the control's correct activations.py."""
    out = {name: code for name, code in RETURNS.items()}
    out.update({
        "patched_numpy": "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                         "np.testing.assert_allclose = lambda *a, **k: None\n"
                         "def forward(x, W1, W2):\n    return np.zeros(2)",
        "forged_results": textwrap.dedent("""
            import json as _json, sys as _sys
            _plan = _json.load(open(_sys.argv[-1]))
            with open(_plan["out"] + "/results.jsonl", "a") as _f:
                for _job in _plan["jobs"]:
                    _f.write(_json.dumps({"record": "job", "id": _job["id"], "status": "ok", "seconds": 0,
                                          "observed": {p: {"num": 0.5} for p in _job["observe"]}}) + "\\n")
                _f.write(_json.dumps({"record": "hello", "layers": {"network": True}}) + "\\n")
                _f.write(_json.dumps({"record": "done"}) + "\\n")
            """),
        "read_secrets": textwrap.dedent(f"""
            import os as _os
            for _p in [{str(ROOT / 'reference' / 'nnti_ws2425_sheet6.py')!r}, {str(RUBRICS / (SHEET + '.toml'))!r},
                       {str(CONTROL / 'activations.py')!r}, {str(escape / 'secret.txt')!r}, "/etc/passwd",
                       {str(Path.home())!r} + "/.bashrc"]:
                try:
                    open(_p).read(10)
                    print("LEAK", _p)
                except OSError:
                    print("blocked", _p)
            print("ENV", sorted(_os.environ))
            """),
        "network": textwrap.dedent(f"""
            import socket as _socket
            try:
                _socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"stolen")
                print("CONNECTED")
            except OSError as _e:
                print("no network:", _e)
            """),
        "fork_bomb": textwrap.dedent("""
            import os as _os, time as _time
            _n = 0
            try:
                for _ in range(5000):
                    if _os.fork() == 0:
                        _time.sleep(60)
                        _os._exit(0)
                    _n += 1
            except OSError as _e:
                print("forks stopped after", _n)
            """),
        "daemon": textwrap.dedent(f"""
            import os as _os, signal as _signal, time as _time
            if _os.fork() == 0:
                _os.setsid()
                if _os.fork() == 0:
                    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
                    _signal.signal(_signal.SIGHUP, _signal.SIG_IGN)
                    _time.sleep(8)
                    open({str(escape / 'daemon-survived')!r}, "w").write("x")
                    _os._exit(0)
                _os._exit(0)
            """),
        "memory": "_hog = bytearray(8 * 2**30)",
        "disk_fill": textwrap.dedent(f"""
            _written = 0
            try:
                with open("filler.bin", "wb") as _f:
                    while _written < 2**31:
                        _f.write(b"x" * 2**20)
                        _written += 1
            except OSError as _e:
                print("disk stopped after", _written, "MB")
            for _p in [{str(escape / 'escaped.txt')!r}, "/etc/nngrade-escaped", "/usr/nngrade-escaped"]:
                try:
                    open(_p, "w").write("x")
                    print("WROTE", _p)
                except OSError:
                    pass
            """),
        "flood": "import sys as _sys\nfor _ in range(200_000):\n    _sys.stdout.write('flood ' * 200 + '\\n')",
        "signals": textwrap.dedent("""
            import signal as _signal
            _signal.signal(_signal.SIGALRM, _signal.SIG_IGN)
            _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
            _signal.signal(_signal.SIGXCPU, _signal.SIG_IGN)
            def forward(x, W1, W2):
                while True:
                    _signal.signal(_signal.SIGALRM, _signal.SIG_IGN)
            """),
        "os_exit": "import os as _os\n_os._exit(0)",
        "sys_exit": "import sys as _sys\n_sys.exit(3)",
        "recursion": "def forward(x, W1, W2):\n    return forward(x, W1, W2)",
        "threads": "import threading as _t, time as _time\n"
                   "_t.Thread(target=lambda: [_time.sleep(0.01) for _ in iter(int, 1)]).start()",
        "atexit": "import atexit as _atexit\n_atexit.register(print, 'ATEXIT RAN')",
        "kernel_settings": textwrap.dedent("""
            for _p in ("/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sys/kernel/core_pattern"):
                try:
                    open(_p, "w").close()
                    print("WROTE", _p)
                except OSError:
                    print("refused", _p)
            """),
        "shared_memory": textwrap.dedent("""
            _mb = 0
            try:
                with open("/dev/shm/hog", "wb") as _f:
                    while _mb < 4096:
                        _f.write(b"x" * 2**20)
                        _mb += 1
            except OSError:
                print("shared memory stopped after", _mb, "MB")
            try:
                open("/dev/planted", "w")
                print("WROTE /dev")
            except OSError:
                pass
            """),
        "forged_loads": textwrap.dedent("""
            import json as _json, sys as _sys
            _plan = _json.load(open(_sys.argv[-1]))
            with open(_plan["out"] + "/results.jsonl", "a") as _f:
                _line = _json.dumps({"record": "load", "file": "activations.py", "log": [{}] * 100}) + "\n"
                _f.write(_line * 50_000)
                _f.write("[" * (5 * 2**20) + "\n")
            """),
        "terminal_escapes": "def forward(x, W1, W2):\n    raise RuntimeError('\\x1b[2J\\x1b]0;pwned\\x07\\x1b[32mAll tasks passed')",
        "import_grader": textwrap.dedent("""
            for _name in ("grader", "reference", "grader.judge", "reference.nnti_ws2425_sheet6"):
                try:
                    __import__(_name)
                    print("IMPORTED", _name)
                except ImportError:
                    pass
            """),
    })
    return out


SHADOWS = {"numpy.py": "print('SHADOW numpy')", "random.py": "print('SHADOW random')",
           "sitecustomize.py": "print('SHADOW sitecustomize')", "evil.pth": "import os; print('SHADOW pth')",
           "grader.py": "print('SHADOW grader')"}


def child_processes() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "worker/child.py" in cmdline:
            found.append(cmdline)
    return found


@pytest.fixture(scope="module")
def battle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attacks")
    escape = tmp / "escape"
    escape.mkdir()
    (escape / "secret.txt").write_text("the tutor's notes")
    listener, port = loopback_listener()
    rubrics = tmp / "rubrics"
    shutil.copytree(RUBRICS, rubrics)
    text = (rubrics / f"{SHEET}.toml").read_text()
    (rubrics / f"{SHEET}.toml").write_text(text.replace("[defaults]\n", "[defaults]\njob_seconds = 2\n", 1))
    sheet = tmp / SHEET
    shutil.copytree(CONTROL, sheet / "Control_1000000")
    names = {}
    for i, (name, code) in enumerate(attacks(escape, port).items(), start=1):
        folder = sheet / f"Attacker_{1000000 + i}"
        shutil.copytree(CONTROL, folder)
        (folder / "activations.py").write_text(BASE + "\n\n" + code + "\n")
        names[name] = folder.name
    shadow = sheet / "Shadow_1000099"
    shutil.copytree(CONTROL, shadow)
    for file, code in SHADOWS.items():
        (shadow / file).write_text(code)
    (shadow / "activations.py").write_text("import random\n" + BASE)
    rubric_hash = hashlib.sha256((RUBRICS / f"{SHEET}.toml").read_bytes()).hexdigest()
    before = child_processes()
    pairs = api._grading_plan([sheet], None, [tmp], None)
    run = grading.grade(pairs, workers=2, limits=LIMITS)
    solo = grading.grade([p for p in pairs if p[0].name == "Control_1000000"], workers=1, limits=LIMITS)
    try:
        stolen = listener.accept()
    except BlockingIOError:
        stolen = None
    listener.close()
    reports = {r.name: r for r in run.submissions}
    return {"reports": reports, "names": names, "solo": solo.submissions[0], "escape": escape,
            "stolen": stolen, "before": before, "rubric_hash": rubric_hash, "run": run}


def report_of(battle, attack: str):
    return battle["reports"][battle["names"][attack]]


def task(report, task_id: str):
    return next(t for t in report.tasks if t.id == task_id)


def test_the_run_completes_and_the_control_is_untouched(battle):
    control = battle["reports"]["Control_1000000"]
    solo = battle["solo"]
    assert control.points == solo.points == pytest.approx(4.6572)  # as in tests/test_submissions.py
    assert [(t.id, t.status, t.points, t.message) for t in control.tasks] == \
        [(t.id, t.status, t.points, t.message) for t in solo.tasks]
    assert not any(r.grader_error for r in battle["reports"].values())
    assert len(battle["reports"]) == len(battle["names"]) + 2


def test_no_file_escapes_no_process_survives_no_connection(battle):
    assert sorted(p.name for p in battle["escape"].iterdir()) == ["secret.txt"]
    assert battle["stolen"] is None
    # none of this batch's children is left (a grading run elsewhere on the machine may have its own)
    assert [p for p in child_processes() if p not in battle["before"]] == []
    assert hashlib.sha256((RUBRICS / f"{SHEET}.toml").read_bytes()).hexdigest() == battle["rubric_hash"]
    for path in ("/etc/nngrade-escaped", "/usr/nngrade-escaped"):
        assert not Path(path).exists()


@pytest.mark.parametrize("attack, says", [
    ("eq_object", "an object of type AlwaysEqual"), ("subclass", "an object of type Sneaky"),
    ("masked", "an object of type MaskedArray"), ("object_dtype", "numpy array of dtype object"),
    ("nan", "contains nan or inf"), ("patched_numpy", "is not correct"),
])
def test_values_that_are_not_plain_numbers_fail_with_the_reason(battle, attack, says):
    result = task(report_of(battle, attack), FORWARD_TASK)
    assert result.status in ("failed", "partial") and says in result.message + result.detail
    assert result.points < task(battle["reports"]["Control_1000000"], FORWARD_TASK).points


def test_forged_results_earn_nothing(battle):
    forged = report_of(battle, "forged_results")
    control = battle["reports"]["Control_1000000"]
    assert forged.points < control.points  # the forged records counted, and their values are wrong
    layers = {layer.name: layer.active for layer in battle["run"].isolation}
    assert all(layers[name] for name in ("filesystem", "network", "processes", "memory", "cpu"))


def test_secrets_environment_and_the_grader_are_out_of_reach(battle):
    output = report_of(battle, "read_secrets").output
    assert "LEAK" not in output and output.count("blocked") == 6
    env = json.loads(output.split("ENV ", 1)[1].splitlines()[0].replace("'", '"'))
    assert set(env) <= {"PATH", "LANG", "HOME", "TMPDIR", "MPLBACKEND", "MPLCONFIGDIR", "PYTHONHASHSEED",
                        "PYTHONDONTWRITEBYTECODE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                        "LC_CTYPE", "PWD"}
    assert "IMPORTED" not in report_of(battle, "import_grader").output


def test_no_network(battle):
    assert "no network" in report_of(battle, "network").output


def test_resource_attacks_end_as_a_clear_status(battle):
    forks = report_of(battle, "fork_bomb")
    assert "forks stopped after" in forks.output and int(forks.output.split("forks stopped after")[1].split()[0]) < 64
    memory = report_of(battle, "memory")
    assert any("MemoryError" in n.message for n in memory.notes)
    disk = report_of(battle, "disk_fill")
    assert "disk stopped after" in disk.output and "WROTE" not in disk.output
    assert int(disk.output.split("disk stopped after")[1].split()[0]) <= 128
    flood = report_of(battle, "flood")
    assert len(flood.output) <= 4100
    signals = report_of(battle, "signals")
    assert "value: timeout" in task(signals, FORWARD_TASK).detail and any("overall limit" in f for f in signals.flags)
    recursion = task(report_of(battle, "recursion"), FORWARD_TASK)
    assert "value: error" in recursion.detail and "RecursionError" in recursion.message


def test_ending_early_or_late_costs_only_the_attacker(battle):
    control = battle["reports"]["Control_1000000"].points
    early = report_of(battle, "os_exit")
    assert any("exited early" in f for f in early.flags) and early.points < control
    assert report_of(battle, "sys_exit").points == control  # the statement is reported; the rest is graded
    assert any("SystemExit" in n.message for n in report_of(battle, "sys_exit").notes)
    assert report_of(battle, "threads").points == control
    assert report_of(battle, "atexit").points == control and "ATEXIT RAN" not in report_of(battle, "atexit").output
    assert report_of(battle, "daemon").points == control


def test_kernel_settings_devices_and_forged_records(battle):
    kernel = report_of(battle, "kernel_settings").output
    assert "WROTE" not in kernel and kernel.count("refused") == 3
    shm = report_of(battle, "shared_memory").output
    assert "WROTE" not in shm and int(shm.split("stopped after")[1].split()[0]) <= 64
    forged = report_of(battle, "forged_loads")
    assert len(forged.notes) <= 200  # the file's real load record only, not 50,000 forged ones
    escapes = task(report_of(battle, "terminal_escapes"), FORWARD_TASK)
    assert "\x1b" not in escapes.message and "\\u001b[2J" in escapes.message


def test_files_that_would_shadow_libraries_or_the_grader_are_not_used(battle):
    shadow = battle["reports"]["Shadow_1000099"]
    assert "SHADOW" not in shadow.output and shadow.points == battle["reports"]["Control_1000000"].points
    flag = next(f for f in shadow.flags if f.startswith("not used:"))
    assert all(name in flag for name in SHADOWS)
