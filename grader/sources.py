"""The rubric files of one submission as the grader runs them: scripts, notebooks read and validated here, and
files that are there but unusable; and what a notebook's cell checks need to watch."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import frameworks, intake, notebook
from grader.checks import NotebookRun
from grader.child_records import ChildRun
from grader.environment import Environment
from grader.notebook import Notebook
from grader.rubric import Rubric


@dataclass
class Sources:
    """The rubric files of one submission: scripts, parsed notebooks, and files that are there but unusable."""

    scripts: dict[str, Path]  # rubric name -> a .py file
    notebooks: dict[str, Notebook]  # rubric name -> a notebook read and validated here
    problems: dict[str, str]  # rubric name -> why it cannot be run (not a notebook, ...)
    helpers: dict[str, Path] = field(default_factory=dict)  # other scripts the student's files may import
    left_out: list[str] = field(default_factory=list)  # scripts that would shadow a library or the grader

    @property
    def loadable(self) -> bool:
        return bool(self.scripts or self.notebooks)

    def frameworks_lacking(self, environment: Environment) -> dict[str, tuple[str, list[str]]]:
        """Rubric file -> (the submission's file, the frameworks it imports that the grading environment lacks),
        read as text, never run."""
        texts = {name: (intake.printable(path.name), [frameworks.script_text(path)]) for name, path in self.scripts.items()}
        texts.update({name: (intake.printable(nb.name), [c.python for c in nb.code_cells])
                      for name, nb in self.notebooks.items()})
        lacking = {name: (shown, environment.missing(frameworks.imported(sources)))
                   for name, (shown, sources) in texts.items()}
        return {name: found for name, found in lacking.items() if found[1]}

    def runs(self, run: ChildRun | None) -> dict[str, NotebookRun]:
        """What the notebook checks read, per rubric file."""
        out: dict[str, NotebookRun] = {}
        for name, problem in self.problems.items():
            out[name] = NotebookRun(name, problem=problem)
        for name, nb in self.notebooks.items():
            records = run.cells.get(name, []) if run else []
            load = next((l for l in run.loads if l["file"] == name), None) if run else None
            out[name] = NotebookRun(nb.name, nb, {r["index"]: r for r in records}, load=load,
                                    stand_in=nb.name != name, defined=_defined(load))
        for name, path in self.scripts.items():
            stem = f"{Path(name).stem}.py"
            load = next((l for l in run.loads if l["file"] == name), None) if run else None
            out[name] = NotebookRun(path.name if path.name != stem else name, load=load,
                                    stand_in=path.name != name, defined=_defined(load))
        return out


def same_file(mine: Path, course: Path) -> bool:
    """Sizes first: a submission's huge copy is never read."""
    try:
        return mine.stat().st_size == course.stat().st_size and mine.read_bytes() == course.read_bytes()
    except OSError:
        return False


def _defined(load: dict[str, Any] | None) -> frozenset[str] | None:
    return frozenset(load["names"]) if load and load.get("names") is not None else None


def sources_of(found: dict[str, Path], chosen: dict[str, Path]) -> Sources:
    sources = Sources({}, {}, {}, *intake.helper_scripts(found, chosen))
    for name, path in chosen.items():
        if path.suffix == ".ipynb" or name.endswith(".ipynb"):  # a script for a notebook runs as its sections
            try:
                sources.notebooks[name] = notebook.read(path) if path.suffix == ".ipynb" \
                    else notebook.from_script(path)
            except notebook.NotebookError as exc:
                sources.problems[name] = str(exc)
        else:
            sources.scripts[name] = path
    return sources


def watch_of(rubric: Rubric, name: str, nb: Notebook) -> dict[int, list[str]]:
    """Names to read right after a named cell ran, for cell checks with a variable."""
    watch: dict[int, list[str]] = {}
    for task in rubric.tasks:
        for check in task.checks:
            if check.kind == "cell" and check.file == name and check.variable is not None:
                cell = nb.find(check.cell)
                if cell is not None:
                    watch.setdefault(cell.index, []).append(check.variable)
    return watch
