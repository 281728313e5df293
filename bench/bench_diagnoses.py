"""How well the diagnoses work: planted mistakes named, right answers left alone, examples diagnosed.

    python bench/bench_diagnoses.py [planted] [operators] [model] [handwritten] [examples]

(no argument: every part, in that order).

Printed figures, per sheet and in total:
- planted: every known mistake of the sheet (the reference's wrong values and
  formulas, the rubric's wrong choices), handed in as a student would and judged
  by the rubric's own check;
- failing: those the check fails and that lie far enough from the right value to
  be told apart from it (the rest are never named, by design);
- named: the share of failing ones whose first diagnosis names the planted mistake
  (target 100 %);
- false alarms: the right answers to the same entries, handed in the same way,
  that fail or get a diagnosis (target 0);
then the formula operators (grader/checks/formula_mutants.py): every single mutant
of every graded reference formula handed in as the student's formula, and how many
are named correctly, named wrongly or not named (targets >= 90 %, <= 2 %);
then the error model: every single slip of every named step of the reference, handed in for the
entries it changes (targets >= 90 % named, <= 2 % wrong);
then the hand-written realistic mistakes of tests/handwritten/ (targets >= 70 % true,
<= 2 % wrong), with the ones the grader does not penalise (penalised = false) counted apart;
then, from grading the shipped examples and the correct variants (tests/variants/):
diagnoses given to correct work (target 0) and the failing tasks of the
typical-mistakes examples without a specific diagnosis (target 0).
"""
from __future__ import annotations

import time
import tomllib
from pathlib import Path

from grader import api, diagnose, planted
from grader import sheets

BUILTIN = {sheet.id: sheet for sheet in sheets.builtin()}

ROOT = Path(__file__).resolve().parent.parent
CORRECT = ["Mueller_2571234_Schmidt_2569876", "Wagner_412345_Schulz_409876", "late_submission_Meier",
           "Krueger_2581234_Hartmann_2579911", "Braun_3045821_Wolf_3046190", "Jung_3048021_Hahn_3042277",
           "Keller_2734561_Frank_2729873"]
TYPICAL = ["Weber_2573410_Fischer_2570012", "Neumann_415500", "Lange_2580456_Werner_2582301",
           "Schroeder_3044702_Klein_3047315", "Berger_2731106_Roth_2735520"]


def planted_figures() -> None:
    print(f"{'sheet':24} {'planted':>8} {'failing':>8} {'named':>8} {'share':>7} {'controls':>9} {'false':>6}")
    totals = [0, 0, 0, 0, 0]
    for sheet_id in BUILTIN:
        wrong, right = planted.plant(api.load_rubric(sheet_id), BUILTIN[sheet_id].reference)
        failing = [p for p in wrong if not p.too_close]
        named = [p for p in failing if p.named]
        false = [p for p in right if p.false_alarm]
        row = [len(wrong), len(failing), len(named), len(right), len(false)]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{sheet_id:24} {row[0]:8} {row[1]:8} {row[2]:8} {_share(row[2], row[1]):>7} {row[3]:9} {row[4]:6}")
        for p in failing:
            if not p.named:
                print(f"    not named: {p.key} {p.mistake} -> {p.outcome.diagnoses or 'nothing'}")
        for p in false:
            print(f"    false alarm: {p.key} -> {p.outcome.status} {p.outcome.diagnoses}")
    print(f"{'all sheets':24} {totals[0]:8} {totals[1]:8} {totals[2]:8} {_share(totals[2], totals[1]):>7} "
          f"{totals[3]:9} {totals[4]:6}")
    print(f"share of planted mistakes that fail their check and are named specifically: {_share(totals[2], totals[1])}")
    print(f"share of right answers wrongly diagnosed: {_share(totals[4], totals[3])}")


def operator_figures() -> None:
    print(f"\nformula operators:\n{'sheet':24} {'planted':>8} {'failing':>8} {'named':>8} {'wrong':>6} {'none':>6} "
          f"{'share':>7}")
    totals = [0, 0, 0, 0, 0]
    for sheet_id in BUILTIN:
        found = planted.plant_operators(planted.Sheet(api.load_rubric(sheet_id), BUILTIN[sheet_id].reference))
        failing = [p for p in found if not p.too_close]
        named = [p for p in failing if p.named]
        wrong = [p for p in failing if p.outcome.diagnoses and not p.named]
        row = [len(found), len(failing), len(named), len(wrong), len(failing) - len(named) - len(wrong)]
        totals = [a + b for a, b in zip(totals, row)]
        if found:
            print(f"{sheet_id:24} {row[0]:8} {row[1]:8} {row[2]:8} {row[3]:6} {row[4]:6} {_share(row[2], row[1]):>7}")
        for p in wrong:
            print(f"    named wrongly: {p.key} {p.mistake} -> {p.outcome.diagnoses}")
    print(f"{'all sheets':24} {totals[0]:8} {totals[1]:8} {totals[2]:8} {totals[3]:6} {totals[4]:6} "
          f"{_share(totals[2], totals[1]):>7}")


