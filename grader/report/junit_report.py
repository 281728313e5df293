"""JUnit XML for CI systems: one test suite per submission, one test case per task.

CI systems (GitLab, Jenkins, GitHub test reporters) show failed test cases with their message. Statuses map to
what those systems count: passed and pending-manual pass (a tutor's share is not a failure), partial, failed and
not-attempted are failures, error and timeout are errors, unavailable is skipped. Points go into the suite's
properties (`<task id>.points`, `<task id>.max_points`), as the JUnit schema allows properties only there.
Messages are the student-facing ones: a hidden task's expected values never appear.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from grader.report.files import points, write_atomic
from grader.report.models import RunReport, SubmissionReport, TaskResult

FAILURE = {"partial", "failed", "not-attempted"}
ERROR = {"error", "timeout"}
SKIPPED = {"unavailable"}



def _case(suite: ET.Element, report: SubmissionReport, task: TaskResult) -> None:
    case = ET.SubElement(suite, "testcase", name=f"{task.id} {task.title}".strip(),
                         classname=f"{report.sheet}.{report.name}", time=f"{task.seconds:.3f}")
    text = f"{points(task.points, 4)}/{points(task.max_points, 4)} points: {task.message}"
    if task.status in FAILURE:
        ET.SubElement(case, "failure", message=task.message, type=task.status).text = text
    elif task.status in ERROR:
        ET.SubElement(case, "error", message=task.message, type=task.status).text = text
    elif task.status in SKIPPED:
        ET.SubElement(case, "skipped", message=task.message)
    else:
        ET.SubElement(case, "system-out").text = text


def _suite(report: SubmissionReport) -> ET.Element:
    counts = {"failures": FAILURE, "errors": ERROR, "skipped": SKIPPED}
    suite = ET.Element("testsuite", name=f"{report.sheet}/{report.name}", tests=str(len(report.tasks)),
                       time=f"{report.seconds:.3f}",
                       **{name: str(sum(t.status in kinds for t in report.tasks)) for name, kinds in counts.items()})
    properties = ET.SubElement(suite, "properties")
    rows = [("points", report.points), ("max_points", report.max_points), ("checkable_points", report.checkable_max)]
    rows += [(f"{t.id}.{field}", value) for t in report.tasks
             for field, value in (("points", t.points), ("max_points", t.max_points))]
    for name, value in rows:
        ET.SubElement(properties, "property", name=name, value=points(value, 4))
    for task in report.tasks:
        _case(suite, report, task)
    if report.flags:
        ET.SubElement(suite, "system-out").text = "\n".join(report.flags)
    return suite


def render(run: RunReport) -> str:
    root = ET.Element("testsuites", name="nngrade", tests=str(sum(len(r.tasks) for r in run.submissions)),
                      time=f"{sum(r.seconds for r in run.submissions):.3f}")
    for report in run.submissions:
        root.append(_suite(report))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write(run: RunReport, path: Path) -> None:
    write_atomic(path, render(run))
