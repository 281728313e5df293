"""Expression answers: a student's formula string, evaluated safely and compared with the reference.

The formula is parsed with `ast` and evaluated by walking a whitelist of nodes:
numbers, the formula's variables, + - * / ** @, unary minus, and calls of named
numpy functions. Nothing is ever passed to eval/exec, attribute access and
subscripts are refused, and size limits keep a hostile string from costing more
than a few milliseconds.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from grader import diagnose
from reference import common
from reference.formula import Formula, sample_dims, sample_point

MAX_LENGTH = 500
MAX_NODES = 200
MAX_EXPONENT = 64.0
MAX_ELEMENTS = 1_000_000  # far above any sampled formula (dimensions 2..6), far below a memory problem
MAX_LITERAL = 1e12


class FormulaError(ValueError):
    """The formula cannot be read: the message says what to change."""


def _axis(axis) -> int:
    value = float(np.ravel(axis)[0]) if np.size(axis) == 1 else float("nan")
    if not value.is_integer() or abs(value) > 8:
        raise FormulaError("an axis must be a small whole number such as 0 or 1")
    return int(value)


def _sum(x, axis=None):
    return np.sum(x) if axis is None else np.sum(x, axis=_axis(axis))


def _mean(x, axis=None):
    return np.mean(x) if axis is None else np.mean(x, axis=_axis(axis))


def _bounded(*operands) -> None:
    """Refuse before numpy allocates: the product of the operand sizes bounds every result here
    (outer, broadcasting, matrix products), and diag of n values makes n*n."""
    bound = 1
    for operand in operands:
        bound *= max(int(np.size(operand)), 1)
    if len(operands) == 1:
        bound *= bound
    if bound > MAX_ELEMENTS:
        raise FormulaError("the formula builds arrays far larger than the quantity asked for")


FUNCTIONS: dict[str, Callable] = {
    "exp": np.exp, "log": np.log, "ln": np.log, "log2": np.log2, "log10": np.log10,
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign, "tanh": np.tanh,
    "sigmoid": common.sigmoid, "softplus": common.softplus, "relu": common.relu,
    "sum": _sum, "mean": _mean, "outer": np.outer, "diag": np.diag, "transpose": np.transpose,
    "max": np.max, "min": np.min, "maximum": np.maximum, "minimum": np.minimum, "dot": np.dot,
}
CONSTANTS = {"pi": np.pi, "e": np.e}
BINARY = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
    ast.MatMult: np.matmul,
}
OPERATOR_NAMES = {ast.Mod: "%", ast.FloorDiv: "//", ast.BitXor: "^ (write ** for powers)", ast.BitAnd: "&",
                  ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


@dataclass(frozen=True)
class ParsedFormula:
    text: str
    tree: ast.expr


def parse(text: str, variables: Mapping[str, object] | frozenset[str]) -> ParsedFormula:
    """Parse and check everything that can be checked without values."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula is empty: write it as a string, e.g. \"sign(mu - t) / sigma\"")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    source = text.strip().replace("^", "**") if "^" in text and "**" not in text else text.strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"cannot read the formula near character {exc.offset}: check brackets and operators") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"the formula has more than {MAX_NODES} parts; simplify it")
    allowed = set(variables)
    for node in nodes:
        if isinstance(node, ast.Name):
            if node.id not in allowed and node.id not in FUNCTIONS and node.id not in CONSTANTS:
                raise FormulaError(f"unknown name {node.id!r}; use the variables {', '.join(sorted(allowed))}")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Constant):
                raise FormulaError("a number is followed by brackets: write a function's power as tanh(x)**2, "
                                   "not tanh^2(x), and multiply with *, as in 2*(x + 1)")
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise FormulaError(f"{what!r} is not an available function; available: {', '.join(sorted(FUNCTIONS))}")
            if node.keywords:
                raise FormulaError(f"write the arguments of {node.func.id}() by position, without names")
        elif isinstance(node, ast.BinOp) and type(node.op) not in BINARY and not isinstance(node.op, ast.Pow):
            raise FormulaError(f"the operator {OPERATOR_NAMES.get(type(node.op), type(node.op).__name__)} is not available")
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise FormulaError("only + and - may stand before a term")
        elif isinstance(node, ast.Constant) and not (isinstance(node.value, (int, float)) and not isinstance(node.value, bool)):
            raise FormulaError(f"{node.value!r} is not a number")
        elif isinstance(node, ast.Constant) and not abs(node.value) <= MAX_LITERAL:  # exact for big ints
            raise FormulaError(f"the number {str(node.value)[:20]}... is too large for a formula")
        elif not isinstance(node, (ast.Name, ast.Call, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Load,
                                   ast.operator, ast.unaryop)):
            raise FormulaError(f"{type(node).__name__.lower()} expressions are not allowed in a formula")
    return ParsedFormula(text, tree)


