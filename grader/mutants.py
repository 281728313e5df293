"""The error model: a sheet's answer key computed again with one named step slipped (reference/steps.py),
for every step and every operator that applies to it (grader/mutation_operators.py).

The values that differ from the right ones become the alternatives a wrong answer is matched against, after
the sheet's own MISTAKES (reference/mistakes.py), which are more specific. A step is slipped at every call
with the same `where` (one layer of a hand calculation) and at all its calls (a student's own function is
wrong wherever it is used). Everything runs in the grading process on the reference and the rubric's given
data, never on anything a submission produced, and once per sheet and given data.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from types import ModuleType
from typing import Any

import numpy as np

from grader.mutation_operators import OPERATORS
from reference.mistakes import Alternative, Combination, alternatives as listed
from reference import steps
from reference.steps import UNCHANGED, Call, Sweep, sweeping

Site = tuple[str, str | None]  # (step name, where); where None: every call of the step


def _numbers(value: Any) -> np.ndarray | None:
    if isinstance(value, (str, bytes, dict)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array if array.size and np.all(np.isfinite(array)) else None


def _sites(calls: list[Call]) -> dict[tuple[Site, tuple | None], Call]:
    """Each labelled place a step stands (all its calls there), then each step as a whole, once per form of
    its calls (a sum over axis 1 with keepdims, a sum over everything): (site, form) -> the first such call."""
    found: dict[tuple[Site, tuple | None], Call] = {}
    for call in calls:
        if call.where:
            found.setdefault(((call.name, call.where), None), call)
    places: dict[str, set[str]] = {}
    for call in calls:
        places.setdefault(call.name, set()).add(call.where)
    for call in calls:
        if len(places[call.name]) > 1 or "" in places[call.name]:  # one labelled place only: that is every call
            found.setdefault(((call.name, None), _form(call)), replace(call, where=""))
    return found


def _ndim(call: Call) -> int:
    first = next(iter(call.arguments.values()), None)
    return first.ndim if isinstance(first, np.ndarray) else 0


def _run(module: ModuleType, given: dict[str, Any], sweep: Sweep) -> dict[str, Any] | None:
    try:
        with sweeping(sweep), np.errstate(all="ignore"):
            return module.answer_key(given)
    except Exception:  # a slip that makes the computation impossible (shapes that no longer fit) has no value
        return None


def traced_key(module: ModuleType, given: dict[str, Any]) -> tuple[dict[str, Any], Sweep]:
    """The answer key of the sheet's reference `module` and the record of the steps that computed it, which a
    sweep starts from."""
    trace = Sweep()
    with sweeping(trace):
        key = module.answer_key(given)
    return key, trace


def sweep(module: ModuleType, given: dict[str, Any], traced: tuple[dict[str, Any], Sweep] | None = None
          ) -> dict[str, list[Alternative]]:
    """Answer-key name -> the values single slips give it, first the most common slip; a value several slips
    give is kept once, with the ids of the others in `also`. `traced` is the key's own run, when the caller
    has one (the grading setup computes the key that way, so the training runs are not repeated)."""
    if traced is None:
        trace = Sweep()
        right = _run(module, given, trace)
    else:
        right, trace = traced
    if right is None:
        return {}
    expected = {name: array for name, value in right.items() if (array := _numbers(value)) is not None}
    out: dict[str, list[Alternative]] = {}
    seen: dict[str, dict[tuple, int]] = {}  # entry -> fingerprints of its values so far
    sites = _sites(trace.calls)
    singles: list[tuple] = []  # ((site, form), variant, id, changed entries): the slips that changed something
    for operator in OPERATORS:
        for (site, form), call in sites.items():
            if call.kind not in operator.kinds:
                continue
            calls = [c for c in trace.calls if _at(site, form, c)]
            for variant in operator.variants(call):
                if not _changes_a_call(variant, calls):
                    continue  # the run would give the right key, or fail at the slipped call
                mutant = _run(module, given, Sweep(change=_change([(site, form, variant.apply)]),
                                                   replay=trace.settled))
                id = variant.id or operator.id
                changed = _collect(out, seen, expected, right, mutant, id, variant.message, variant.hidden)
                if changed:
                    singles.append(((site, form), variant, id, changed))
    for ((site_a, form_a), a, id_a, _), ((site_b, form_b), b, id_b, _) in _pairs(singles):
        mutant = _run(module, given, Sweep(change=_change([(site_a, form_a, a.apply), (site_b, form_b, b.apply)]),
                                           replay=trace.settled))
        _collect(out, seen, expected, right, mutant, f"{id_a}+{id_b}", f"two slips: {a.message}; and {b.message}",
                 f"two slips: {a.hidden or a.message}; and {b.hidden or b.message}")
    return out


def _changes_a_call(variant: Any, calls: list[Call]) -> bool:
    """Whether the slip returns something else than the step did at one of its calls in the key's own run.
    If it returns the same at every call, nothing downstream changes either, so the run is not needed."""
    for call in calls:
        try:
            with np.errstate(all="ignore"):
                value = _numbers(variant.apply(call, call.function))
        except Exception:
            return False  # the mutant run would stop at this call
        right = _numbers(call.result)
        if value is None or right is None or not _same(value, right):
            return True
    return False


PAIRS_PER_ENTRY = 8  # an entry that this many single slips or fewer change gets their pairs tried
PAIRS_AT_MOST = 200  # pair runs per sheet


def _pairs(singles: list[tuple]) -> list[tuple]:
    """Two slips at once where the count stays small: the pairs of the few single slips that change the same
    entry (a hand calculation's step), at different places, the entries with the fewest slips first."""
    by_entry: dict[str, list[int]] = {}
    for i, (_, _, _, changed) in enumerate(singles):  # ((site, form), variant, id, changed entries)
        for entry in changed:
            by_entry.setdefault(entry, []).append(i)
    chosen: dict[tuple[int, int], None] = {}
    for entry, members in sorted(by_entry.items(), key=lambda item: len(item[1])):
        if len(members) > PAIRS_PER_ENTRY:
            continue
        for i, j in itertools.combinations(members, 2):
            (name_a, where_a), (name_b, where_b) = singles[i][0][0], singles[j][0][0]
            if name_a != name_b or None not in (where_a, where_b) and where_a != where_b:
                chosen.setdefault((i, j))
    return [(singles[i], singles[j]) for i, j in list(chosen)[:PAIRS_AT_MOST]]


def _collect(out: dict[str, list[Alternative]], seen: dict[str, dict[tuple, int]], expected: dict[str, np.ndarray],
             right: dict[str, Any], mutant: dict[str, Any] | None, id: str, message: str, hidden: str) -> set[str]:
    """Add a mutant run's changed values; the entries it changed."""
    changed: set[str] = set()
    for entry, value in (mutant or {}).items():
        if entry in expected and value is not right[entry]:  # a settled result is handed back as is
            number = _numbers(value)
            if number is not None and not _same(number, expected[entry]):
                changed.add(entry)
                _add(out.setdefault(entry, []), expected[entry], number, id, message, seen.setdefault(entry, {}),
                     hidden, checked=True)
    return changed


def of_call(fn: Callable[..., Any], *args: Any) -> list[Alternative]:
    """What the single slips of step `fn` return for these arguments, most common first: the error model for a
    check that calls one of the student's functions directly (a property of their sigmoid)."""
    call = steps.call_of(fn, *args)
    if call is None:
        return []
    right = _numbers(fn(*args))
    found: list[Alternative] = []
    for operator in OPERATORS:
        if call.kind not in operator.kinds:
            continue
        for variant in operator.variants(call):
            try:
                with np.errstate(all="ignore"):
                    value = variant.apply(call, getattr(fn, "__wrapped__", fn))
            except Exception:
                continue
            if right is not None:
                _add(found, right, _numbers(value), variant.id or operator.id, variant.message, None, variant.hidden)
    return found


def _form(call: Call) -> tuple:
    """What an operator's variant was made for, where it matters: a step with an axis (a reduction, softmax)
    by the first argument's dimensions, the axis and keepdims; an elementwise step is one form."""
    if "axis" not in call.arguments:
        return ()
    return _ndim(call), call.arguments.get("axis"), call.arguments.get("keepdims")


def _at(site: Site, form: tuple | None, call: Call) -> bool:
    """Whether a slip made for `site` applies to `call`: at its labelled place, or, for every call of the step,
    at those of the slip's form (a mean over axis 1 slips where the step averages over axis 1, not where the
    same function averages a vector)."""
    name, where = site
    return call.name == name and (call.where == where if where is not None else _form(call) == form)


def _change(slips: list[tuple[Site, tuple, Callable[[Call, Callable[..., Any]], Any]]]):
    def change(call: Call, fn: Callable[..., Any]) -> Any:
        for site, form, apply in slips:
            if _at(site, form, call):
                return apply(call, fn)
        return UNCHANGED
    return change


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and (np.array_equal(a, b) or bool(np.allclose(a, b, rtol=1e-9, atol=1e-12)))


def _fingerprint(value: np.ndarray) -> tuple:
    """Values equal to about nine significant digits share a fingerprint: one look-up finds a repeat."""
    scale = float(np.max(np.abs(value), initial=0.0)) or 1.0
    return value.shape, float(f"{scale:.9g}"), np.round(value / scale, 9).tobytes()


def _add(found: list[Alternative], right: np.ndarray, value: np.ndarray | None, id: str, message: str,
         seen: dict[tuple, int] | None = None, hidden: str = "", checked: bool = False) -> None:
    """`checked`: the caller has already made sure the value differs from the right one."""
    if value is None or (not checked and _same(value, right)):
        return
    seen = {} if seen is None else seen
    if not seen and found:
        seen.update({_fingerprint(np.asarray(k.value, dtype=np.float64)): i for i, k in enumerate(found)})
    fingerprint = _fingerprint(value)
    if fingerprint in seen:
        known = found[seen[fingerprint]]
        if id != known.id and id not in known.also:
            found[seen[fingerprint]] = replace(known, also=(*known.also, id))
        return
    seen[fingerprint] = len(found)
    found.append(Alternative(id, message, value, hidden=hidden))


_SWEEPS: dict[tuple[ModuleType, str], dict[str, list[Alternative]]] = {}  # by reference module and given data


def _cached(module: ModuleType, given: dict[str, Any], traced: tuple[dict[str, Any], Sweep] | None = None
            ) -> dict[str, list[Alternative]]:
    try:
        content = (module, json.dumps(given, sort_keys=True, default=repr))  # a module imported anew is another
    except (TypeError, ValueError):
        return sweep(module, given, traced)
    if content not in _SWEEPS:
        _SWEEPS[content] = sweep(module, given, traced)
    return _SWEEPS[content]


def known(module: ModuleType, given: dict[str, Any], key: dict[str, Any], trace: Sweep | None = None
          ) -> dict[str, list[Alternative]]:
    """The sheet's own list: its Mistakes' values, then its Combinations of slips run through the answer key
    (reusing the settled work of `trace`, the key's own run, unless a combination reaches into training)."""
    out = {name: list(values) for name, values in listed(module, given, key).items()}
    expected = {name: array for name, value in key.items() if (array := _numbers(value)) is not None}
    for combination in getattr(module, "MISTAKES", []):
        if not isinstance(combination, Combination):
            continue
        replay = trace.settled if trace is not None and not combination.through_training else None
        run = Sweep(change=_combined(combination), through_settled=combination.through_training, replay=replay)
        for entry, value in (_run(module, given, run) or {}).items():
            number = _numbers(value)
            if entry in expected and number is not None and not _same(number, expected[entry]):
                out.setdefault(entry, []).append(Alternative(combination.id, combination.message, number))
    return out


def _combined(combination: Combination) -> Callable[[Call, Callable[..., Any]], Any]:
    operators = {operator.id: operator for operator in OPERATORS}

    def change(call: Call, fn: Callable[..., Any]) -> Any:
        for slip in combination.slips:
            if call.name == slip.step and slip.where in (None, call.where):
                variants = [v for v in operators[slip.operator].variants(call) if slip.label in ("", v.label)]
                return variants[0].apply(call, fn) if variants else UNCHANGED  # (a 1-D softmax has no other axis)
        return UNCHANGED
    return change


def alternatives(module: ModuleType, given: dict[str, Any], key: dict[str, Any], trace: Sweep | None = None
                 ) -> dict[str, list[Alternative]]:
    """The sheet's own list (known), then the error model's single slips whose values it does not give.
    `trace`: the run that computed `key` under a recording sweep (traced_key), when there is one."""
    out = known(module, given, key, trace)
    for name, values in _cached(module, given, (key, trace) if trace is not None else None).items():
        own = out.setdefault(name, [])
        own_values = [v for k in own if (v := _numbers(k.value)) is not None]
        own.extend(a for a in values if not any(_same(v, a.value) for v in own_values))
    return {name: values for name, values in out.items() if values}
