"""Sheets are discovered, not listed: the built-in ones, installed sheet packs and course folders, one loader.

A sheet is a reference module (`SHEET_ID`, `GIVEN_MODELS`, `answer_key`), a rubric (`rubrics/<id>.toml`, its
course files in `rubrics/files/<id>/`) and example submissions (`submissions/<id>/`), all under one layout
folder. Three sources, loaded in this order through `sheet_from`:
- the built-in sheets: the modules in `reference.BUILTIN`, their layout `reference.layout()`;
- installed packs: each entry point of the group `nngrade.sheets`, named by the sheet id, loads the sheet's
  reference module; its layout is the module's `LAYOUT`, else the module's own folder;
- course folders (`--course DIR`, else `$NNGRADE_COURSE`, else the current folder when it has the layout): each
  `rubrics/<id>.toml` is a sheet, its reference `reference/<id with _ for ->.py`, or, when the course has none,
  the reference of the sheet it replaces (next year's numbers for the same sheet).
A course sheet replaces a built-in or installed one of the same id, and the run says so; any other id found
twice is an error naming both origins. The result is handed down; nothing looks a sheet up by id again.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Literal

import reference
from grader.errors import SheetError, UsageError

ENTRY_POINT_GROUP = "nngrade.sheets"
COURSE_ENV = "NNGRADE_COURSE"
AUTOLOAD_ENV = "NNGRADE_DISABLE_PACK_AUTOLOAD"  # set: installed packs are not loaded (as pytest's plugin switch)


@dataclass(frozen=True)
class Origin:
    """Where a sheet came from, as the run's header and every error about it say it."""

    kind: Literal["built-in", "pack", "course"]
    where: str = ""  # the distribution and its version, or the course folder

    def __str__(self) -> str:
        return self.kind if not self.where else f"{self.kind} {self.where}"


@dataclass(frozen=True)
class Sheet:
    id: str
    reference: ModuleType  # trusted: runs in the grading process, never in the child
    rubric: Path
    examples: Path  # may not exist: a sheet need not ship examples
    origin: Origin
    replaces: Origin | None = None  # the built-in or installed sheet of the same id this one stands in for

    @property
    def files(self) -> Path:
        """The course's files of this sheet (handed out, supplied to submissions, data)."""
        return self.rubric.parent / "files" / self.id

    @property
    def hidden(self) -> tuple[Path, ...]:
        """What student code must never see, broadest first: a course's whole folder, the reference's package
        (its compiled files included), the rubric's folder and the examples. Where one of them holds the
        child's own libraries (a course folder with its venv inside), the sandbox binds those back."""
        broadest = [self.rubric.resolve().parent.parent] if self.origin.kind == "course" else []
        return tuple(dict.fromkeys([*broadest, Path(self.reference.__file__).resolve().parent,
                                    self.rubric.resolve().parent, self.examples.resolve()]))

    @property
    def note(self) -> str | None:
        return f"{self.id}: the {self.origin} sheet replaces the {self.replaces} one" if self.replaces else None


def module_name(sheet_id: str) -> str:
    """The reference module's file stem for a sheet id: `reference/<id with _ for ->.py`."""
    return sheet_id.replace("-", "_").replace(".", "_")


def sheet_from(module: ModuleType, layout: Path, origin: Origin, *, expected_id: str | None = None,
               rubric: Path | None = None) -> Sheet:
    """A sheet from its reference module, checked once here, as pluggy checks a plugin when it registers."""
    sheet_id = getattr(module, "SHEET_ID", None)
    name = expected_id or (sheet_id if isinstance(sheet_id, str) else module.__name__)
    if not isinstance(sheet_id, str):
        raise SheetError(name, origin, f"{module.__name__} has no SHEET_ID (a string naming the sheet)")
    if expected_id is not None and sheet_id != expected_id:
        raise SheetError(name, origin, f"{module.__name__} says SHEET_ID = {sheet_id!r}")
    if not callable(getattr(module, "answer_key", None)):
        raise SheetError(sheet_id, origin, f"{module.__name__} has no answer_key(given) function")
    if not isinstance(getattr(module, "GIVEN_MODELS", None), dict):
        raise SheetError(sheet_id, origin, f"{module.__name__} has no GIVEN_MODELS (section name -> pydantic model)")
    rubric = rubric or layout / "rubrics" / f"{sheet_id}.toml"
    if not rubric.is_file():
        raise SheetError(sheet_id, origin, f"no rubric {rubric}")
    return Sheet(sheet_id, module, rubric, layout / "submissions" / sheet_id, origin)


