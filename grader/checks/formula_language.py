"""The formula language of answers files: parsed with `ast`, evaluated by walking a whitelist of nodes.

Numbers, the formula's variables, + - * / ** @, unary minus, and calls of named
numpy functions. Nothing is ever passed to eval/exec; attribute access and
subscripts are refused, and size limits keep a hostile string from costing more
than a few milliseconds.

Students write formulas the way their sheet, their editor or numpy does: a
Unicode minus or multiplication sign pasted from the PDF, `^` beside `**`,
`np.exp`, `W.T`, `sum(x, axis=1)`. Those spellings mean one thing each, so
they are read as that thing (`_Notation`), never refused.
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
    ast.MatMult: np.matmul,
}
OPERATOR_NAMES = {ast.Mod: "%", ast.FloorDiv: "//", ast.BitXor: "^", ast.BitAnd: "&",
                  ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}


@dataclass(frozen=True)
class ParsedFormula:
    text: str
    tree: ast.expr


# Characters a formula copied from a PDF, LaTeX or a word processor carries, and what they mean here.
_CHARACTERS = {"\u2212": "-", "\u2013": "-", "\u00b7": "*", "\u22c5": "*", "\u00d7": "*", "\u2217": "*",
               "\u00a0": " ", "\u2009": " ", "\u202f": " "}
_CHARACTER_RE = re.compile("|".join(map(re.escape, _CHARACTERS)))
NUMPY_MODULES = ("np", "numpy")
KEYWORDS = {"sum": "axis", "mean": "axis", "max": "axis", "min": "axis"}  # the only keyword arguments
METHODS = frozenset({"sum", "mean", "max", "min", "dot", "transpose"})  # x.sum(1) is sum(x, 1)


def normalise_text(text: str) -> str:
    """One spelling per meaning: Unicode minus and times signs become - and *, and ^ is a power (a formula has
    no bitwise xor)."""
    return _CHARACTER_RE.sub(lambda m: _CHARACTERS[m.group()], text.strip()).replace("^", "**")


class _Notation(ast.NodeTransformer):
    """numpy's spellings to the language's: `np.exp(x)` -> `exp(x)`, `W.T` -> `transpose(W)`, `sum(x, axis=1)`
    -> `sum(x, 1)`, `W2.sum(axis=1)` -> `sum(W2, 1)`. Anything else an attribute or keyword could say stays, for parse() to refuse."""

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
    source = normalise_text(text)
    try:
        raw = syntax.parse(source, mode="eval").body
        if sum(1 for _ in ast.walk(raw)) > MAX_NODES:  # counted before any recursive pass over the tree
            raise FormulaError(f"the formula has more than {MAX_NODES} parts; simplify it")
        tree = _Notation().visit(raw)
    except SyntaxError as exc:
        near = source[exc.offset - 1] if exc.offset and 0 < exc.offset <= len(source) else ""
        shown = f" ({near!r})" if near and not near.isascii() else ""
        raise FormulaError(f"cannot read the formula near character {exc.offset}{shown}: check brackets and "
                           "operators") from None
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is nested too deeply; simplify it") from None
    nodes = list(ast.walk(tree))
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
            if isinstance(node.op, ast.Pow):
                if np.size(right) != 1 or abs(float(np.ravel(right)[0])) > MAX_EXPONENT:
                    raise FormulaError(f"exponents must be single numbers of at most {MAX_EXPONENT:g}")
                return np.power(left, right)
            _bounded(left, right)
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
