"""Notebook submissions on the trusted side: read and validate with nbformat, turn cells into Python.

Nothing here executes student code. IPython's TransformerManager rewrites each
code cell's text (magics, shell escapes) into plain Python that calls
`get_ipython()`; the child runs that text with a small stand-in, so the course's
interpreter needs neither IPython nor a Jupyter kernel.
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import nbformat.validator  # noqa: F401 (imported now, not in a grading thread: its imports parse; grader/syntax.py)

from grader import syntax
from grader.text import printable, without_surrogates

MAX_NOTEBOOK_BYTES = 20 * 2**20  # the code and text a notebook holds, stored outputs dropped
MAX_NOTEBOOK_FILE_BYTES = 64 * 2**20  # the file, stored outputs included; parsed here, so bounded (archives alike)
MAX_CELLS = 2_000
MAX_SCRIPT_BYTES = 256 * 2**10  # a script handed in for a notebook is cut into cells only up to this size
MAX_TRANSFORMED_BYTES = 50_000  # IPython re-tokenises a cell per magic: larger cells are taken as plain Python
MAX_MAGIC_LINES = 50
MAGIC_LINE = re.compile(r"^\s*[%!]|!\w|\?\s*$", re.M)
COMMENT_RE = re.compile(r"^\s*#+\s*(.*)$")


class NotebookError(Exception):
    """A notebook that cannot be read; the message names the problem and what to do."""


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among all cells, as a student counts them
    kind: str  # "code", "markdown" or "raw"
    source: str
    python: str  # code cells: the source with magics and shell escapes rewritten
    tags: tuple[str, ...] = ()

    @property
    def first_line(self) -> str:
        """The first line that says what the cell is: a leading `%%time` or `%matplotlib inline` is skipped,
        since Jupyter wants a cell magic on line 1 and the student cannot put the naming comment above it."""
        lines = [line.strip() for line in self.source.splitlines() if line.strip()]
        said = next((line for line in lines if not line.startswith("%")), lines[0] if lines else "")
        return said[:80]

    def named(self, name: str) -> bool:
        """A cell is named by a tag, nbgrader's grade_id, or its first line being a comment that names it."""
        if name in self.tags:
            return True
        m = COMMENT_RE.match(self.first_line)
        return bool(m) and re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", m.group(1), re.IGNORECASE) is not None