def builtin() -> list[Sheet]:
    layout = reference.layout()
    return [sheet_from(_imported(name, Origin("built-in")), layout, Origin("built-in")) for name in reference.BUILTIN]


def _imported(name: str, origin: Origin) -> ModuleType:
    try:
        return importlib.import_module(name)
    except (Exception, SystemExit) as exc:
        raise SheetError(name.rpartition(".")[2], origin, f"{name} does not import: {_said(exc)}") from exc


def _said(exc: BaseException) -> str:
    """An exception in one line: its type and the first line of its message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def packs(entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> list[Sheet]:
    """The sheets installed packs register; none when $NNGRADE_DISABLE_PACK_AUTOLOAD is set."""
    if entry_points is None:
        if os.environ.get(AUTOLOAD_ENV):
            return []
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    found = []
    for point in entry_points:
        dist = getattr(point, "dist", None)
        origin = Origin("pack", f"{dist.name} {dist.version}" if dist is not None else point.value)
        try:
            module = point.load()
        except (Exception, SystemExit) as exc:
            raise SheetError(point.name, origin, f"{point.value} does not import: {_said(exc)}") from exc
        if not isinstance(module, ModuleType):
            raise SheetError(point.name, origin, f"{point.value} is not a module: name the sheet's reference module")
        if not module.__package__:  # the sandbox hides a pack by its folder; a lone module shares site-packages
            raise SheetError(point.name, origin, f"{point.value} is a top-level module: put the sheet's reference "
                                                 "module into a package of its own")
        layout = Path(getattr(module, "LAYOUT", None) or Path(module.__file__).resolve().parent)
        found.append(sheet_from(module, layout, origin, expected_id=point.name))
    return found


def is_course(folder: Path) -> bool:
    return (folder / "rubrics").is_dir() and any((folder / "rubrics").glob("*.toml"))


def course(folder: Path, known: Mapping[str, Sheet]) -> list[Sheet]:
    """A course folder's sheets; `known` lends its reference to a course rubric that has none of its own."""
    folder = folder.resolve()
    origin = Origin("course", str(folder))
    found = []
    for rubric in sorted((folder / "rubrics").glob("*.toml")):
        sheet_id = rubric.stem
        source = folder / "reference" / f"{module_name(sheet_id)}.py"
        if source.is_file():
            module = _course_module(folder, source, sheet_id, origin)
        elif sheet_id in known:
            module = known[sheet_id].reference
        else:
            raise SheetError(sheet_id, origin, f"no reference module {source} (and no built-in or installed sheet "
                                               "of that id)")
        found.append(sheet_from(module, folder, origin, expected_id=sheet_id, rubric=rubric))
    return found


