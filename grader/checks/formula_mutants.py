"""Mutation operators on formulas: the reference formula's syntax tree changed in one place, the way students
slip, so a wrong formula nobody listed in advance can still be named.

A closed set of operators, declared once in OPERATORS (each a documented function from a tree to its mutants,
with a message template a student understands). Every single mutant of the reference formula is a
*candidate*; a student's formula that agrees with exactly one candidate's value at every sample point (and
not with the right one) gets that candidate's *diagnosis*. Several candidates that fit equally (`-(a - b)`
and `b - a` are one value) name the first in operator order and say that other readings fit too. Hidden
tasks get the operator's name only, never the part of the formula it changed.
"""
from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from grader.checks.formula_language import FUNCTIONS, ParsedFormula

SIBLINGS = (("sigmoid", "tanh", "relu", "softplus"), ("log", "log2", "log10"), ("exp", "sqrt"),
            ("maximum", "minimum"), ("max", "min"), ("sum", "mean"))


@dataclass(frozen=True)
class Candidate:
    """One wrong formula: the operator that made it, a message for public tasks and one for hidden tasks."""

    operator: str
    message: str
    hidden: str
    parsed: ParsedFormula


@dataclass(frozen=True)
class Operator:
    id: str
    mutate: Callable[[ast.expr], Iterator[tuple[ast.expr, str]]]  # (mutated tree, the message)
    hidden: str  # the message without the formula's parts


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _replaced(tree: ast.expr, target: ast.AST, new: ast.expr) -> ast.expr:
    """A copy of `tree` with the node `target` (found by identity) replaced by `new`."""
    marker = "_mutation_target"
    setattr(target, marker, True)
    copied = copy.deepcopy(tree)
    delattr(target, marker)

    class Swap(ast.NodeTransformer):
        def generic_visit(self, node):
            if getattr(node, marker, False):
                return copy.deepcopy(new)
            return super().generic_visit(node)

    if getattr(copied, marker, False):
        return copy.deepcopy(new)
    return Swap().visit(copied)


def drop_factor(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A factor of a product or a divisor left out: `a * (1 - a) * g` -> `a * g`, `x / s` -> `x`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.MatMult)):
            yield _replaced(tree, node, node.left), f"the factor `{_text(node.right)}` is missing"
            yield _replaced(tree, node, node.right), f"the factor `{_text(node.left)}` is missing"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            yield _replaced(tree, node, node.left), f"the division by `{_text(node.right)}` is missing"
            if not (isinstance(node.left, ast.Constant) and node.left.value == 1):
                yield _replaced(tree, node, ast.BinOp(ast.Constant(1), ast.Div(), node.right)), \
                    f"the factor `{_text(node.left)}` is missing"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
                isinstance(node.operand, (ast.Name, ast.Call)):
            yield _replaced(tree, node, ast.UnaryOp(ast.USub(), ast.Constant(1))), \
                f"the factor `{_text(node.operand)}` is missing"



def drop_power(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A power left out: `tanh(x)**2` -> `tanh(x)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            yield _replaced(tree, node, node.left), f"`{_text(node.left)}` is not raised to `{_text(node.right)}`"


def drop_term(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A term of a sum or difference left out: `y + b` -> `y`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            yield _replaced(tree, node, node.left), f"the term `{_text(node.right)}` is missing"
            if isinstance(node.op, ast.Add):
                yield _replaced(tree, node, node.right), f"the term `{_text(node.left)}` is missing"


def flip_sign(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A difference taken the other way round, a minus lost, or a sum where a difference belongs."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            swapped = ast.BinOp(node.right, ast.Sub(), node.left)
            yield _replaced(tree, node, swapped), f"`{_text(node.left)} - {_text(node.right)}` is taken the other way round"
            yield _replaced(tree, node, ast.BinOp(node.left, ast.Add(), node.right)), \
                f"`{_text(node.right)}` is added where it is subtracted"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            yield _replaced(tree, node, ast.BinOp(node.left, ast.Sub(), node.right)), \
                f"`{_text(node.right)}` is subtracted where it is added"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield _replaced(tree, node, node.operand), f"the minus in front of `{_text(node.operand)}` is missing"


def sibling_function(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A function swapped for its sibling: tanh for sigmoid, log10 for log, the mean for the sum; or one
    activation's derivative, in its output form, for another's."""
    yield from sibling_derivative(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            for family in SIBLINGS:
                if node.func.id in family:
                    for other in family:
                        if other != node.func.id and other in FUNCTIONS:
                            new = ast.Call(ast.Name(other, ast.Load()), node.args, [])
                            yield _replaced(tree, node, new), f"`{other}` is used where `{node.func.id}` belongs"


def invert_factor(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A divisor multiplied or a factor divided by: `g / sigma` -> `g * sigma`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            yield _replaced(tree, node, ast.BinOp(node.left, ast.Mult(), node.right)), \
                f"`{_text(node.right)}` multiplies where it divides"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and \
                not isinstance(node.left, ast.Constant) and not isinstance(node.right, ast.Constant):
            yield _replaced(tree, node, ast.BinOp(node.left, ast.Div(), node.right)), \
                f"`{_text(node.right)}` divides where it multiplies"


REDUCTIONS = ("sum", "mean", "max", "min")


def wrong_axis(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """A reduction over the other axis or over everything: `sum(W * d, 1)` -> `sum(W * d, 0)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REDUCTIONS \
                and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in (0, 1, -1):
            other = 0 if node.args[1].value in (1, -1) else 1
            yield _replaced(tree, node, ast.Call(node.func, [node.args[0], ast.Constant(other)], [])), \
                f"`{node.func.id}` runs over axis {other} where it runs over axis {node.args[1].value}"
            yield _replaced(tree, node, ast.Call(node.func, [node.args[0]], [])), \
                f"`{node.func.id}` runs over everything where it runs over axis {node.args[1].value}"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):  # W @ v written as sum(W * v, 1)
            products = ast.BinOp(node.left, ast.Mult(), node.right)
            yield _replaced(tree, node, ast.Call(ast.Name("sum", ast.Load()), [products, ast.Constant(0)], [])), \
                f"`{_text(node)}` is written as a sum of products over axis 0; the product sums over axis 1"


