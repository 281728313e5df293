"""The tutor's answer key as a terminal table: given data first, then expected values."""
from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.api import AnswerKey

LARGE = 30


def format_value(value: Any) -> str:
    """Readable at a glance: 4 significant digits, large arrays summarised by shape."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value) and \
            len({len(v) for v in value}) > 1:  # a list of shapes: 784x512, 512, ...
        return ", ".join("x".join(map(str, v)) for v in value)
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        return str(value)
    if array.size > LARGE:
        flat = ", ".join(f"{v:.4g}" for v in array.ravel()[:6])
        return f"array {array.shape}: {flat}, ..."
    with np.printoptions(precision=4, suppress=True, floatmode="maxprec"):
        return np.array2string(array, separator=", ")


def _flatten(prefix: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    for name, value in data.items():
        rows.extend(_flatten(f"{prefix}.{name}", value) if isinstance(value, dict) else [(f"{prefix}.{name}", value)])
    return rows


HIDDEN = "(hidden: `grade key --hidden` shows it)"


def render(key: AnswerKey, hidden: bool = False) -> Group:
    """The key; a hidden task's expected values only with `hidden` (a tutor's explicit request)."""
    r = key.rubric
    title = Text.assemble((f"{r.sheet}", "bold"), f"  {r.title} ({r.course})")
    given = Table(title="Given data (from the rubric)", title_justify="left", show_lines=False)
    given.add_column("name", style="cyan", no_wrap=True)
    given.add_column("value")
    assumed = {a.given: a.text for a in r.assumptions}
    for section, data in r.given.items():
        for name, value in _flatten(section, data):
            mark = "  [yellow](assumed)[/yellow]" if name in assumed else ""
            given.add_row(name, format_value(value) + mark)
    expected = Table(title="Expected values (reference)", title_justify="left")
    expected.add_column("key", style="cyan", no_wrap=True)
    expected.add_column("value")
    expected.add_column("graded in", style="dim")
    for name, value in key.values.items():
        shown = format_value(value) if hidden or name not in key.hidden else Text(HIDDEN, style="dim")
        expected.add_row(name, shown, ", ".join(key.usage.get(name, [])))
    parts: list[Any] = [title, given]
    for a in r.assumptions:
        parts.append(Text(f"assumed {a.given}: {a.text}", style="yellow"))
    parts.append(expected)
    if key.hidden and hidden:
        parts.append(Text(f"shown with --hidden: {len(key.hidden)} expected values of hidden tasks; keep them from "
                          "students", style="bold yellow"))
    return Group(*parts)
