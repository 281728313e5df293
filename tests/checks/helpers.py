"""Building check contexts for judges without starting a child."""
from grader.checks import Context
from grader.rubric import Defaults


def job(observed=None, status="ok", fd=None, **extra):
    return {"status": status, "observed": observed or {}, "fd": fd, "seconds": 0.0, "error": extra.get("error"),
            "step": extra.get("step"), "line": extra.get("line"), "fd_precision": extra.get("fd_precision")}


def context(key=None, reveal=True, sheet="leuphana-dl-ss24-ex2", defaults=None, **kw):
    """A check's context; the sheet's reference module as discovery found it."""
    from tests.conftest import BUILTIN

    kw.setdefault("reference", BUILTIN[sheet].reference if sheet in BUILTIN else None)
    return Context(key=key or {}, defaults=defaults or Defaults(), reveal=reveal, sheet=sheet, **kw)
