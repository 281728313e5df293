"""parameters: the shapes of a model's parameter tree (a Flax network's `init`) against the sheet's architecture."""
from __future__ import annotations

from collections import Counter

from grader.checks import Context, Outcome
from grader.checks.job import failure
from grader.rubric import ParametersCheck
from grader.sandbox import Absent, Unsupported
from reference.flax_networks import leaves
from reference.recompute import ChoiceError


def _shown(shapes: Counter) -> str:
    return ", ".join(f"{'x'.join(map(str, s)) or 'scalar'}" + (f" (x{n})" if n > 1 else "")
                     for s, n in sorted(shapes.items()))


def judge(check: ParametersCheck, ctx: Context) -> Outcome:
    failed = failure(ctx)
    if failed:
        return failed
    tree = ctx.job["observed"].get(check.observe)
    if isinstance(tree, (Absent, Unsupported)) or not isinstance(tree, dict):
        why = tree.why if isinstance(tree, Absent) else tree.what if isinstance(tree, Unsupported) else \
            f"a {type(tree).__name__}"
        return Outcome.failed(f"`{check.observe}` is {why}; expected the parameter tree (a dict of layers)")
    try:
        got = Counter(tuple(a.shape) for _, a in leaves(tree))
    except ChoiceError as exc:
        return Outcome.failed(str(exc))
    expected = Counter(tuple(s) for s in ctx.key[check.expect])
    if got == expected:
        return Outcome.passed(f"{sum(got.values())} parameter arrays with the expected shapes")
    if not ctx.reveal:
        return Outcome.failed("the parameter shapes are not those of the architecture the sheet describes")
    missing, extra = expected - got, got - expected
    text = "the parameter shapes differ from the sheet's architecture"
    if missing:
        text += f": missing {_shown(missing)}"
    if extra:
        text += f"{';' if missing else ':'} unexpected {_shown(extra)}"
    return Outcome.failed(text)
