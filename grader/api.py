"""The library's entry points; the CLI and the tests call these and nothing deeper.

Every function takes `course`: course folders whose sheets join the built-in and installed ones (grader/sheets.py;
default: $NNGRADE_COURSE, else the current folder when it is a course).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import rubric as rubric_mod
from grader import sheets as discovery
from grader.errors import SheetError, UsageError
from grader.report.models import RunReport, SubmissionReport
from grader.rubric import Problem, Rubric
from grader.sheets import Catalogue, Sheet
from reference.common import to_plain

if TYPE_CHECKING:
    from grader.self_check import SelfCheck

__all__ = ["AnswerKey", "Sheet", "SheetError", "UsageError", "answer_key", "catalogue", "check_examples",
           "check_rubrics", "grade", "load_rubric", "manual_template", "merge_manual", "self_check", "sheets",
           "write_kit", "write_templates"]

Course = Sequence[Path | str]


def catalogue(course: Course = ()) -> Catalogue:
    """Every sheet this run can grade, by id."""
    return discovery.discover(course)


def sheets(course: Course = ()) -> list[Sheet]:
    """The discovered sheets with their origins (`grade sheets`)."""
    return list(catalogue(course).values())


def _sheet(sheet_id: str, found: Catalogue) -> Sheet:
    if sheet_id not in found:
        raise UsageError(found.unknown(sheet_id) + " (a course's own sheet needs --course DIR)")
    return found[sheet_id]


def load_rubric(sheet_id: str, course: Course = (), found: Catalogue | None = None) -> Rubric:
    found = found if found is not None else catalogue(course)
    return rubric_mod.load(_sheet(sheet_id, found).rubric, found)


@dataclass(frozen=True)
class AnswerKey:
    """A sheet's given data and expected values, as the tutor's key shows them."""

    rubric: Rubric
    values: dict[str, Any]
    usage: dict[str, list[str]]

    @property
    def sheet(self) -> str:
        return self.rubric.sheet

    @cached_property
    def hidden(self) -> frozenset[str]:
        """The entries a hidden task grades, and those of equal value (grader/hidden.py): shown only to whoever
        asks for them (`grade key --hidden`)."""
        from grader.hidden import secret_entries

        return secret_entries(self.rubric, self.values)

    def plain(self, hidden: bool = False) -> dict[str, Any]:
        """One flat JSON-ready mapping: numbers, nested lists (arrays), strings (formulas), booleans; a hidden
        task's entries only with `hidden`."""
        return {name: to_plain(value) for name, value in self.values.items() if hidden or name not in self.hidden}


def answer_key(sheet_id: str, course: Course = (), found: Catalogue | None = None) -> AnswerKey:
    found = found if found is not None else catalogue(course)
    rubric = load_rubric(sheet_id, found=found)
    values = found[sheet_id].reference.answer_key(rubric.given)
    return AnswerKey(rubric, values, rubric_mod.key_usage(rubric))


def rubric_files(paths: Sequence[Path | str], found: Catalogue) -> list[Path]:
    """Expand folders to their *.toml files; no paths means every discovered sheet's rubric."""
    if not paths:
        return [sheet.rubric for sheet in found.values()]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found_here = sorted(p.glob("*.toml")) or sorted((p / "rubrics").glob("*.toml"))
            if not found_here:
                raise UsageError(f"{p}: no rubric files (*.toml) in this folder")
            files.extend(found_here)
        elif p.exists():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")
    return files


def check_rubrics(paths: Sequence[Path | str] = (), course: Course = ()) -> tuple[list[Path], list[Problem]]:
    """Validate rubric files against their sheets' references (default: every sheet's, or the course's own). A
    rubric file inside a course folder (COURSE/rubrics/x.toml) is checked against that course's reference."""
    around = [Path(p).resolve().parent.parent for p in paths if Path(p).suffix == ".toml"
              and Path(p).resolve().parent.name == "rubrics" and (Path(p).resolve().parent.parent / "reference").is_dir()]
    if around and not course:
        course = list(dict.fromkeys(folder for folder in around if discovery.is_course(folder)))
    found = catalogue(course)
    if not paths and discovery.course_folders(course):
        paths = [sheet.rubric for sheet in found.values() if sheet.origin.kind == "course"]
    files = rubric_files(paths, found)
    return files, rubric_mod.check_files(files, found)


