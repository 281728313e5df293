"""answer: a hand-computed number or matrix from the answers file vs the reference."""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.checks.answers_entry import entry, number_tree
from grader.checks.compare import match
from grader.rubric import AnswerCheck


def judge(check: AnswerCheck, ctx: Context) -> Outcome:
    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    rtol, atol = check.tolerances(ctx.defaults.answer_rtol, ctx.defaults.answer_atol)
    m = match(number_tree(raw), ctx.key[check.key], rtol, atol, reveal=ctx.reveal,
              accept_transpose=check.accept_transpose, what=f'"{check.key}"', alternatives=ctx.alternatives(check.key), by_hand=True,
              written=raw)
    if m.ok:
        return Outcome.passed(f'"{check.key}" is correct')
    return Outcome.failed(m.message, f"{m.message} (rtol {rtol:g}, atol {atol:g})", m.diagnoses)
