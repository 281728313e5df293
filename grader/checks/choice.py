"""choice: a named answer (an output function, a loss), matched up to wording and the rubric's synonyms.

An answer may name its choice in several words: a bracket with a synonym ("linear (identity)", "mean squared
error (MSE)") or a qualifier ("cross entropy (binary)" reads as "binary cross entropy"). An answer that hedges
between choices ("sigmoid or tanh") is right only when every alternative is. A bracket or a trailing phrase
that names no choice at all explains the answer and is not part of it: "sigmoid (one per tag)", "softmax over
the classes", "hierarchical softmax (tree over the vocabulary)".
"""
from __future__ import annotations

import re

from grader.checks import Context, Outcome
from grader.checks.answers_entry import entry
from grader.rubric import ChoiceCheck, ChoiceMistake, choice_alternatives, choice_readings, choice_words
from grader.rubric import normalise_choice as normalise


# Words that name an output function or a loss, whichever task asks: a bracket or a phrase holding one of them
# is part of the answer (a qualifier or a hedge), never an explanation to skip.
CHOICE_NAMES = frozenset(choice_words(
    "sigmoid logistic softmax tanh relu leaky linear identity step gaussian poisson exponential hierarchical "
    "categorical binary cross entropy likelihood log hinge squared absolute mse mae bce cce nll huber kl "
    "divergence multiclass multilabel"))
QUALIFIER_RE = re.compile(r"\s+(?:over|per|across|for|on|of|in|at|applied|to|with|without)\s+", re.IGNORECASE)


# The words an explanation may hold: which outputs or samples the choice applies to, never what it computes
# ("one per tag", "over the classes", "tree over the vocabulary"). Anything else ("clipped at zero", "flat
# over the whole vocabulary") may describe another function, so it is read as part of the answer.
EXPLAINING = frozenset(choice_words(
    "one per each every for over across of on the a an all class tag label category sample example output unit "
    "vocabulary word token tree"))


def _explains(text: str, names: frozenset[str]) -> bool:
    """Text that only says which outputs or samples the answer applies to, and names no choice."""
    words = set(choice_words(text))
    return bool(words) and not words & names and words <= EXPLAINING


def _verdict(text: str, accepted: set[str], known: dict[str, ChoiceMistake],
             names: frozenset[str] = CHOICE_NAMES) -> bool | ChoiceMistake | None:
    """True when one alternative names the right choice, the mistake it names, or None when it names neither."""
    outer, inner, together = choice_readings(text)
    bracket = " ".join(re.findall(r"\(([^()]*)\)", text))
    if (outer in accepted and (not inner or inner in accepted or _explains(bracket, names))) \
            or any(r in accepted for r in together):
        return True
    head, *tail = QUALIFIER_RE.split(re.sub(r"\([^()]*\)", " ", text), maxsplit=1)
    if tail and normalise(head) in accepted and _explains(tail[0], names) and (not inner or _explains(bracket, names)):
        return True
    return next((known[r] for r in (*together, inner, outer, normalise(head)) if r in known), None)


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
    names = CHOICE_NAMES | {w for text in [*check.accept, *check.mistakes, str(ctx.key[check.key])]
                            for w in choice_words(text)}
    verdicts = [_verdict(part, accepted, known, names) for part in choice_alternatives(raw)]
    if all(v is True for v in verdicts):
        return Outcome.passed(f'"{check.key}" is correct')
    wrong = f'"{check.key}": {raw[:60]!r} is not the right choice'
    if len(verdicts) > 1:  # a hedge: in a hidden task, saying which part is right would be an oracle
        return Outcome.failed(wrong + ("; it names several choices: give one" if ctx.reveal else ""))
    if isinstance(verdicts[0], ChoiceMistake):
        return Outcome.failed(f"{wrong}: {verdicts[0].message}", diagnoses=(verdicts[0].id,))
    return Outcome.failed(wrong + (f"; expected {ctx.key[check.key]!r}" if ctx.reveal else ""))