def _output_form(node: ast.AST) -> ast.expr | None:
    """X in `X * (1 - X)` (the sigmoid's derivative written in its output), else None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for x, rest in ((node.left, node.right), (node.right, node.left)):
            if isinstance(rest, ast.BinOp) and isinstance(rest.op, ast.Sub) and _text(rest.right) == _text(x) \
                    and isinstance(rest.left, ast.Constant) and rest.left.value == 1:
                return x
    return None


def sibling_derivative(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """The sigmoid's and tanh's derivatives in their output form swapped: `a * (1 - a)` <-> `1 - a**2`."""
    for node in ast.walk(tree):
        x = _output_form(node)
        if x is not None:
            tanh = ast.BinOp(ast.Constant(1), ast.Sub(), ast.BinOp(x, ast.Pow(), ast.Constant(2)))
            yield _replaced(tree, node, tanh), f"tanh's derivative `{_text(tanh)}` is used where the sigmoid's " \
                                               f"`{_text(node)}` belongs"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.left, ast.Constant) \
                and node.left.value == 1 and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Pow) \
                and _text(node.right.right) == "2":
            y = node.right.left
            sigmoid = ast.BinOp(y, ast.Mult(), ast.BinOp(ast.Constant(1), ast.Sub(), y))
            yield _replaced(tree, node, sigmoid), f"the sigmoid's derivative `{_text(sigmoid)}` is used where " \
                                                  f"tanh's `{_text(node)}` belongs"


def swap_arguments(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """The two arguments of a function or a division swapped: `outer(a, b)` -> `outer(b, a)`, `a / b` -> `b / a`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and len(node.args) == 2:
            new = ast.Call(node.func, [node.args[1], node.args[0]], [])
            yield _replaced(tree, node, new), f"the arguments of `{_text(node.func)}` are swapped"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.MatMult)):
            new = ast.BinOp(node.right, node.op, node.left)
            yield _replaced(tree, node, new), f"`{_text(node.left)}` and `{_text(node.right)}` are swapped"


def transpose_operand(tree: ast.expr) -> Iterator[tuple[ast.expr, str]]:
    """An operand of a matrix product used transposed."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            for side in (node.left, node.right):
                new = ast.Call(ast.Name("transpose", ast.Load()), [side], [])
                yield _replaced(tree, side, new), f"`{_text(side)}` is used transposed"


# The closed set, in the order a diagnosis prefers when several candidates fit equally well.
OPERATORS: tuple[Operator, ...] = (
    Operator("drop-factor", drop_factor, "a factor of the product is missing"),
    Operator("flip-sign", flip_sign, "a sign is wrong"),
    Operator("drop-power", drop_power, "a power is missing"),
    Operator("drop-term", drop_term, "a term is missing"),
    Operator("sibling-function", sibling_function, "a function is used where another one belongs"),
    Operator("wrong-axis", wrong_axis, "a reduction runs over the wrong axis"),
    Operator("invert-factor", invert_factor, "a factor divides where it multiplies, or the other way round"),
    Operator("swap-arguments", swap_arguments, "two arguments are in the wrong order"),
    Operator("transpose-operand", transpose_operand, "a matrix is used transposed"),
)
assert len({op.id for op in OPERATORS}) == len(OPERATORS), "operator ids are unique"


def derivative_of_input(tree: ast.expr, activation_inputs: dict[str, str]) -> Iterator[tuple[ast.expr, str]]:
    """An activation's output replaced by its input: the output form `a * (1 - a)` written in `z`."""
    for output, given in activation_inputs.items():
        if any(isinstance(n, ast.Name) and n.id == output for n in ast.walk(tree)):
            class Swap(ast.NodeTransformer):
                def visit_Name(self, node: ast.Name) -> ast.Name:
                    return ast.Name(given, ast.Load()) if node.id == output else node
            yield Swap().visit(copy.deepcopy(tree)), f"the input `{given}` is written where the activation's output " \
                                                      f"`{output}` belongs (the output form of the derivative)"


def candidates(parsed: ParsedFormula, activation_inputs: dict[str, str] | None = None) -> list[Candidate]:
    """Every single mutant of the reference formula, each once (by its text)."""
    seen = {ast.unparse(parsed.tree)}
    out = []
    operators = [*OPERATORS, *([Operator("derivative-of-input",
                                         lambda tree: derivative_of_input(tree, activation_inputs),
                                         "the activation's input is used where its output belongs")]
                               if activation_inputs else [])]
    for operator in operators:
        for tree, message in operator.mutate(parsed.tree):
            text = ast.unparse(tree)
            if text not in seen:
                seen.add(text)
                out.append(Candidate(operator.id, message, operator.hidden, ParsedFormula(text, tree)))
    return out
