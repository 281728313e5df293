"""Planted mistakes: every known mistake of a sheet, handed in the way a student would, judged by the rubric.

The diagnoses are only worth something if each listed mistake is named when a
student makes it and nothing is named when a student is right. This module
plants each mistake of a sheet (the reference's `MISTAKES` values and wrong
formulas of `FORMULAS`, the rubric's wrong choices) into otherwise correct answers, judges them with the
rubric's own check, tolerances and visibility, and does the same with the right
answers as controls. The planted-mistake tests assert on the result and
`bench/bench_diagnoses.py` prints the shares. Everything here is reference data:
no submission takes part.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from grader import mutants
from grader.checks import Context, Outcome, answer, choice, expression, formula_mutants, value
from grader.checks.formula_language import FormulaError, evaluate, parse
from grader.checks.compare import as_numbers, distinguishable
from grader.rubric import Rubric, ValueCheck
from reference.formula import call_with, sample_point


@dataclass(frozen=True)
class Planted:
    """One wrong (or, for a control, right) answer to one answer-key entry and how the grader judged it."""

    sheet: str
    key: str
    kind: str  # "answer" (a hand value), "value" (computed by code), "formula" or "choice"
    mistake: str | None  # the planted mistake's id; None for a correct control
    fits: frozenset[str]  # every mistake id that gives this same answer: naming any of them is right
    outcome: Outcome
    too_close: bool = False  # the mistake's value is within a few tolerances of the right one: never named

    @property
    def named(self) -> bool:
        """The first diagnosis names the planted mistake (or one indistinguishable from it)."""
        return self.outcome.status == "failed" and bool(self.outcome.diagnoses) \
            and self.outcome.diagnoses[0] in self.fits and self.mistake in self.fits

    @property
    def false_alarm(self) -> bool:
        """A correct control that did not pass cleanly."""
        return self.mistake is None and (self.outcome.status != "passed" or bool(self.outcome.diagnoses))


def rounded(number: Any, digits: int = 4) -> Any:
    """As a student writes a value by hand: `digits` significant digits, as nested lists."""
    array = np.asarray(number, dtype=np.float64)
    return np.vectorize(lambda v: float(f"{v:.{digits}g}") if np.isfinite(v) else v)(array).tolist()


def _graded(rubric: Rubric) -> dict[str, tuple[Any, Any]]:
    """Answer-key entry -> (the check that grades it, its task), for entries compared with a value."""
    out: dict[str, tuple[Any, Any]] = {}
    for task in rubric.tasks:
        for check in task.checks:
            if check.kind in ("answer", "expression", "choice"):
                out.setdefault(check.key, (check, task))
            elif check.kind == "value" and check.recompute is None:
                for name in check.observe.values():
                    out.setdefault(name, (check, task))
            elif check.kind == "gradient":
                for name in check.expect.values():
                    out.setdefault(name, (check, task))
            elif check.kind == "cell" and check.expect is not None:
                out.setdefault(check.expect, (check, task))
    return out


class Sheet:
    """A sheet's rubric, answer key and mistake values, computed once for all plantings."""

    def __init__(self, rubric: Rubric, module: ModuleType):
        self.rubric = rubric
        self.id = rubric.sheet
        self.module = module  # the sheet's reference
        self.key = module.answer_key(rubric.given)
        self.listed = mutants.known(module, rubric.given, self.key)  # the sheet's own MISTAKES
        self.mistakes = mutants.alternatives(module, rubric.given, self.key)  # what grading matches against
        self.graded = _graded(rubric)

    def context(self, task: Any, **kw: Any) -> Context:
        return Context(key=self.key, defaults=self.rubric.defaults, sheet=self.id, reference=self.module,
                       mistakes=self.mistakes,
                       reveal=self.rubric.visibility_of(task) == "public", **kw)

    def tolerances(self, name: str) -> tuple[float, float]:
        check, _ = self.graded[name]
        defaults = self.rubric.defaults
        if check.kind == "answer":
            return check.tolerances(defaults.answer_rtol, defaults.answer_atol)
        return check.tolerances(defaults.value_rtol, defaults.value_atol)

    def judge(self, name: str, answer_value: Any) -> tuple[str, Outcome, bool]:
        """(kind, outcome, passes) of `answer_value` handed in for the entry `name` by its rubric check."""
        check, task = self.graded[name]
        if check.kind == "answer":
            outcome = answer.judge(check, self.context(task, answers={name: answer_value}))
            return "answer", outcome, outcome.status == "passed"
        if check.kind in ("expression", "choice"):
            judge = expression.judge if check.kind == "expression" else choice.judge
            outcome = judge(check, self.context(task, answers={name: answer_value}))
            return "formula" if check.kind == "expression" else "choice", outcome, outcome.status == "passed"
        rtol, atol = self.tolerances(name)
        as_value = ValueCheck(kind="value", file="planted.py", observe={"v": name}, rtol=rtol, atol=atol)
        job = {"status": "ok", "observed": {"v": answer_value}, "seconds": 0.0}
        outcome = value.judge(as_value, self.context(task, job=job))
        return "value", outcome, outcome.status == "passed"


def _by_hand(sheet: Sheet, name: str, number: Any) -> Any:
    check, _ = sheet.graded[name]
    return rounded(number) if check.kind == "answer" else np.asarray(number, dtype=np.float64)


