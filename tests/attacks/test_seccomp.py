"""The child's seccomp filter: from student code, one syscall of each denied class fails with EPERM while the
submission's tasks are graded as usual; the same calls outside the filter do not fail that way; the shipped
examples grade the same with and without the filter."""
import errno
import json
import shutil
import textwrap

import pytest

from grader import api, isolation, seccomp_filter
from tests.conftest import ROOT

seccomp = pytest.importorskip("pyseccomp")
SHEET6 = ROOT / "submissions" / "nnti-ws2425-sheet6"
GOOD = "Krueger_2581234_Hartmann_2579911"
# one call per denied class, with arguments that are harmless wherever they are allowed
CALLS = {
    "ptrace": (16, 1, 0, 0),  # PTRACE_ATTACH to init
    "keyctl": (0, -3, 0),  # KEYCTL_GET_KEYRING_ID of the session keyring
    "bpf": (-1, 0, 0),
    "io_uring_setup": (0, 0),
    "mount": (0, 0, 0, 0, 0),
    "unshare": (0,),  # a no-op without the filter
    "init_module": (0, 0, 0),
    "syslog": (10,),  # SYSLOG_ACTION_SIZE_BUFFER
    "clock_settime": (0x7fff, 0),  # an invalid clock
    "name_to_handle_at": (-100, 0, 0, 0, 0),
    "personality": (0xffffffff,),  # a query: only the default personality may be set
}


def numbers() -> dict[str, int]:
    return {name: seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) for name in CALLS}


def attempts_code() -> str:
    return textwrap.dedent(f"""\
        import ctypes as _ctypes
        _libc = _ctypes.CDLL(None, use_errno=True)
        for _name, (_nr, _args) in {json.dumps({n: (numbers()[n], a) for n, a in CALLS.items()})}.items():
            _ret = _libc.syscall(_nr, *[_ctypes.c_long(_a) for _a in _args])
            print("seccomp-check", _name, _ctypes.get_errno() if _ret == -1 else "ok")
        """)


@pytest.fixture(scope="module")
def filtered():
    iso = api.grade([SHEET6 / GOOD]).isolation
    layer = next((l for l in iso if l.name == "seccomp"), None)
    if layer is None or not layer.active:
        pytest.skip(f"no seccomp layer on this machine: {layer.how if layer else 'not probed'}")
    return layer


def test_each_denied_class_fails_with_eperm_from_student_code_and_the_tasks_are_graded(tmp_path, filtered):
    sheet = tmp_path / "nnti-ws2425-sheet6"
    shutil.copytree(SHEET6, sheet)
    code = sheet / GOOD / "activations.py"
    code.write_text(attempts_code() + code.read_text())
    run = {r.name: r for r in api.grade([sheet]).submissions}
    clean = {r.name: r for r in api.grade([SHEET6]).submissions}
    seen = dict(line.split()[1:3] for line in run[GOOD].output.splitlines() if line.startswith("seccomp-check"))
    assert seen == {name: str(errno.EPERM) for name in CALLS}
    assert {n: r.points for n, r in run.items()} == {n: r.points for n, r in clean.items()}


def test_outside_the_filter_the_same_calls_do_not_fail_with_eperm():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for name in ("bpf", "io_uring_setup", "unshare", "personality", "clock_settime"):
        ret = libc.syscall(numbers()[name], *[ctypes.c_long(a) for a in CALLS[name]])
        assert ret != -1 or ctypes.get_errno() != errno.EPERM, name


def test_the_shipped_examples_grade_the_same_with_and_without_the_filter(monkeypatch, filtered):
    def comparable(run):
        return [(r.name, r.points, [(t.id, t.status, t.points, t.message) for t in r.tasks], r.flags)
                for r in run.submissions]

    with_filter = api.grade([SHEET6, ROOT / "submissions" / "leuphana-dl-ss24-ex2"])
    monkeypatch.setattr(seccomp_filter, "program", lambda: (None, "off for this test"))
    isolation.detect.cache_clear()
    try:
        without = api.grade([SHEET6, ROOT / "submissions" / "leuphana-dl-ss24-ex2"])
        assert not next(l for l in without.isolation if l.name == "seccomp").active
        assert comparable(with_filter) == comparable(without)
    finally:
        isolation.detect.cache_clear()