def check_examples(course: Course = (), sheet_ids: Sequence[str] = ()) -> list[Problem]:
    """Grade each sheet's examples that its README (`submissions/<id>/README.md`) speaks about and compare
    (default: the course's sheets with --course, else every sheet)."""
    from grader import examples

    found = catalogue(course)
    courses = discovery.course_folders(course)
    chosen = [_sheet(i, found) for i in sheet_ids] if sheet_ids else \
        [s for s in found.values() if not courses or s.origin.kind == "course"]
    problems: list[Problem] = []
    for sheet in chosen:
        if not (sheet.examples / "README.md").is_file():
            continue
        try:
            load_rubric(sheet.id, found=found)
        except rubric_mod.RubricError:  # `grade rubric check` lists the rubric's problems; its examples wait
            continue
        run = grade([sheet.examples], sheet=sheet.id, course=course)
        problems += examples.check(sheet, {report.name: report for report in run.submissions})
    return problems


def _grading_plan(paths: Sequence[Path | str], sheet: str | None, course: Course, python: str | None,
                  single: bool = False) -> list[tuple[Any, Any]]:
    """Every submission under `paths` with its sheet's setup (`_plan` without the entries left out)."""
    return _plan(paths, sheet, course, python, single)[0]


def _plan(paths: Sequence[Path | str], sheet: str | None, course: Course, python: str | None, single: bool = False,
          times: Path | None = None) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """Every submission under `paths` (grader/discovery.py) with its sheet's rubric, key and plan (built once per
    sheet), and the input's entries that are not graded. With `single`, each path is one submission of `sheet`,
    whatever its folder is named. `times`: a --submitted-at CSV, which overrides the times found."""
    from grader import discovery
    from grader.environment import EnvironmentProblem
    from grader.grading import SheetSetup

    found = catalogue(course)
    if sheet is not None:
        _sheet(sheet, found)
    try:
        intake = discovery.Intake([discovery.single(Path(p), sheet) for p in paths]) if single and sheet else \
            discovery.discover([Path(p) for p in paths], sheet, list(found), times)
    except discovery.IntakeError as exc:
        raise UsageError(str(exc)) from None
    if not intake.found:
        why = f" ({intake.not_graded[0].path}: {intake.not_graded[0].reason})" if intake.not_graded else ""
        raise UsageError(f"no submissions found in {', '.join(map(str, paths))}{why}: expected folders, archives, "
                         ".py or .ipynb files under a folder named after the sheet")
    setups: dict[str, SheetSetup] = {}
    for item in intake.found:
        if item.sheet not in setups:
            rubric = load_rubric(item.sheet, found=found)
            try:
                setups[item.sheet] = SheetSetup.build(found[item.sheet], rubric, python)
            except EnvironmentProblem as exc:
                raise UsageError(str(exc)) from None
    return [(item, setups[item.sheet]) for item in intake.found], intake.not_graded


def grade(paths: Sequence[Path | str], *, sheet: str | None = None, course: Course = (), workers: int | None = None,
          python: str | None = None, feedback: Path | None = None, previous: Sequence[SubmissionReport] = (),
          submitted_at: Path | str | None = None, scheduler: str | None = None,
          on_start: Callable[[int], None] | None = None,
          on_done: Callable[[SubmissionReport], None] | None = None) -> RunReport:
    """Grade every submission under `paths`. Submissions already in `previous` (an interrupted run's report) are
    kept, not graded again. `submitted_at`: a CSV of hand-in times (grader/lateness.py). `scheduler`: a Dask
    scheduler's address or `local:N` (grader/cluster.py). `on_start` hears how many submissions there are,
    `on_done` each report as it is done."""
    from grader import cluster, grading

    if scheduler:
        cluster.parse(scheduler)  # a wrong address is a usage error before anything is found
    pairs, not_graded = _plan(paths, sheet, course, python, times=Path(submitted_at) if submitted_at else None)
    if on_start is not None:
        on_start(len(pairs))
    options = dict(workers=workers, on_done=on_done, previous=list(previous), feedback=feedback,
                   not_graded=not_graded)
    if scheduler:
        folders = [str(Path(folder).resolve()) for folder in discovery.course_folders(course)]
        return cluster.grade(pairs, scheduler, folders, python, **options)
    return grading.grade(pairs, **options)


