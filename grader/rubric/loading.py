"""Reading rubric files: TOML, pydantic validation, and every problem reported by file, task and field.
"""
from __future__ import annotations

from grader.errors import RubricError  # noqa: F401 (raised here, caught by the CLI without loading rubrics)

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from grader.rubric.checks import CHECK_KINDS
from grader.rubric.models import Rubric

if TYPE_CHECKING:
    from collections.abc import Mapping

    from grader.sheets import Sheet

# --- loading and problems ---------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    file: str
    task: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"task {self.task}: " if self.task else ""
        return f"{self.file}: {where}{self.field}: {self.message}"


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _problems_from_validation(file: str, raw: dict[str, Any], error: ValidationError) -> list[Problem]:
    problems = []
    tasks = raw.get("tasks") if isinstance(raw.get("tasks"), list) else []
    for err in error.errors():
        loc = tuple(err["loc"])
        # pydantic names the union member in the location ("checks.0.value.file"); drop it.
        loc = tuple(p for p in loc if p not in CHECK_KINDS and p not in ("new", "set", "call"))
        task_id = None
        field_loc = loc
        if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
            entry = tasks[loc[1]] if loc[1] < len(tasks) else {}
            task_id = str(entry.get("id", f"#{loc[1] + 1}")) if isinstance(entry, dict) else f"#{loc[1] + 1}"
            field_loc = loc[2:]
        message = err["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, task_id, _field_path(field_loc), message))
    return problems


def _course_data(rubric: Rubric, file: str) -> Rubric:
    """A `dataset` named relative to the course's files (`dataset = "mnist_subset"` beside the rubric in
    files/<sheet>/) is the course's own data: the reference reads it there, wherever the grader runs from."""
    folder = Path(file).parent / "files" / rubric.sheet
    given = {}
    for section, values in rubric.given.items():
        dataset = values.get("dataset")
        if isinstance(dataset, str) and dataset != "sklearn-digits" and not Path(dataset).is_absolute() \
                and (folder / dataset).exists():
            values = {**values, "dataset": str((folder / dataset).resolve())}
        given[section] = values
    return rubric.model_copy(update={"given": given})


def parse(text: str, file: str = "<rubric>", sheets: Mapping[str, Sheet] | None = None) -> Rubric:
    """Parse and validate one rubric against its sheet's reference, found in `sheets` (default: every sheet
    discovery finds); raises RubricError listing every problem found."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError([Problem(file, None, "(syntax)", f"not valid TOML: {exc}")]) from None
    try:
        rubric = Rubric.model_validate(raw)
    except ValidationError as exc:
        raise RubricError(_problems_from_validation(file, raw, exc)) from None
    from grader import sheets as discovery  # it imports the references, which read these models
    from grader.rubric.cross_checks import cross_check

    catalogue = discovery.discover() if sheets is None else sheets
    if rubric.sheet not in catalogue:
        known = ", ".join(catalogue)
        raise RubricError([Problem(file, None, "sheet", f"unknown sheet {rubric.sheet!r}; known sheets: {known} "
                                                        "(a course's own sheet needs --course DIR)")])
    rubric = _course_data(rubric, file)
    problems = cross_check(rubric, file, catalogue[rubric.sheet].reference)
    if problems:
        raise RubricError(problems)
    return rubric


def load(path: Path | str, sheets: Mapping[str, Sheet] | None = None) -> Rubric:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError([Problem(str(path), None, "(file)", f"cannot read: {exc.strerror}")]) from None
    rubric = parse(text, str(path), sheets)
    if path.suffix == ".toml" and path.stem != rubric.sheet:
        raise RubricError([Problem(str(path), None, "sheet", f"file is named {path.stem!r} but states sheet {rubric.sheet!r}")])
    missing = [name for name in rubric.provided + rubric.templates if not provided_file(path, rubric, name).is_file()]
    if missing:
        raise RubricError([Problem(str(path), None, "provided", f"{name!r} is not in {provided_file(path, rubric, name).parent}")
                           for name in missing])
    return rubric


def provided_file(rubric_path: Path, rubric: Rubric, name: str) -> Path:
    return rubric_path.parent / "files" / rubric.sheet / name


def check_files(paths: list[Path], sheets: Mapping[str, Sheet] | None = None) -> list[Problem]:
    """Every problem of every file, including those grading tolerates (a listed mistake that raises)."""
    from grader import sheets as discovery
    from grader.rubric.cross_checks import mistake_problems

    catalogue = discovery.discover() if sheets is None else sheets
    problems: list[Problem] = []
    for path in paths:
        try:
            rubric = load(path, catalogue)
            problems.extend(mistake_problems(rubric, str(path), catalogue[rubric.sheet].reference))
        except RubricError as exc:
            problems.extend(exc.problems)
    return problems