def _course_module(folder: Path, source: Path, sheet_id: str, origin: Origin) -> ModuleType:
    """A course's reference module, imported under a package of its own so its helpers import as `from . import x`
    and two courses' modules of the same name never meet; a changed file is imported anew."""
    stamp = "".join(f"{p}{p.stat().st_mtime_ns}" for p in sorted((folder / "reference").rglob("*.py")))
    package = "nngrade_course_" + hashlib.sha256(f"{folder}|{stamp}".encode()).hexdigest()[:12]
    name = f"{package}.{source.stem}"
    if name in sys.modules:
        return sys.modules[name]
    if package not in sys.modules:
        spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
        holder = importlib.util.module_from_spec(spec)
        holder.__path__ = [str(folder / "reference")]
        sys.modules[package] = holder
    spec = importlib.util.spec_from_file_location(name, source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        del sys.modules[name]
        raise SheetError(sheet_id, origin, f"{source.name} does not import: {_said(exc)}") from exc
    return module


def course_folders(explicit: Sequence[Path | str] = ()) -> list[Path]:
    """--course DIR (any number), else $NNGRADE_COURSE (folders joined by the path separator), else the current
    folder (or its `.nngrade/`, a sheet kit) when it has a course's layout, but never in CI ($CI set), where the
    working folder is a student's repository and a course folder in it would run the student's code as the
    grader's. Each folder once; never where the built-in sheets live, nor a copy of
    nngrade's own checkout (its reference/ is a package, a course's is a plain folder)."""
    if explicit:
        given, source = [Path(p) for p in explicit], "--course"
    elif os.environ.get(COURSE_ENV):
        given, source = [Path(p) for p in os.environ[COURSE_ENV].split(os.pathsep) if p], f"${COURSE_ENV}"
    elif os.environ.get("CI"):  # in CI the working folder is a student's repository: its code is not trusted
        given, source = [], ""
    else:  # the current folder, or the course folder of a sheet kit inside it (`grade kit`)
        here = Path.cwd()
        given = [folder for folder in (here, here / ".nngrade") if is_course(folder)
                 and not (folder / "reference" / "__init__.py").exists()][:1]
        source = ""
    folders: dict[Path, None] = {}
    for folder in given:
        if not is_course(folder):
            raise UsageError(f"{source} {folder}: not a course folder: it needs rubrics/<sheet-id>.toml (and "
                             "reference/<sheet_id>.py for a new sheet); `grade new SHEET-ID --course DIR` makes one")
        if folder.resolve() != reference.layout().resolve():
            folders.setdefault(folder.resolve())
    return list(folders)


@dataclass(frozen=True)
class Catalogue(Mapping[str, Sheet]):
    """The discovered sheets by id, and what replaced what."""

    sheets: dict[str, Sheet] = field(default_factory=dict)

    def __getitem__(self, sheet_id: str) -> Sheet:
        return self.sheets[sheet_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.sheets)

    def __len__(self) -> int:
        return len(self.sheets)

    @property
    def notes(self) -> list[str]:
        return [sheet.note for sheet in self.sheets.values() if sheet.note]

    def unknown(self, sheet_id: str) -> str:
        return f"unknown sheet {sheet_id!r}; known sheets: {', '.join(self.sheets)}"


def discover(courses: Sequence[Path | str] = (), *,
             entry_points: Iterable[importlib.metadata.EntryPoint] | None = None, implicit: bool = True) -> Catalogue:
    """Every sheet this run can grade: built-in, then installed packs, then course folders. Without `implicit`,
    only the `courses` given: a cluster worker grades the client's courses, never one where it was started."""
    sheets: dict[str, Sheet] = {}
    for sheet in [*builtin(), *packs(entry_points)]:
        if sheet.id in sheets:
            raise SheetError(sheet.id, sheet.origin, f"the id is taken by the {sheets[sheet.id].origin} sheet; "
                                                     "uninstall one of them")
        sheets[sheet.id] = sheet
    installed = dict(sheets)
    seen_in_courses: dict[str, Sheet] = {}
    for folder in course_folders(courses) if implicit or courses else []:
        for sheet in course(Path(folder), installed):
            if sheet.id in seen_in_courses:
                raise SheetError(sheet.id, sheet.origin, f"the id is also in {seen_in_courses[sheet.id].origin}")
            seen_in_courses[sheet.id] = sheet
            if sheet.id in installed:
                sheet = Sheet(sheet.id, sheet.reference, sheet.rubric, sheet.examples, sheet.origin,
                              replaces=installed[sheet.id].origin)
            sheets[sheet.id] = sheet
    return Catalogue(sheets)