def self_check(path: Path | str = ".", *, sheet: str | None = None, course: Course = ()) -> "SelfCheck":
    """A student's own work graded by the public checks (and those that need no expected value); hidden tasks
    say only that they are checked after the deadline. The sheet is inferred from the files when not given."""
    from grader import grading, self_check as views

    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if not course and not os.environ.get("CI") and discovery.is_course(path / ".nngrade"):  # a kit, from elsewhere
        course = [path / ".nngrade"]
    found = catalogue(course)
    sheet = sheet or views.infer_sheet(path, found)
    pairs = _grading_plan([path], sheet, course, None, single=True)
    report = grading.grade(pairs, workers=1).submissions[0]
    return views.view(report, pairs[0][1].rubric)


def manual_template(sheet_id: str, paths: Sequence[Path | str], course: Course = ()) -> str:
    """The tutors' CSV for a sheet's manual points: one row per submission found under `paths` (not graded)."""
    from grader import discovery, intake, manual

    found = catalogue(course)
    rubric = load_rubric(sheet_id, found=found)
    try:
        submissions = discovery.discover([Path(p) for p in paths], sheet_id, list(found)).found
    except discovery.IntakeError as exc:
        raise UsageError(str(exc)) from None
    rows = []
    for item in submissions:
        members = item.members if item.members is not None else intake.parse_members(item.name)[0]
        rows.append((item.name, ", ".join(f"{m.name} {m.id}" for m in members)))
    if not rows:
        raise UsageError(f"no submissions of {sheet_id} found in {', '.join(map(str, paths))}")
    return manual.template(rubric, rows)


def merge_manual(run: RunReport, file: Path | str, course: Course = ()) -> RunReport:
    """The run with a tutors' manual-points file merged in (checked whole first: nothing merges on a problem)."""
    from grader import manual

    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{file}: cannot read it: {exc.strerror}") from None
    sheet_id = manual.sheet_of(text, str(file))
    found = catalogue(course)
    return manual.apply(run, load_rubric(_sheet(sheet_id, found).id, found=found), text, str(file))


def write_kit(sheet_id: str, folder: Path | str, course: Course = (), overwrite: bool = False) -> list[Path]:
    """A kit a course can publish: the starting folder of `write_templates` and, in `.nngrade/`, the sheet with
    its public tasks only and a frozen key (grader/kit.py): `grade check` there needs no reference code and
    holds no hidden value."""
    from grader import kit, mutants

    found = catalogue(course)
    answer = answer_key(sheet_id, found=found)
    sheet = found[sheet_id]
    if (Path(folder) / kit.FOLDER).exists() and not overwrite:
        raise UsageError(f"{Path(folder) / kit.FOLDER} already exists; pass --force to overwrite")
    if not kit.checkable(answer.rubric, answer.hidden):  # before anything is written
        raise UsageError(f"{sheet_id} has no task a kit can check without hidden values or reference code; "
                         "hand out `grade template` instead")
    written = write_templates(sheet_id, folder, course, overwrite, found=found)
    mistakes = mutants.alternatives(sheet.reference, answer.rubric.given, answer.values)
    return written + kit.write(sheet, answer.rubric, answer.values, mistakes, answer.hidden, Path(folder))


def write_templates(sheet_id: str, folder: Path | str, course: Course = (), overwrite: bool = False,
                    found: Catalogue | None = None) -> list[Path]:
    """A student's starting folder: the files the course hands out (the rubric's `templates`, its `provided`
    framework), a starter generated from the rubric for every other file a submission holds, an answers file
    skeleton and a README on self-checking."""
    from grader import starter

    found = found if found is not None else catalogue(course)
    rubric = load_rubric(sheet_id, found=found)
    sheet = found[sheet_id]
    folder = Path(folder)
    handed = {name: rubric_mod.provided_file(sheet.rubric, rubric, name).read_bytes()
              for name in [*rubric.templates, *rubric.provided]}
    planned: dict[str, bytes] = {Path(name).name: data for name, data in handed.items()}
    for file in rubric.files:
        if Path(file).name in planned:
            continue
        code = starter.render(rubric, file, starter.outline(rubric, sheet.reference, file))
        planned[file] = (starter.notebook(code) if file.endswith(".ipynb") else code).encode()
    if starter.by_hand(rubric):
        planned[rubric.answers_file] = starter.answers_skeleton(rubric).encode()
    planned["README.md"] = starter.readme(rubric, list(rubric.files)).encode()
    targets = {folder / name: data for name, data in planned.items()}
    existing = [str(t) for t in targets if t.exists()]
    if existing and not overwrite:
        raise UsageError(f"{', '.join(existing[:3])} already exists; pass --force to overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    for target, data in targets.items():
        target.write_bytes(data)
    return list(targets)
