"""choice: a named answer (an output function, a loss), matched up to wording and the rubric's synonyms.

An answer may name its choice in several words ("linear (identity)", "mean squared error (MSE)"): it is right
when every part that names a known choice names the right one, and at least one does.
"""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.checks.answers_entry import entry
from grader.rubric import ChoiceCheck, choice_readings
from grader.rubric import normalise_choice as normalise


def judge(check: ChoiceCheck, ctx: Context) -> Outcome:
    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    if not isinstance(raw, str):
        return Outcome.failed(f'"{check.key}" should be a name in quotes, e.g. "softmax"')
    accepted = {normalise(str(ctx.key[check.key]))} | {normalise(a) for a in check.accept}
    known = {normalise(answer): mistake for answer, mistake in check.mistakes.items()}
    readings = choice_readings(raw)
    right = [r for r in readings if r in accepted]
    wrong = [known[r] for r in readings if r in known]
    if normalise(raw) in accepted or (right and not wrong):
        return Outcome.passed(f'"{check.key}" is correct')
    if right:
        return Outcome.failed(f'"{check.key}": {raw[:60]!r} names two different choices; give one')
    if wrong:
        return Outcome.failed(f'"{check.key}": {raw[:60]!r} is not the right choice: {wrong[0].message}',
                              diagnoses=(wrong[0].id,))
    shown = f"; expected {ctx.key[check.key]!r}" if ctx.reveal else ""
    return Outcome.failed(f'"{check.key}": {raw[:60]!r} is not the right choice{shown}')
