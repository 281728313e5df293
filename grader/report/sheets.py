"""`grade sheets`: the sheets this grader knows, where each came from, and where its files are."""
from __future__ import annotations

from rich.table import Table

from grader.sheets import Sheet


def render(sheets: list[Sheet]) -> Table:
    table = Table(title="sheets", show_lines=False)
    for column in ("sheet", "origin", "rubric", "examples"):
        table.add_column(column, overflow="fold")
    for sheet in sheets:
        origin = str(sheet.origin) + (f" (replaces the {sheet.replaces} one)" if sheet.replaces else "")
        examples = str(sheet.examples) if sheet.examples.is_dir() else "none"
        table.add_row(sheet.id, origin, str(sheet.rubric), examples)
    return table