@dataclass(frozen=True)
class Notebook:
    name: str  # the file name in the submission
    node: Any  # the nbformat NotebookNode, for the executed copy in the feedback
    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()  # what the report should say about how it was read (a kernelspec not followed)

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.kind == "code"]

    def first_line(self, index: int) -> str:
        return next((c.first_line for c in self.cells if c.index == index), "")

    def find(self, name: str) -> Cell | None:
        """The code cell a rubric names; the last one when several carry the name (the final version)."""
        found = [c for c in self.code_cells if c.named(name)]
        return found[-1] if found else None

    def worker_spec(self, watch: dict[int, list[str]], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """What the child needs: the cells as Python text, which names to read after which cell, and the
        constants the rubric replaces."""
        return {"file": self.name, "cells": [{"index": c.index, "source": c.python} for c in self.code_cells],
                "watch": {str(k): v for k, v in watch.items()}, "overrides": dict(overrides or {})}


def _python(source: str) -> str:
    """The cell as plain Python. Only cells that look like they hold magics go through IPython, and
    only small ones with few of them: its cost grows with magics x cell size, and this is the grader."""
    magics = len(MAGIC_LINE.findall(source))
    if not magics or magics > MAX_MAGIC_LINES or len(source) > MAX_TRANSFORMED_BYTES:
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # text IPython cannot transform: the child reports it as the cell's SyntaxError
        return source


def not_run(command: str) -> str:
    """What the report says about a shell escape, install or magic the grader skipped."""
    if command.startswith("!") or command.split()[0].lstrip("%") in ("pip", "conda", "mamba", "micromamba", "uv"):
        return (f"`{command}` was not run: the grader runs no shell commands or installs; "
                "the grading environment provides the packages")
    return f"`{command}` was not run: the grader does not run this magic"


def _tags(cell: Any) -> tuple[str, ...]:
    metadata = cell.get("metadata", {})
    tags = [str(t) for t in metadata.get("tags", []) if isinstance(t, str)]
    grade_id = metadata.get("nbgrader", {}).get("grade_id") if isinstance(metadata.get("nbgrader"), dict) else None
    return tuple(tags + ([grade_id] if isinstance(grade_id, str) else []))


def _where(path: Any) -> str:
    """nbformat's location of a schema error as `cell 4: `, counted from 1 like the report's cells."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "cells" and isinstance(parts[1], int):
        return f"cell {parts[1] + 1}: "
    return ""


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "unknown problem"


def read(path: Path, name: str | None = None) -> Notebook:
    """The notebook as the grader runs it. Stored outputs and attachments never decide anything, so they are
    dropped before the size limit applies: a notebook heavy with plots is graded like its code. The kernelspec is
    metadata the student controls (an editor may write bash or R there): the cells run as Python, and the report
    says so."""
    name = name or path.name
    advice = "open it in Jupyter and save it again, or submit the notebook file Jupyter wrote"
    try:
        if path.stat().st_size > MAX_NOTEBOOK_FILE_BYTES:
            raise NotebookError(f"{name} is larger than {MAX_NOTEBOOK_FILE_BYTES // 2**20} MB; clear the outputs "
                                "(Kernel > Restart & Clear Output) and submit it again")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not UTF-8 text, so it is not a notebook; {advice}") from None
    except OSError as exc:
        raise NotebookError(f"{name} cannot be read ({exc.strerror})") from None
    try:
        with warnings.catch_warnings():  # nbformat warns (missing cell ids) on stderr with its file paths
            warnings.simplefilter("ignore")
            node = nbformat.reads(_without_outputs(text), as_version=4)
            nbformat.validate(node)
    except (nbformat.reader.NotJSONError, json.JSONDecodeError, RecursionError):
        raise NotebookError(f"{name} is not a notebook (not valid JSON); {advice}") from None
    except nbformat.ValidationError as exc:
        where = _where(getattr(exc, "absolute_path", ()))
        raise NotebookError(f"{name} is not a valid notebook ({where}{_first_line(str(exc.message))}); "
                            f"{advice}") from None
    except _TooLarge as exc:
        raise NotebookError(f"{name} holds {exc.args[0] // 2**20} MB of code and text (limit "
                            f"{MAX_NOTEBOOK_BYTES // 2**20} MB, stored outputs not counted)") from None
    except Exception as exc:  # nbformat's version errors and conversion failures of old formats
        raise NotebookError(f"{name} is not a notebook this grader can read ({_first_line(str(exc))}); {advice}") from None
    notes = []
    kernelspec = node.metadata.get("kernelspec", {})
    language = (kernelspec.get("language") if isinstance(kernelspec, dict) else None) \
        or node.metadata.get("language_info", {}).get("name") or "python"
    if str(language).lower() != "python":
        notes.append(f"{name}: its metadata names a {printable(str(language)[:40])} kernel; the cells were run as Python")
    if len(node.cells) > MAX_CELLS:
        raise NotebookError(f"{name} has {len(node.cells)} cells (limit {MAX_CELLS})")
    for c in node.cells:
        c.source = without_surrogates(c.source)  # spelled-out controls would change the code
    cells = tuple(Cell(index=i, kind=c.cell_type, source=c.source,
                       python=_python(c.source) if c.cell_type == "code" else "", tags=_tags(c))
                  for i, c in enumerate(node.cells, start=1))
    return Notebook(name=name, node=node, cells=cells, notes=tuple(notes))


class _TooLarge(Exception):
    pass


def _without_outputs(text: str) -> str:
    """The notebook's JSON with every code cell's outputs and every cell's attachments emptied, checked against
    the size limit of what is left."""
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("cells"), list):
        for cell in data["cells"]:
            if isinstance(cell, dict):
                if "outputs" in cell:
                    cell["outputs"] = []
                cell.pop("attachments", None)
    elif isinstance(data, dict) and isinstance(data.get("worksheets"), list):  # nbformat 3
        for sheet in data["worksheets"]:
            for cell in sheet.get("cells", []) if isinstance(sheet, dict) else []:
                if isinstance(cell, dict) and "outputs" in cell:
                    cell["outputs"] = []
    left = json.dumps(data)
    if len(left) > MAX_NOTEBOOK_BYTES:
        raise _TooLarge(len(left))
    return left


def script_sections(source: str) -> list[str]:
    """A script handed in for a notebook, cut where a notebook would have its cells: at `# %%` markers and at
    comment lines that open a block after a blank line (`# 7.3.f: train the network`), never inside a
    statement. A script that does not parse is one cell, and the child reports its SyntaxError."""
    if len(source) > MAX_SCRIPT_BYTES:  # the parent parses student text: only as much as a real script has
        return [source]
    try:
        tree = syntax.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [source]
    lines = source.splitlines(keepends=True)
    cuts, previous_end = [0], 0
    for node in tree.body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        opening = [i for i in range(previous_end, start)
                   if lines[i].lstrip().startswith(("# %%", "#%%"))
                   or (lines[i].lstrip().startswith("#") and (i == 0 or not lines[i - 1].strip()))]
        if opening and opening[-1] > cuts[-1]:  # the comment nearest the code names it (nbconvert's `# In[3]:` first)
            cuts.append(opening[-1])
        previous_end = node.end_lineno or start + 1
    sections = ["".join(lines[a:b]) for a, b in zip(cuts, [*cuts[1:], len(lines)])]
    code = lambda section: any(line.strip() and not line.lstrip().startswith("#") for line in section.splitlines())
    cells = [s for s in sections if code(s)] or [source]  # comments alone do nothing
    return cells[:MAX_CELLS - 1] + ["".join(cells[MAX_CELLS - 1:])] if len(cells) > MAX_CELLS else cells


def from_script(path: Path, name: str | None = None) -> Notebook:
    """A .py file standing in for a notebook, as the notebook it would be: its sections are the cells, named
    by their first comment like notebook cells, so cell and figure checks read what the script printed and drew."""
    name = name or path.name
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
        source = without_surrogates(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise NotebookError(f"{name} cannot be read ({exc.strerror})") from None
    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text) for text in script_sections(source)])
    cells = tuple(Cell(index=i, kind="code", source=c.source, python=c.source)
                  for i, c in enumerate(node.cells, start=1))
    return Notebook(name=name, node=node, cells=cells)
