"""The library's entry points; the CLI and the tests call these and nothing deeper."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import reference
from grader import rubric as rubric_mod
from grader.rubric import Problem, Rubric
from reference.common import to_plain

RUBRICS_ENV = "NNGRADE_RUBRICS"


class UsageError(Exception):
    """A mistake in how the grader was called: one line that says what to do."""


def rubrics_dir(explicit: Path | str | None = None) -> Path:
    """Where the rubric files are: --rubrics, $NNGRADE_RUBRICS, ./rubrics, or the project's own."""
    candidates = [explicit, os.environ.get(RUBRICS_ENV), Path.cwd() / "rubrics",
                  Path(__file__).resolve().parent.parent / "rubrics"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise UsageError("no rubrics folder found: pass --rubrics DIR or set NNGRADE_RUBRICS")


def load_rubric(sheet_id: str, rubrics: Path | str | None = None) -> Rubric:
    if sheet_id not in reference.SHEETS:
        raise UsageError(f"unknown sheet {sheet_id!r}; known sheets: {', '.join(reference.SHEETS)}")
    path = rubrics_dir(rubrics) / f"{sheet_id}.toml"
    if not path.exists():
        raise UsageError(f"no rubric for {sheet_id}: {path} does not exist")
    return rubric_mod.load(path)


@dataclass(frozen=True)
class AnswerKey:
    """A sheet's given data and expected values, as the tutor's key shows them."""

    rubric: Rubric
    values: dict[str, Any]
    usage: dict[str, list[str]]

    @property
    def sheet(self) -> str:
        return self.rubric.sheet

    def plain(self) -> dict[str, Any]:
        """One flat JSON-ready mapping: numbers, nested lists (arrays), strings (formulas), booleans."""
        return {name: to_plain(value) for name, value in self.values.items()}


def answer_key(sheet_id: str, rubrics: Path | str | None = None) -> AnswerKey:
    rubric = load_rubric(sheet_id, rubrics)
    values = reference.answer_key(rubric.sheet, rubric.given)
    return AnswerKey(rubric, values, rubric_mod.key_usage(rubric))


def rubric_files(paths: list[Path | str], rubrics: Path | str | None = None) -> list[Path]:
    """Expand folders to their *.toml files; no paths means the rubrics folder."""
    if not paths:
        paths = [rubrics_dir(rubrics)]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise UsageError(f"{p}: no rubric files (*.toml) in this folder")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")
    return files


def check_rubrics(paths: list[Path | str], rubrics: Path | str | None = None) -> tuple[list[Path], list[Problem]]:
    files = rubric_files(paths, rubrics)
    return files, rubric_mod.check_files(files)


def grading_plan(paths: list[Path | str], sheet: str | None = None, rubrics: Path | str | None = None,
                 python: str | None = None) -> list[tuple[Path, "SheetSetup"]]:
    """Every submission under `paths` with its sheet's rubric, key and plan (built once per sheet).
    `python` names the interpreter that runs student code (default: the rubric's, else the grader's)."""
    from grader import intake
    from grader.environment import EnvironmentProblem
    from grader.grading import SheetSetup

    if sheet is not None and sheet not in reference.SHEETS:
        raise UsageError(f"unknown sheet {sheet!r}; known sheets: {', '.join(reference.SHEETS)}")
    try:
        found = intake.discover([Path(p) for p in paths], sheet, list(reference.SHEETS))
    except intake.IntakeError as exc:
        raise UsageError(str(exc)) from None
    if not found:
        raise UsageError(f"no submissions found in {', '.join(map(str, paths))}: expected folders, .zip or .py files "
                         "under a folder named after the sheet")
    setups: dict[str, SheetSetup] = {}
    for _, sheet_id in found:
        if sheet_id not in setups:
            rubric = load_rubric(sheet_id, rubrics)
            try:
                setups[sheet_id] = SheetSetup.build(rubric, rubrics_dir(rubrics) / f"{sheet_id}.toml", python)
            except EnvironmentProblem as exc:
                raise UsageError(str(exc)) from None
    return [(path, setups[sheet_id]) for path, sheet_id in found]


def grade(paths: list[Path | str], sheet: str | None = None, rubrics: Path | str | None = None,
          workers: int | None = None, on_done=None, python: str | None = None, feedback: Path | None = None):
    """Grade every submission under `paths`; returns the RunReport."""
    from grader import grading

    return grading.grade(grading_plan(paths, sheet, rubrics, python), workers=workers, on_done=on_done,
                         feedback=feedback)


def write_templates(sheet_id: str, folder: Path | str, rubrics: Path | str | None = None,
                    overwrite: bool = False) -> list[Path]:
    """The files a sheet hands out to students (the rubric's `templates`), copied into `folder`."""
    rubric = load_rubric(sheet_id, rubrics)
    if not rubric.templates:
        raise UsageError(f"{sheet_id} hands out no template files (its rubric lists none)")
    folder = Path(folder)
    sources = [rubric_mod.provided_file(rubrics_dir(rubrics) / f"{sheet_id}.toml", rubric, n) for n in rubric.templates]
    targets = [folder / source.name for source in sources]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not overwrite:
        raise UsageError(f"{', '.join(existing)} already exists; pass --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    for source, target in zip(sources, targets):
        target.write_bytes(source.read_bytes())
    return targets