def _same(a: Any, b: Any, rtol: float = 1e-9) -> bool:
    a, b = as_numbers(a), as_numbers(b)
    if isinstance(a, str) or isinstance(b, str) or a.size != b.size:
        return False
    return bool(np.allclose(a.reshape(-1), b.reshape(-1), rtol=rtol, atol=1e-12, equal_nan=True))


def plant_values(sheet: Sheet, model: bool = False) -> list[Planted]:
    """The sheet's listed mistakes or, with `model`, the error model's single slips that no list holds."""
    out = []
    for name, alts in sheet.mistakes.items():
        if name not in sheet.graded:
            continue
        listed = {(a.id, a.message) for a in sheet.listed.get(name, [])}
        for alt in (alt for alt in alts if ((alt.id, alt.message) in listed) != model):
            handed_in = _by_hand(sheet, name, alt.value)
            kind, outcome, passes = sheet.judge(name, handed_in)
            rtol = 1e-3 if kind == "answer" else 1e-9
            fits = frozenset(i for a in alts if _same(a.value, alt.value, rtol=rtol) for i in (a.id, *a.also))
            too_close = passes or not distinguishable(alt.value, sheet.key[name], *sheet.tolerances(name))
            out.append(Planted(sheet.id, name, kind, alt.id, fits, outcome, too_close))
    return out


def plant_formulas(sheet: Sheet) -> list[Planted]:
    out = []
    for name, formula in getattr(sheet.module, "FORMULAS", {}).items():
        if name not in sheet.graded:
            continue
        for mistake in formula.mistakes:
            _, outcome, passes = sheet.judge(name, mistake.text)
            fits = frozenset(m.id for m in formula.mistakes
                             if expression.compare(mistake.text, formula.following(m)).agrees)
            out.append(Planted(sheet.id, name, "formula", mistake.id, fits, outcome, too_close=passes))
    return out


def _at_points(fn, points: list[dict[str, np.ndarray]]) -> list[np.ndarray] | None:
    try:
        with np.errstate(all="ignore"):
            values = [np.asarray(fn(p), dtype=np.float64) for p in points]
    except (FormulaError, ValueError, TypeError, IndexError, ArithmeticError):
        return None
    return values if all(np.all(np.isfinite(v)) for v in values) else None


def _same_everywhere(a: list[np.ndarray] | None, b: list[np.ndarray] | None) -> bool:
    return a is not None and b is not None and all(
        x.shape == y.shape and np.allclose(x, y, rtol=1e-6, atol=1e-9) for x, y in zip(a, b))


def plant_operators(sheet: Sheet) -> list[Planted]:
    """Every single mutant of every graded reference formula (formula_mutants), handed in as the student's
    formula. `fits` holds every name that gives the same values: an equivalent mutant, a sheet's own
    FormulaMistake, or "sign-flip" when the mutant is the formula negated."""
    out = []
    for name, formula in getattr(sheet.module, "FORMULAS", {}).items():
        if name not in sheet.graded:
            continue
        rng = np.random.default_rng(1)
        points = [sample_point(formula, rng) for _ in range(8)]
        found = formula_mutants.candidates(parse(formula.text, formula.names))
        values = [_at_points(lambda p, c=c: evaluate(c.parsed, p), points) for c in found]
        right = _at_points(lambda p: formula(**p), points)
        negated = [-v for v in right] if right is not None else None
        known = [(m.id, _at_points(lambda p, m=m: call_with(m.fn, p), points)) for m in formula.mistakes]
        for candidate, value in zip(found, values):
            if value is None or _same_everywhere(value, right):
                continue  # cannot be evaluated on the sheet's shapes, or the same formula rewritten
            fits = {c.operator for c, v in zip(found, values) if _same_everywhere(v, value)}
            fits |= {mistake for mistake, v in known if _same_everywhere(v, value)}
            fits |= {"sign-flip"} if _same_everywhere(value, negated) else set()
            _, outcome, passes = sheet.judge(name, candidate.parsed.text)
            out.append(Planted(sheet.id, name, "operator", candidate.operator, frozenset(fits), outcome,
                               too_close=passes))
    return out


def plant_choices(sheet: Sheet) -> list[Planted]:
    out = []
    for name, (check, _) in sheet.graded.items():
        for wrong, mistake in getattr(check, "mistakes", {}).items():
            _, outcome, passes = sheet.judge(name, wrong)
            out.append(Planted(sheet.id, name, "choice", mistake.id, frozenset({mistake.id}), outcome, passes))
    return out


def controls(sheet: Sheet) -> list[Planted]:
    """The right answer to every entry a mistake changes, handed in the same way: none may get a diagnosis."""
    names = {p for p in sheet.mistakes if p in sheet.graded}
    names |= {n for n, f in getattr(sheet.module, "FORMULAS", {}).items() if f.mistakes and n in sheet.graded}
    names |= {n for n, (check, _) in sheet.graded.items() if getattr(check, "mistakes", None)}
    out = []
    for name in sorted(names):
        right = sheet.key[name]
        kind, outcome, _ = sheet.judge(name, right if isinstance(right, str) else _by_hand(sheet, name, right))
        out.append(Planted(sheet.id, name, kind, None, frozenset(), outcome))
    return out


def plant(rubric: Rubric, module: ModuleType) -> tuple[list[Planted], list[Planted]]:
    """(every planted mistake, the correct controls) of one sheet, whose reference is `module`."""
    sheet = Sheet(rubric, module)
    return plant_values(sheet) + plant_formulas(sheet) + plant_choices(sheet), controls(sheet)
