"""choice: a named answer (an output function, a loss), matched up to case, spacing and synonyms."""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.checks.answers_entry import entry
from grader.rubric import ChoiceCheck
from grader.rubric import normalise_choice as normalise


def judge(check: ChoiceCheck, ctx: Context) -> Outcome:
    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    if not isinstance(raw, str):
        return Outcome.failed(f'"{check.key}" should be a name in quotes, e.g. "softmax"')
    accepted = {normalise(str(ctx.key[check.key]))} | {normalise(a) for a in check.accept}
    if normalise(raw) in accepted:
        return Outcome.passed(f'"{check.key}" is correct')
    known = {normalise(answer): mistake for answer, mistake in check.mistakes.items()}.get(normalise(raw))
    if known is not None:
        return Outcome.failed(f'"{check.key}": {raw[:60]!r} is not the right choice: {known.message}',
                              diagnoses=(known.id,))
    shown = f"; expected {ctx.key[check.key]!r}" if ctx.reveal else ""
    return Outcome.failed(f'"{check.key}": {raw[:60]!r} is not the right choice{shown}')