def evaluate(parsed: ParsedFormula, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Walk the tree; numpy errors (shapes that do not fit) become FormulaError."""

    def walk(node: ast.expr):
        if isinstance(node, ast.Constant):
            return np.float64(node.value)
        if isinstance(node, ast.Name):
            if node.id in values:
                return values[node.id]
            if node.id in CONSTANTS:
                return np.float64(CONSTANTS[node.id])
            raise FormulaError(f"{node.id!r} is a function: call it with brackets")
        if isinstance(node, ast.UnaryOp):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow):
                if np.size(right) != 1 or abs(float(np.ravel(right)[0])) > MAX_EXPONENT:
                    raise FormulaError(f"exponents must be single numbers of at most {MAX_EXPONENT:g}")
                return np.power(left, right)
            _bounded(left, right)
            return BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            args = [walk(a) for a in node.args]
            if node.func.id in ("outer", "dot", "maximum", "minimum") or (node.func.id == "diag" and len(args) == 1):
                _bounded(*args)
            return FUNCTIONS[node.func.id](*args)
        raise FormulaError("unsupported part of a formula")  # parse() admits nothing else

    try:
        with np.errstate(all="ignore"):
            return np.asarray(walk(parsed.tree), dtype=np.float64)
    except FormulaError:
        raise
    except (ValueError, TypeError, IndexError, ArithmeticError, MemoryError, np.exceptions.AxisError) as exc:
        raise FormulaError(f"the formula cannot be evaluated: {type(exc).__name__}: {exc}") from None


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
        if g is None or w is None or not diagnose.close(g, w, rtol, atol):
            return False
    return True


def diagnose_formula(parsed: ParsedFormula, formula: Formula, points: list[dict[str, np.ndarray]],
                     expected: list[np.ndarray], rtol: float, atol: float) -> "diagnose.Diagnosis | None":
    """Why a formula that disagrees is wrong, when it agrees everywhere with a known mistake: the sheet's own
    wrong formulas first (they speak the exercise's language), then a sign, a constant factor, a transposed
    result, and last a matrix variable used transposed (evaluated again with that variable transposed)."""
    n, got = len(points), _Evaluations(parsed, points)
    right = expected.__getitem__
    for mistake in formula.mistakes:
        wrong = (lambda m: lambda i: _value(lambda: m.fn(**points[i])))(mistake)
        if _everywhere(got, wrong, n, rtol, atol) and not _everywhere(wrong, right, n, rtol, atol):
            return diagnose.Diagnosis(mistake.id, mistake.message)
    first = got(0)
    if first is not None:
        if np.any(np.abs(expected[0]) > atol) and _everywhere(got, lambda i: -expected[i], n, rtol, atol):
            return diagnose.SIGN_FLIP
        c = diagnose.factor(first, expected[0], atol)
        if c is not None and _everywhere(got, lambda i: c * expected[i], n, rtol, atol):
            return diagnose.constant_factor(c)
        transposed = lambda i: g.T if (g := got(i)) is not None and g.ndim == 2 else None
        if _everywhere(transposed, right, n, rtol, atol):
            return diagnose.TRANSPOSED
    for name, variable in formula.variables.items():
        if len(variable.shape) != 2:
            continue
        flipped = lambda i: _value(lambda: evaluate(parsed, {**points[i], name: points[i][name].T}))
        if _everywhere(flipped, right, n, rtol, atol):
            rows, cols = variable.shape
            return diagnose.Diagnosis("transposed", f"{name} is used transposed: {name} is {rows} x {cols}; "
                                                    "check its orientation in products and sums")
    return None


def compare(text: str, formula: Formula, samples: int = 20, seed: int = 0,
            rtol: float = 1e-6, atol: float = 1e-9, reveal: bool = True) -> Comparison:
    """Evaluate the student's formula and the reference at the same random points.

    Raises FormulaError only when the text cannot be read at all; a formula that
    reads but fails at a point is a disagreement with the reason, and with a
    diagnosis when the formula fits a known mistake at every point.

    Dimensions are drawn anew for each point, so a formula that only works for one
    layer size (a transpose that happens to fit a square W) is caught.
    """
    parsed = parse(text, formula.variables)
    rng = np.random.default_rng(seed)
    dims, points, expected = [], [], []
    for _ in range(samples):
        point_dims = sample_dims(formula, rng)
        dims.append(point_dims)
        points.append(sample_point(formula, rng, point_dims))
        expected.append(formula(**points[-1]))
    result = _first_disagreement(parsed, points, expected, dims, rtol, atol)
    if result.agrees:
        return result
    found = diagnose_formula(parsed, formula, points, expected, rtol, atol)
    if found is None:
        return result
    if not reveal and found.id in diagnose.REVEALING:  # negating or rescaling the formula would give the answer
        return Comparison(False, result.message, result.max_error, (found.id,))
    unreadable = "the formula cannot be evaluated"  # numpy's shape error says less than the diagnosis does
    where = unreadable if result.message.startswith(unreadable) else result.message
    return Comparison(False, f"{where}: {found.message}", result.max_error, (found.id,))


def _first_disagreement(parsed: ParsedFormula, points: list, expected: list, dims: list,
                        rtol: float, atol: float) -> Comparison:
    worst, samples = 0.0, len(points)
    for i, (point, want, point_dims) in enumerate(zip(points, expected, dims)):
        try:
            got = evaluate(parsed, point)
        except FormulaError as exc:  # readable but wrong, e.g. shapes that do not fit
            return Comparison(False, f"{exc} (dimensions {point_dims})", float("inf"))
        if got.shape != want.shape:
            return Comparison(False, f"the formula gives shape {got.shape} where {want.shape} is expected "
                                     f"(dimensions {point_dims or 'scalar'})", float("inf"))
        if not np.all(np.isfinite(got)):
            return Comparison(False, "the formula gives nan or inf at points where the quantity is defined", float("inf"))
        error = float(np.max(np.abs(got - want) / (atol + rtol * np.abs(want)))) if got.size else 0.0
        worst = max(worst, error)
        if error > 1.0:
            return Comparison(False, f"the formula differs from the expected one at sample point {i + 1} of {samples}", worst)
    return Comparison(True, f"agrees at {samples} random points", worst)


def judge(check, ctx) -> "Outcome":
    """expression: the answers file's formula string vs the reference formula at sample points."""
    from grader.checks import Outcome
    from grader.checks.answers_entry import entry
    import reference

    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    formula = reference.sheet_module(ctx.sheet).FORMULAS[check.key]
    if not isinstance(raw, str):
        return Outcome.failed(f'"{check.key}" should be a formula in quotes, in the variables '
                              f"{', '.join(formula.variables)}")
    rtol, atol = check.tolerances(1e-6, 1e-9)  # compare()'s defaults: both sides are exact formulas
    try:
        result = compare(raw, formula, check.samples, check.seed, rtol, atol, reveal=ctx.reveal)
    except FormulaError as exc:
        return Outcome.failed(f'"{check.key}": {exc}')
    if result.agrees:
        return Outcome.passed(f'"{check.key}" {result.message}')
    shown = f"; expected a formula equivalent to {formula.text}" if ctx.reveal else ""
    return Outcome.failed(f'"{check.key}": {result.message}{shown}', diagnoses=result.diagnoses)
