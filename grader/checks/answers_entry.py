"""Reading one entry of the submission's answers file, with the reasons it may be unusable."""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks import Context, Outcome
from grader.checks.expression import FormulaError, evaluate, parse


def entry(ctx: Context, key: str) -> tuple[Any, Outcome | None]:
    """The raw entry, or an Outcome saying why there is none."""
    if ctx.answers_problem:
        return None, Outcome(0.0, "error", ctx.answers_problem)
    if ctx.answers is None:
        return None, Outcome(0.0, "not-attempted", "no answers file in the submission")
    if key not in ctx.answers:
        return None, Outcome(0.0, "not-attempted", f"no entry \"{key}\" in the answers file")
    return ctx.answers[key], None


def number_tree(value: Any) -> Any:
    """Strings like "1/3" or "exp(-1)" become numbers (parsed safely, no eval); lists recurse."""
    if isinstance(value, str):
        try:
            return float(np.asarray(evaluate(parse(value, frozenset()), {})).reshape(-1)[0]) \
                if value.strip() else value
        except (FormulaError, IndexError, ValueError):
            return value
    if isinstance(value, list):
        return [number_tree(v) for v in value]
    return value
