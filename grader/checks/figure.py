"""figure: the notebook draws a plot (a figure with something on its axes), in a named cell or anywhere."""
from __future__ import annotations

from grader.checks import Context, Outcome, unusable
from grader.rubric import FigureCheck


def judge(check: FigureCheck, ctx: Context) -> Outcome:
    run = ctx.notebook
    missing = unusable(run, check.file, f"{check.what} is checked in the notebook")
    if missing:
        return missing
    indices = sorted(run.cells)
    where = "the notebook"
    if check.cell is not None:
        cell, unreadable = run.named_cell(check.cell, check.what, ctx.killed)
        if unreadable:
            return unreadable
        indices, where = [cell.index], run.describe(cell.index)
    figures = [(i, f) for i in indices for f in run.cells[i].get("figures", [])]
    drawn = [(i, f) for i, f in figures if f.get("artists", 0) > 0]
    if drawn:
        index, figure = drawn[0]
        return Outcome.passed(f"{run.describe(index)} draws {check.what} "
                              f"({figure['axes']} axes, {figure['artists']} plotted elements)")
    if figures:
        return Outcome.failed(f"{where} makes a figure, but nothing is plotted on it")
    return Outcome.failed(f"{where} draws no figure; {check.what} is expected (matplotlib, e.g. plt.plot(losses))")
