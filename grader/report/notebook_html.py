"""The student's notebook as the grader ran it, with the verdicts inside, as one HTML page.

Built from the notebook the parent parsed and the plain records the child sent
back (printed text, result text, figures as PNG bytes checked by the sandbox):
nothing of the child is executed or unpickled. Each graded task gets a markdown
cell right after the cell that defines what it checks (the last cell that bound
the function or name), or at the end. Markdown and raw cells have every `<`
escaped before nbconvert renders them, so text from the student's cells cannot
add tags or scripts to the page; outputs are plain text (escaped by nbconvert)
and PNG images.
"""
from __future__ import annotations

import base64
import copy
import re
import warnings
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_markdown_cell, new_output

from grader.notebook import Notebook, not_run
from grader.report.files import points
from grader.report.models import SubmissionReport, TaskResult
from grader.rubric import IDENT_RE, Rubric

MARK = {"passed": "✅", "partial": "🟡", "failed": "❌", "error": "⛔", "timeout": "⏱", "not-attempted": "➖",
        "pending-manual": "📝", "unavailable": "⚪"}


CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
SCHEME = re.compile(r"(javascript|vbscript|data|file)(\s*):", re.I)


def _inert(text: str) -> str:
    """Markdown that cannot script the page: outside code, `&` and `<` are escaped (no tags, no entity
    tricks) and script-capable URL schemes are broken with a zero-width space, so a link such as
    [x](javascript:...) becomes a harmless relative one. Code spans and fences render as written."""
    parts = CODE.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = SCHEME.sub("\\1\u200b\\2:", parts[i].replace("&", "&amp;").replace("<", "&lt;"))
    return "".join(parts)



def _outputs(record: dict[str, Any]) -> list[Any]:
    outputs = []
    if record.get("stdout"):
        outputs.append(new_output("stream", name="stdout", text=record["stdout"]))
    for text in record.get("displayed", []):
        outputs.append(new_output("display_data", data={"text/plain": text}))
    for figure in record.get("figures", []):
        if figure.get("png"):
            outputs.append(new_output("display_data", data={"image/png": base64.b64encode(figure["png"]).decode()}))
    if record.get("result_text") is not None:
        outputs.append(new_output("execute_result", data={"text/plain": record["result_text"]}))
    if record["status"] == "error":
        name, _, value = (record.get("error") or "Error").partition(": ")
        where = f" (line {record['line']})" if record.get("line") else ""
        outputs.append(new_output("error", ename=name, evalue=value + where, traceback=[f"{name}: {value}{where}"]))
    elif record["status"] in ("timeout", "skipped"):
        outputs.append(new_output("stream", name="stderr", text=f"grader: {record.get('error')}\n"))
    for name in record.get("overridden", []):
        outputs.append(new_output("stream", name="stderr", text=f"grader: {name} was set to the rubric's value\n"))
    for command in record.get("skipped", []):
        outputs.append(new_output("stream", name="stderr", text=f"grader: {not_run(command)}\n"))
    return outputs


def _names(check: Any) -> set[str]:
    """The student's names a check exercises: called functions, constructed classes, read variables."""
    names: set[str] = set()
    for step in list(getattr(check, "steps", [])) + list(getattr(check, "loss_steps", [])):
        path = getattr(step, "cls", None) or getattr(step, "target", None)
        if path and getattr(step, "op", "") != "set":
            names.add(path.split(".")[0].split("[")[0])
    if getattr(check, "variable", None):
        names.add(check.variable.split(".")[0].split("[")[0])
    return {n for n in names if IDENT_RE.match(n)}


def _anchor(task_checks: list[Any], notebook: Notebook, records: dict[int, dict[str, Any]]) -> int | None:
    """The index of the cell after which a task's verdict goes: a named cell, else the last cell defining its names."""
    for check in task_checks:
        if getattr(check, "cell", None):
            cell = notebook.find(check.cell)
            if cell is not None:
                return cell.index
    names = set().union(*(_names(c) for c in task_checks)) if task_checks else set()
    defining = [i for i, r in sorted(records.items()) if names & set(r.get("names", []))]
    return defining[-1] if defining else None


def _verdict(task: TaskResult) -> str:
    text = (f"**{MARK.get(task.status, '')} Grader, task {task.id}: {task.title}**: "
            f"{points(task.points)} of {points(task.max_points)} points ({task.status})")
    return text + (f"\n\n{task.message}" if task.message else "")


def annotated(notebook: Notebook, file: str, records: dict[int, dict[str, Any]], report: SubmissionReport,
              rubric: Rubric) -> Any:
    """A copy of the notebook with the grader's outputs and one verdict cell per task on this file."""
    node = copy.deepcopy(notebook.node)
    by_index = dict(enumerate(node.cells, start=1))
    count = 0
    for index, cell in list(by_index.items()):
        if cell.cell_type != "code":
            by_index[index] = new_markdown_cell(_inert(cell.source))  # raw cells would be pasted into the page
            continue
        cell.outputs, cell.execution_count = [], None
        if index in records:
            count += 1
            cell.execution_count = count
            cell.outputs = _outputs(records[index])
    after: dict[int | None, list[str]] = {}
    results = {t.id: t for t in report.tasks}
    for task in rubric.tasks:
        checks = [c for c in task.checks if getattr(c, "file", None) == file]
        if checks and task.id in results:
            after.setdefault(_anchor(checks, notebook, records), []).append(_inert(_verdict(results[task.id])))
    cells = [new_markdown_cell(_inert(f"**Grader feedback for {report.name}** ({report.sheet}): "
                               f"{points(report.points)} of {points(report.max_points)} automatic points for the whole "
                               "sheet. Each task's verdict follows the cell that defines what it checks."
                               + "".join(f"\n- {flag}" for flag in report.flags)))]
    for index, cell in by_index.items():
        cells.append(cell)
        cells.extend(new_markdown_cell(text) for text in after.pop(index, []))
    cells.extend(new_markdown_cell(text) for texts in after.values() for text in texts)
    node.cells = cells
    return node


def render(node: Any) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    with warnings.catch_warnings():  # pygments and nbconvert warn on stderr with their file paths
        warnings.simplefilter("ignore")
        body, _ = exporter.from_notebook_node(nbformat.from_dict(node))
    return body


def path_for(folder: Path, report: SubmissionReport, notebook: Notebook) -> Path:
    return folder / report.sheet / f"{report.name}.{Path(notebook.name).stem}.html"
