"""choice: a named answer (an output function, a loss), matched up to wording and the rubric's synonyms.

An answer may name its choice in several words: a bracket with a synonym ("linear (identity)", "mean squared
error (MSE)") or a qualifier ("cross entropy (binary)" reads as "binary cross entropy"). An answer that hedges
between choices ("sigmoid or tanh") is right only when every alternative is.
"""
from __future__ import annotations

from grader.checks import Context, Outcome
from grader.checks.answers_entry import entry
from grader.rubric import ChoiceCheck, ChoiceMistake, choice_alternatives, choice_readings
from grader.rubric import normalise_choice as normalise


def _verdict(text: str, accepted: set[str], known: dict[str, ChoiceMistake]) -> bool | ChoiceMistake | None:
    """True when one alternative names the right choice, the mistake it names, or None when it names neither."""
    outer, inner, together = choice_readings(text)
    if (outer in accepted and (not inner or inner in accepted)) or any(r in accepted for r in together):
        return True
    return next((known[r] for r in (*together, inner, outer) if r in known), None)


def judge(check: ChoiceCheck, ctx: Context) -> Outcome:
    raw, missing = entry(ctx, check.key)
    if missing:
        return missing
    if not isinstance(raw, str):
        return Outcome.failed(f'"{check.key}" should be a name in quotes, e.g. "softmax"')
    accepted = {normalise(str(ctx.key[check.key]))} | {normalise(a) for a in check.accept}
    known = {normalise(answer): mistake for answer, mistake in check.mistakes.items()}
    if normalise(raw) in accepted:
        return Outcome.passed(f'"{check.key}" is correct')
    verdicts = [_verdict(part, accepted, known) for part in choice_alternatives(raw)]
    if all(v is True for v in verdicts):
        return Outcome.passed(f'"{check.key}" is correct')
    wrong = f'"{check.key}": {raw[:60]!r} is not the right choice'
    if len(verdicts) > 1:  # a hedge: in a hidden task, saying which part is right would be an oracle
        return Outcome.failed(wrong + ("; it names several choices: give one" if ctx.reveal else ""))
    if isinstance(verdicts[0], ChoiceMistake):
        return Outcome.failed(f"{wrong}: {verdicts[0].message}", diagnoses=(verdicts[0].id,))
    return Outcome.failed(wrong + (f"; expected {ctx.key[check.key]!r}" if ctx.reveal else ""))