def model_figures() -> None:
    """The error model's single slips (grader/mutation_operators.py on the reference's named steps), each
    handed in for the key entry it changes and judged by the rubric's check."""
    print(f"\nerror model (slips of the reference's steps, single and the pairs it tries):\n{'sheet':24} {'planted':>8} {'failing':>8} "
          f"{'named':>8} {'wrong':>6} {'none':>6} {'share':>7} {'seconds':>8}")
    totals = [0, 0, 0, 0, 0]
    for sheet_id in BUILTIN:
        started = time.perf_counter()
        found = planted.plant_values(planted.Sheet(api.load_rubric(sheet_id), BUILTIN[sheet_id].reference), model=True)
        seconds = time.perf_counter() - started
        failing = [p for p in found if not p.too_close]
        named = [p for p in failing if p.named]
        wrong = [p for p in failing if p.outcome.diagnoses and not p.named]
        row = [len(found), len(failing), len(named), len(wrong), len(failing) - len(named) - len(wrong)]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{sheet_id:24} {row[0]:8} {row[1]:8} {row[2]:8} {row[3]:6} {row[4]:6} {_share(row[2], row[1]):>7} "
              f"{seconds:8.1f}")
        for p in wrong:
            print(f"    named wrongly: {p.key} {p.mistake} -> {p.outcome.diagnoses}")
    print(f"{'all sheets':24} {totals[0]:8} {totals[1]:8} {totals[2]:8} {totals[3]:6} {totals[4]:6} "
          f"{_share(totals[2], totals[1]):>7}")


def handwritten_figures() -> None:
    """tests/handwritten/: realistic slips nobody listed, one per submission, each with the diagnosis ids that
    would be true (MISTAKES.toml): how many the grader names truly, wrongly, or not at all (missed), and how many
    it does not penalise (entries with penalised = false: the slip costs no points today, so nothing can name
    it; they count in no other column)."""
    manifest = ROOT / "tests" / "handwritten" / "MISTAKES.toml"
    if not manifest.exists():
        return
    entries = tomllib.loads(manifest.read_text(encoding="utf-8"))["mistake"]
    started = time.perf_counter()
    run = {(r.sheet, r.name): r for r in api.grade([ROOT / "tests" / "handwritten"]).submissions}
    print(f"\nhand-written mistakes (tests/handwritten, graded in {time.perf_counter() - started:.1f} s):\n"
          f"{'sheet':24} {'slips':>6} {'true':>6} {'wrong':>6} {'missed':>7} {'not penalised':>14} {'true %':>7} "
          f"{'wrong %':>8}")
    rows: dict[str, list[int]] = {}
    wrongly, unpenalised = [], []
    for entry in entries:
        task = next(t for t in run[(entry["sheet"], entry["submission"])].tasks if t.id == entry["task"])
        row = rows.setdefault(entry["sheet"], [0, 0, 0, 0, 0])
        row[0] += 1
        if entry.get("penalised", True) is False:
            row[4] += 1
            unpenalised.append((entry["submission"], entry["task"], f"{task.points:g}/{task.max_points:g}",
                                task.diagnoses, entry["why"]))
            continue
        true = bool(set(task.diagnoses) & set(entry["acceptable"]))
        wrong = bool(task.diagnoses) and not true
        row[1 if true else 2 if wrong else 3] += 1
        if wrong:
            wrongly.append((entry["submission"], entry["task"], entry["slip"], task.diagnoses))
    totals = [sum(r[i] for r in rows.values()) for i in range(5)]
    for sheet, row in [*sorted(rows.items()), ("all sheets", totals)]:
        print(f"{sheet:24} {row[0]:6} {row[1]:6} {row[2]:6} {row[3]:7} {row[4]:14} {_share(row[1], row[0]):>7} "
              f"{_share(row[2], row[0]):>8}")
    for item in wrongly:
        print(f"    named wrongly: {item}")
    for item in unpenalised:
        print(f"    not penalised: {item}")


def variant_figures() -> None:
    run = api.grade([ROOT / "tests" / "variants"])
    diagnosed = [(r.name, t.id, t.diagnoses) for r in run.submissions for t in r.tasks if t.diagnoses]
    print(f"  correct variants (tests/variants): {len(run.submissions)}, tasks with a diagnosis: {len(diagnosed)}")
    for item in diagnosed:
        print(f"    {item}")


def example_figures() -> None:
    started = time.perf_counter()
    run = api.grade([ROOT / "submissions"])
    by_name = {r.name: r for r in run.submissions}
    wrongly = [(n, t.id, t.diagnoses) for n in CORRECT for t in by_name[n].tasks if t.diagnoses]
    failing = [(n, t) for n in TYPICAL for t in by_name[n].tasks
               if t.status in ("failed", "partial")]
    vague = [(n, t.id, t.diagnoses) for n, t in failing if not set(t.diagnoses) - diagnose.GENERIC]
    print(f"\nshipped examples (graded in {time.perf_counter() - started:.1f} s):")
    print(f"  correct examples: {len(CORRECT)}, diagnoses given to them: {len(wrongly)}")
    for item in wrongly:
        print(f"    {item}")
    print(f"  typical-mistakes examples: {len(TYPICAL)}, failing tasks: {len(failing)}, "
          f"without a specific diagnosis: {len(vague)}")
    for item in vague:
        print(f"    {item}")
    variant_figures()


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "-"


PARTS = {"planted": planted_figures, "operators": operator_figures, "model": model_figures,
         "handwritten": handwritten_figures, "examples": example_figures}


if __name__ == "__main__":
    import sys

    chosen = sys.argv[1:] or list(PARTS)  # e.g. `python bench/bench_diagnoses.py handwritten`
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        sys.exit(f"unknown part(s) {unknown}: choose from {list(PARTS)}")
    for name in chosen:
        PARTS[name]()
