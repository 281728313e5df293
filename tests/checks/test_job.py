"""What a worker job's status means: a name that is missing because the file stopped at the template's
`raise NotImplementedError` is not attempted; a name missing otherwise, or any other error, is an error."""
from grader.checks import NotebookRun
from grader.checks.job import failure
from tests.checks.helpers import context, job

UNFINISHED = {"log": [{"line": 40, "kind": "exception", "error": "NotImplementedError: define a, b, n"}]}
CRASHED = {"log": [{"line": 40, "kind": "exception", "error": "NameError: name 'np' is not defined"}]}
MISSING = job(status="missing", error="code2.py defines no `x`")


def test_a_name_behind_the_templates_raise_is_not_attempted():
    out = failure(context(job=MISSING, notebook=NotebookRun("code2.py", load=UNFINISHED)))
    assert (out.status, out.message) == ("not-attempted", "not implemented yet: code2.py defines no `x`")


def test_a_name_missing_for_another_reason_stays_an_error():
    assert failure(context(job=MISSING, notebook=NotebookRun("code2.py", load=CRASHED))).status == "error"
    assert failure(context(job=MISSING, notebook=NotebookRun("code2.py", load={"log": []}))).status == "error"
    assert failure(context(job=MISSING)).status == "error"  # no load record at all
