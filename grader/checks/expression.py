"""Expression answers: a student's formula string, evaluated safely and compared with the reference.

The formula is read by the safe formula language (`formula_language`) and
evaluated at random sample points beside the reference formula. A formula may use
every name the sheet defines, and write vectors as the sheet does or, throughout,
in another layout (rows, columns, flat): it agrees when it agrees in one of them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from grader import diagnose
from grader.checks import formula_mutants
from grader.checks.compare import align  # a vector compares as (n,), 1 x n or n x 1
from grader.checks.formula_language import FormulaError, ParsedFormula, evaluate, parse  # noqa: F401 (re-exported)
from reference.formula import Formula, Layout, OtherSolution, call_with, relayout, sample_dims, sample_point

if TYPE_CHECKING:  # grader.checks imports this module
    from grader.checks import Context
    from grader.rubric import ExpressionCheck

@dataclass(frozen=True)
class Comparison:
    agrees: bool
    message: str
    max_error: float
    diagnoses: tuple[str, ...] = ()


class _Evaluations:
    """The student's formula at the sample points, each evaluated at most once and only when asked for: a
    diagnosis then costs about one evaluation per candidate that fails at its first point, so a formula built
    to be slow costs no more to diagnose than to compare."""

    def __init__(self, parsed: ParsedFormula, points: list[dict[str, np.ndarray]]):
        self.parsed, self.points, self.cache = parsed, points, {}

    def __call__(self, i: int) -> np.ndarray | None:
        if i not in self.cache:
            self.cache[i] = _value(lambda: evaluate(self.parsed, self.points[i]))
        return self.cache[i]


def _value(thunk: Callable[[], object]) -> np.ndarray | None:
    """A float array, or None when it cannot be evaluated (shapes that do not fit, a domain error)."""
    try:
        with np.errstate(all="ignore"):
            return np.asarray(thunk(), dtype=np.float64)
    except (FormulaError, ValueError, TypeError, IndexError, ArithmeticError):
        return None


def _everywhere(got: Callable[[int], np.ndarray | None], want: Callable[[int], np.ndarray | None], n: int,
                rtol: float, atol: float) -> bool:
    """got(i) agrees with want(i) at every point; stops at the first point where it does not."""
    for i in range(n):
        g, w = got(i), want(i)
        g = align(g, w) if g is not None and w is not None else None
        if g is None or not diagnose.close(g, w, rtol, atol):
            return False
    return True


def diagnose_formula(parsed: ParsedFormula, formula: Formula, points: list[dict[str, np.ndarray]],
                     expected: list[np.ndarray], rtol: float, atol: float, reveal: bool = True,
                     cache_key: tuple | None = None) -> "diagnose.Diagnosis | None":
    """Why a formula that disagrees is wrong, when it agrees everywhere with a known mistake: the sheet's own
    wrong formulas first (they speak the exercise's language), then the whole formula negated, then the
    reference formula changed in one place by a mutation operator (formula_mutants), then a constant factor,
    a transposed result, and last a matrix variable used transposed (evaluated again with that variable
    transposed). `points` are flat; the student's formula is evaluated with vectors as the sheet writes them."""
    n = len(points)
    for layout in formula.layouts():  # the sheet's layout, else the first the student's formula evaluates in
        shown = [relayout(p, layout) for p in points]
        got = _Evaluations(parsed, shown)
        if got(0) is not None:
            break
    right = expected.__getitem__
    for mistake in formula.mistakes:
        wrong = (lambda m: lambda i: _value(lambda: call_with(m.fn, points[i])))(mistake)
        if _everywhere(got, wrong, n, rtol, atol) and not _everywhere(wrong, right, n, rtol, atol):
            return diagnose.Diagnosis(mistake.id, mistake.message)
    first = got(0)
    if first is not None and np.any(np.abs(expected[0]) > atol) and \
            _everywhere(got, lambda i: -expected[i], n, rtol, atol):
        return diagnose.SIGN_FLIP  # negated as a whole: where the minus went cannot be told
    if first is not None:
        operator = _mutant(got, formula, points, right, n, rtol, atol, reveal, cache_key)
        if operator is not None:
            return operator
        first = align(first, expected[0])
        # one factor at every one of the sample points is the evidence a constant factor needs
        c = diagnose.factor(first, expected[0], atol) if first is not None else None
        if c is not None and _everywhere(got, lambda i: c * expected[i], n, rtol, atol):
            return diagnose.constant_factor(c)
        transposed = lambda i: g.T if (g := got(i)) is not None and g.ndim == 2 else None
        if _everywhere(transposed, right, n, rtol, atol):
            return diagnose.TRANSPOSED
    sheets = [relayout(p, formula.vectors) for p in points]  # a matrix used transposed, in the sheet's notation
    for name, variable in formula.variables.items():
        if len(variable.shape) != 2:
            continue
        flipped = lambda i: _value(lambda: evaluate(parsed, {**sheets[i], name: sheets[i][name].T}))
        if _everywhere(flipped, right, n, rtol, atol):
            rows, cols = variable.shape
            return diagnose.Diagnosis("transposed", f"{name} is used transposed: {name} is {rows} x {cols}; "
                                                    "check its orientation in products and sums")
    return None


_MUTANTS: dict[tuple, tuple[list[formula_mutants.Candidate], list[_Evaluations]]] = {}


def _mutant(got: _Evaluations, formula: Formula, points: list[dict[str, np.ndarray]], right, n: int,
            rtol: float, atol: float, reveal: bool, cache_key: tuple) -> "diagnose.Diagnosis | None":
    """The candidate of the reference formula that the student's agrees with everywhere. The candidates and
    their values are computed once per formula and sample points (cache_key), lazily, and never in the child."""
    # the formulas are the reference modules' own objects, alive for the whole run: their identity is the key
    cache_key = cache_key or (id(formula), len(points), id(points))
    if cache_key not in _MUTANTS:
        try:
            reference = parse(formula.text, formula.names)
        except FormulaError:
            return None
        found = formula_mutants.candidates(reference, dict(formula.activation_inputs))
        _MUTANTS[cache_key] = (found, [_Evaluations(c.parsed, points) for c in found])
    found, values = _MUTANTS[cache_key]
    fits = [c for c, value in zip(found, values)
            if _everywhere(got, value, n, rtol, atol) and not _everywhere(value, right, n, rtol, atol)]
    if not fits:
        return None
    first, others = fits[0], {c.message for c in fits[1:]} - {fits[0].message}
    message = first.message if reveal else first.hidden
    if others and reveal:
        message += f" (it also reads as: {sorted(others)[0]})"
    return diagnose.Diagnosis(first.operator, message)


def compare(text: str, formula: Formula, samples: int = 20, seed: int = 0,
            rtol: float = 1e-6, atol: float = 1e-9, reveal: bool = True) -> Comparison:
    """Evaluate the student's formula and the reference at the same random points.

    Raises FormulaError only when the text cannot be read at all; a formula that
    reads but fails at a point is a disagreement with the reason (and the shapes
    used), and with a diagnosis when the formula fits a known mistake at every point.

    Dimensions are drawn anew for each point, so a formula that only works for one
    layer size (a transpose that happens to fit a square W) is caught.
    """
    parsed = parse(text, formula.names)
    rng = np.random.default_rng(seed)
    dims, points, expected = [], [], []
    for _ in range(samples):
        point_dims = sample_dims(formula, rng)
        dims.append(point_dims)
        points.append(sample_point(formula, rng, point_dims))
        expected.append(formula(**points[-1]))
    layouts = formula.layouts() if any(v.ndim == 1 for v in points[0].values()) else (formula.vectors,)
    results = []
    for layout in layouts:
        result = _first_disagreement(parsed, [relayout(p, layout) for p in points], expected, dims, rtol, atol,
                                     layout)
        if result.agrees:
            shown = "" if layout == formula.vectors else f" (vectors written as {_LAYOUT_WORDS[layout]})"
            return Comparison(True, result.message + shown, result.max_error)
        results.append(result)
    result = results[0]  # the sheet's own notation says best what went wrong
    found = diagnose_formula(parsed, formula, points, expected, rtol, atol, reveal, (id(formula), samples, seed))
    if found is None:
        return result
    if not reveal and found.id in diagnose.REVEALING:  # negating or rescaling the formula would give the answer
        return Comparison(False, result.message, result.max_error, (found.id,))
    unreadable = "the formula cannot be evaluated"  # numpy's shape error says less than the diagnosis does
    where = unreadable if result.message.startswith(unreadable) else result.message
    return Comparison(False, f"{where}: {found.message}", result.max_error, (found.id,))


_LAYOUT_WORDS = {"flat": "plain vectors", "row": "rows (1 x n)", "column": "columns (n x 1)"}


def _shapes(point: dict[str, np.ndarray], layout: Layout) -> str:
    """`s is 1 x 4, W is 3 x 4`: the shapes a failing formula was evaluated with, and the layouts tried."""
    shown = [f"{name} is {' x '.join(map(str, value.shape))}" for name, value in point.items() if value.ndim]
    others = "; columns and rows were tried too" if layout == "flat" else "; other layouts were tried too"
    return f"{', '.join(shown)}{others}" if shown else "all scalars"


def _first_disagreement(parsed: ParsedFormula, points: list, expected: list, dims: list,
                        rtol: float, atol: float, layout: Layout = "flat") -> Comparison:
    worst, samples = 0.0, len(points)
    for i, (point, want, point_dims) in enumerate(zip(points, expected, dims)):
        try:
            got = evaluate(parsed, point)
        except FormulaError as exc:  # readable but wrong, e.g. shapes that do not fit
            return Comparison(False, f"{exc} ({_shapes(point, layout)})", float("inf"))
        aligned = align(got, want)
        if aligned is None:
            return Comparison(False, f"the formula gives shape {got.shape} where {want.shape} is expected "
                                     f"({_shapes(point, layout)})", float("inf"))
        if not np.all(np.isfinite(aligned)):
            return Comparison(False, "the formula gives nan or inf at points where the quantity is defined", float("inf"))
        error = float(np.max(np.abs(aligned - want) / (atol + rtol * np.abs(want)))) if aligned.size else 0.0
        worst = max(worst, error)
        if error > 1.0:
            shapes = _shapes(point, layout)
            return Comparison(False, f"the formula differs from the expected one at sample point {i + 1} of {samples}"
                                     + ("" if shapes == "all scalars" else f" ({shapes})"), worst)
    return Comparison(True, f"agrees at {samples} random points", worst)


def judge(check, ctx) -> "Outcome":
    """expression: the answers file's formula string vs the reference formula at sample points."""
    from grader.checks import Outcome
    from grader.checks.answers_entry import entry

    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    formula = ctx.reference.FORMULAS[check.key]
    if not isinstance(raw, str):
        return Outcome.failed(f'"{check.key}" should be a formula in quotes, in the variables '
                              f"{', '.join(formula.names)}")
    rtol, atol = check.tolerances(1e-6, 1e-9)  # compare()'s defaults: both sides are exact formulas
    try:
        result = compare(raw, formula, check.samples, check.seed, rtol, atol, reveal=ctx.reveal)
    except FormulaError as exc:
        return Outcome.failed(f'"{check.key}": {exc}')
    if result.agrees:
        return Outcome.passed(f'"{check.key}" {result.message}')
    other = _other_solution(check, ctx, raw, rtol, atol)
    if other is not None:
        return Outcome.passed(f'"{check.key}" agrees with {other.says}, as the rest of your answer does')
    shown = f"; expected a formula equivalent to {formula.text}" if ctx.reveal else ""
    return Outcome.failed(f'"{check.key}": {result.message}{shown}', diagnoses=result.diagnoses)


def _other_solution(check: ExpressionCheck, ctx: Context, raw: str, rtol: float,
                    atol: float) -> OtherSolution | None:
    """The sheet's other right answer this formula belongs to, when the student's other formulas of its group
    belong to it as well (reference OTHER_SOLUTIONS); None otherwise."""
    answers = {**(ctx.answers or {}), check.key: raw}

    def agrees(key: str, formula: Formula) -> bool:
        text = answers.get(key)
        return isinstance(text, str) and compare(text, formula, check.samples, check.seed, rtol, atol,
                                                 reveal=False).agrees

    for other in getattr(ctx.reference, "OTHER_SOLUTIONS", ()):
        try:
            if check.key in other.formulas and all(agrees(key, f) for key, f in other.formulas.items()):
                return other
        except FormulaError:
            continue
    return None
