"""The formula language of answers files: parsed with `ast`, evaluated by walking a whitelist of nodes.

Numbers, the formula's variables, + - * / ** @, unary minus, and calls of named
numpy functions. Nothing is ever passed to eval/exec; attribute access and
subscripts are refused, and size limits keep a hostile string from costing more
than a few milliseconds.

Students write formulas the way their sheet, their editor or numpy does: a
Unicode minus or multiplication sign pasted from the PDF, `^` beside `**`,
`np.exp`, `W.T`, `sum(x, axis=1)`. Those spellings mean one thing each, so
they are read as that thing (`_Notation`), never refused. So is the sheets' own
notation:

- Greek letters are the variables of their names (μ is mu, σ sigma, λ lambda_,
  π the constant pi). σ(…) and sigma(…) are the logistic sigmoid where the
  formula has no variable sigma; where it has one, σ(…) is refused like any
  variable followed by brackets (there is no implicit product: write σ*(…)).
- ⊙ and ∘ (the Hadamard product) are the elementwise `*`.
- |x| is abs(x). A bar after an operand (a name, a number, a closing bracket or
  bar) closes the innermost open bar, any other bar opens one, and bars close
  inside the brackets they opened in: |x - |y|| nests, |a|b| is refused.
- The centred dot `·` (also ⋅) is the sheets' product: elementwise when one side
  is a single number or both sides have the same shape, the matrix product
  (np.dot) when the shapes differ and fit one (W · v with W d x h and v of h
  entries), elementwise otherwise. It binds more loosely than `*`, `⊙` and `/`
  (brackets aside), as the sheets write W · (a ⊙ (1 − a)) ⊙ dl_da for
  W · ((a ⊙ (1 − a)) ⊙ dl_da). `*` and `@` never change their meaning.
- Exponents may be vectors (e**z); every entry must lie within ±MAX_EXPONENT.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from grader import syntax
from reference import common

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


def _diag(x):
    """diag(v) of the sheets: the diagonal matrix of a vector, written flat, as a row or as a column; of a square
    matrix (n > 1), its diagonal, as numpy does."""
    x = np.asarray(x)
    if x.ndim == 2 and 1 in x.shape:
        return np.diag(x.reshape(-1))
    return np.diag(x)


def _reduction(fn: Callable) -> Callable:
    """sum, mean, max, min over everything or one axis; the axis is checked, never passed on raw."""
    return lambda x, axis=None: fn(x) if axis is None else fn(x, axis=_axis(axis))


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


def _unary(fn: Callable) -> Callable:
    return lambda x: fn(x)  # one argument only: numpy's positional `out` would write into the sample points


def _binary(fn: Callable) -> Callable:
    return lambda a, b: fn(a, b)


class CentredDot(ast.Mult):
    """The product `·` (module docstring): marked while parsing, evaluated by _centred_dot."""


def _centred_dot(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.size == 1 or b.size == 1 or a.shape == b.shape:
        return np.multiply(a, b)
    inner = b.shape[0] if b.ndim == 1 else b.shape[-2]
    return np.dot(a, b) if a.shape[-1] == inner else np.multiply(a, b)


# Each function with the arguments a formula may give it (min, max): never numpy's `out`, `axes` or `dtype`.
FUNCTIONS: dict[str, Callable] = {
    **{name: _unary(fn) for name, fn in {
        "exp": np.exp, "log": np.log, "ln": np.log, "log2": np.log2, "log10": np.log10, "sqrt": np.sqrt,
        "square": np.square, "abs": np.abs, "sign": np.sign, "tanh": np.tanh, "cosh": np.cosh, "sinh": np.sinh,
        "sech": lambda x: 1.0 / np.cosh(x), "sigmoid": common.sigmoid, "softplus": common.softplus,
        "relu": common.relu, "diag": _diag, "transpose": np.transpose}.items()},
    **{name: _binary(fn) for name, fn in {
        "outer": np.outer, "maximum": np.maximum, "minimum": np.minimum, "dot": np.dot,
        "matmul": np.matmul}.items()},
    **{name: _reduction(fn) for name, fn in {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}.items()},
}
ARITY = {name: (1, 2) if name in ("sum", "mean", "max", "min") else (2, 2) if name in
         ("outer", "maximum", "minimum", "dot", "matmul") else (1, 1) for name in FUNCTIONS}
CONSTANTS = {"pi": np.pi, "e": np.e}
BINARY = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
    ast.MatMult: np.matmul, CentredDot: _centred_dot,
}
OPERATOR_NAMES = {ast.Mod: "%", ast.FloorDiv: "//", ast.BitXor: "^", ast.BitAnd: "&",
                  ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


@dataclass(frozen=True)
class ParsedFormula:
    text: str
    tree: ast.expr


# Characters a formula copied from a PDF, LaTeX or a word processor carries, and what they mean here.
_CHARACTERS = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u2217": "*", "\u2299": "*", "\u2218": "*",
               "\u00a0": " ", "\u2009": " ", "\u202f": " "}
_CHARACTER_RE = re.compile("|".join(map(re.escape, _CHARACTERS)))
_CENTRED_DOTS = "\u00b7\u22c5"  # · and ⋅: a `*` whose meaning depends on the shapes (CentredDot)
# The Greek letters of the sheets and the variable names they stand for: the first name the formula has, else
# the first (lambda is Python's keyword). Identifiers arrive NFKC-normalised (the micro sign is mu already).
_GREEK = {"α": ("alpha",), "β": ("beta",), "γ": ("gamma",), "δ": ("delta",), "ε": ("epsilon", "eps"),
          "ϵ": ("epsilon", "eps"), "ζ": ("zeta",), "η": ("eta",), "θ": ("theta",), "ϑ": ("theta",), "ι": ("iota",),
          "κ": ("kappa",), "λ": ("lambda_", "lam", "lmbda"), "μ": ("mu",), "µ": ("mu",), "ν": ("nu",),
          "ξ": ("xi",), "π": ("pi",), "ρ": ("rho",), "σ": ("sigma",), "ς": ("sigma",), "τ": ("tau",),
          "υ": ("upsilon",), "φ": ("phi",), "ϕ": ("phi",), "χ": ("chi",), "ψ": ("psi",), "ω": ("omega",)}
_UNPAIRED = "the bars |...| of an absolute value could not be paired: write it as abs(...), e.g. abs(mu - t)"
NUMPY_MODULES = ("np", "numpy")
KEYWORDS = {"sum": "axis", "mean": "axis", "max": "axis", "min": "axis"}  # the only keyword arguments
METHODS = frozenset({"sum", "mean", "max", "min", "dot", "transpose"})  # x.sum(1) is sum(x, 1)


def normalise_text(text: str) -> str:
    """One spelling per meaning: Unicode minus, times, Hadamard and centred-dot signs become - and *, ^ is a
    power (a formula has no bitwise xor) and |x| is abs(x)."""
    return _normalise(text)[0]


def _normalise(text: str) -> tuple[str, frozenset[int]]:
    """normalise_text, and where in it a centred dot became `*` (the last, one-for-one replacement)."""
    source = _absolute_bars(_CHARACTER_RE.sub(lambda m: _CHARACTERS[m.group()], text.strip()).replace("^", "**"))
    dots = frozenset(i for i, ch in enumerate(source) if ch in _CENTRED_DOTS)
    return (re.sub(f"[{_CENTRED_DOTS}]", "*", source) if dots else source), dots


def _absolute_bars(text: str) -> str:
    """|x| -> abs(x), pairing bars left to right (module docstring); FormulaError when they do not pair."""
    if "|" not in text:
        return text
    out, open_, operand = [], [], False  # open_: the brackets and bars not yet closed
    for ch in text:
        if ch == "|":
            if not operand:
                out.append("abs(")
                open_.append("|")
                continue
            if not open_ or open_[-1] != "|":
                raise FormulaError(_UNPAIRED)
            out.append(")")
            open_.pop()
            continue
        if ch in "([{":
            open_.append(ch)
        elif ch in ")]}" and open_:
            if open_.pop() == "|":
                raise FormulaError(_UNPAIRED)
        if not ch.isspace():
            operand = ch.isalnum() or ch in "_.)]}"
        out.append(ch)
    if "|" in open_:
        raise FormulaError(_UNPAIRED)
    return "".join(out)


class _Notation(ast.NodeTransformer):
    """numpy's spellings to the language's: `np.exp(x)` -> `exp(x)`, `W.T` -> `transpose(W)`, `sum(x, axis=1)`
    -> `sum(x, 1)`, `W2.sum(axis=1)` -> `sum(W2, 1)`. Anything else an attribute or keyword could say stays, for parse() to refuse.
    The sheets' notation too: Greek letters to their names (`spelled` keeps how the student wrote them), σ(v) to
    sigmoid(v) where sigma is no variable, and the centred dots at `dots` (indexes into `source`) to CentredDot."""

    def __init__(self, allowed: set[str], source: str = "", dots: frozenset[int] = frozenset()):
        self.allowed, self.dots, self.spelled = allowed, dots, {}
        lines = source.split("\n")
        self.lines, self.starts = lines, [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]

    def _index(self, lineno: int, col: int) -> int:
        """The character index in the source of an ast position (a line and a UTF-8 byte offset)."""
        line = self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode()[:col].decode(errors="ignore")) if line else -1

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id.isascii():
            return node
        letters = _GREEK.get(node.id)
        name = next((n for n in letters if n in self.allowed), letters[0]) if letters else \
            "".join(_GREEK[ch][0].rstrip("_") if ch in _GREEK else ch for ch in node.id)
        self.spelled.setdefault(name, node.id)
        return ast.copy_location(ast.Name(name, node.ctx), node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        if self.dots and type(node.op) is ast.Mult:
            start = self._index(node.left.end_lineno, node.left.end_col_offset)
            end = self._index(node.right.lineno, node.right.col_offset)
            if any(start <= i < end for i in self.dots):
                node.op = CentredDot()
        self.generic_visit(node)
        left = node.left
        if type(node.op) in (ast.Mult, ast.Div) and isinstance(left, ast.BinOp) and \
                isinstance(left.op, CentredDot) and (left.lineno, left.col_offset) == (node.lineno, node.col_offset):
            # `W · a ⊙ b`, read left to right as (W · a) ⊙ b, is W · (a ⊙ b): · binds more loosely (no brackets
            # around W · a: a bracketed left operand starts after the bracket, not where the product starts)
            inner = ast.BinOp(left.right, node.op, node.right)
            inner.lineno, inner.col_offset = left.right.lineno, left.right.col_offset
            inner.end_lineno, inner.end_col_offset = node.end_lineno, node.end_col_offset
            return ast.copy_location(ast.BinOp(left.left, CentredDot(), inner), node)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr == "T" and isinstance(node.ctx, ast.Load):
            return ast.copy_location(ast.Call(ast.Name("transpose", ast.Load()), [node.value], []), node)
        if isinstance(node.value, ast.Name) and node.value.id in NUMPY_MODULES and \
                (node.attr in FUNCTIONS or node.attr in CONSTANTS):
            return ast.copy_location(ast.Name(node.attr, ast.Load()), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        method = node.func if isinstance(node.func, ast.Attribute) else None
        if method is not None and method.attr in METHODS and not (
                isinstance(method.value, ast.Name) and method.value.id in NUMPY_MODULES):
            node.func, node.args = ast.Name(method.attr, ast.Load()), [method.value, *node.args]
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "sigma" and name not in self.allowed:  # the lecture's sigma(v): the logistic function
            node.func = ast.copy_location(ast.Name("sigmoid", ast.Load()), node.func)
        if name in KEYWORDS and len(node.keywords) == 1 and node.keywords[0].arg == KEYWORDS[name] \
                and len(node.args) == 1:
            node.args, node.keywords = [*node.args, node.keywords[0].value], []
        return node


def parse(text: str, variables: Mapping[str, object] | frozenset[str]) -> ParsedFormula:
    """Parse and check everything that can be checked without values."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula is empty: write it as a string, e.g. \"sign(mu - t) / sigma\"")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    source, dots = _normalise(text)
    allowed = set(variables)
    notation = _Notation(allowed, source, dots)
    try:
        raw = syntax.parse(source, mode="eval").body
        if sum(1 for _ in ast.walk(raw)) > MAX_NODES:  # counted before any recursive pass over the tree
            raise FormulaError(f"the formula has more than {MAX_NODES} parts; simplify it")
        tree = notation.visit(raw)
    except SyntaxError as exc:
        near = source[exc.offset - 1] if exc.offset and 0 < exc.offset <= len(source) else ""
        shown = f" ({near!r})" if near and not near.isascii() else ""
        raise FormulaError(f"cannot read the formula near character {exc.offset}{shown}: check brackets and "
                           "operators") from None
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is nested too deeply; simplify it") from None
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Name):
            if node.id not in allowed and node.id not in FUNCTIONS and node.id not in CONSTANTS:
                raise FormulaError(f"unknown name {notation.spelled.get(node.id, node.id)!r}; use the variables "
                                   f"{', '.join(sorted(allowed))}")
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in allowed and node.func.id not in FUNCTIONS:
                shown = notation.spelled.get(node.func.id, node.func.id)
                raise FormulaError(f"{shown!r} is a variable, not a function: multiply with *, as in {shown}*(...)")
            if isinstance(node.func, ast.Constant):
                raise FormulaError("a number is followed by brackets: write a function's power as tanh(x)**2, "
                                   "not tanh^2(x), and multiply with *, as in 2*(x + 1)")
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise FormulaError(f"{what!r} is not an available function; available: {', '.join(sorted(FUNCTIONS))}")
            if node.keywords:
                raise FormulaError(f"write the arguments of {node.func.id}() by position, without names")
            low, high = ARITY[node.func.id]
            if not low <= len(node.args) <= high:
                raise FormulaError(f"{node.func.id}() takes {low if low == high else f'{low} or {high}'} "
                                   f"argument{'s' * (high > 1)}, not {len(node.args)}")
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
            _bounded(left, right)
            if isinstance(node.op, ast.Pow):  # elementwise: e**z with a vector z, never 9**9**9
                if np.any(np.abs(np.asarray(right, dtype=np.float64)) > MAX_EXPONENT):
                    raise FormulaError(f"exponents must lie between -{MAX_EXPONENT:g} and {MAX_EXPONENT:g}")
                return np.power(left, right)
            return BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            args = [walk(a) for a in node.args]
            if node.func.id in ("outer", "dot", "matmul", "maximum", "minimum", "diag"):
                _bounded(*args)
            return FUNCTIONS[node.func.id](*args)
        raise FormulaError("unsupported part of a formula")  # parse() admits nothing else

    try:
        with np.errstate(all="ignore"):
            return np.asarray(walk(parsed.tree), dtype=np.float64)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError("the formula is nested too deeply; simplify it") from None
    except (ValueError, TypeError, IndexError, ArithmeticError, MemoryError, np.exceptions.AxisError) as exc:
        raise FormulaError(f"the formula cannot be evaluated: {type(exc).__name__}: {exc}") from None
