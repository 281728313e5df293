"""The class report's two charts per sheet, as PNG bytes the page embeds.

matplotlib's `Figure` is used without pyplot: no global figure registry and no backend switch, so drawing is
safe from threads and does not depend on the user's matplotlib settings. matplotlib is imported when a chart is
drawn, not when this module is: it costs more than half a second, and `grade` imports its reporters up front.
Nothing a student chose (names, messages) is drawn; task ids come from the rubric and are drawn literally, a `$`
in one is not mathtext.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BIN_WIDTH = 10  # percent of the maximum
BINS = 100 // BIN_WIDTH
PASSED_COLOUR = "#1a7f37"
MEAN_COLOUR = "#0969da"


def bin_counts(percents: Sequence[float]) -> list[int]:
    """Submissions per 10 % bin. Full marks count in the last bin, as does bonus above 100 %: a separate
    "100 %" or "above" bar would make the best group look like an outlier."""
    counts = [0] * BINS
    for p in percents:
        # rounded first: 0.7 * 100 is 70.00000000000001 and 69.99999 must not fall a bin short either
        counts[min(max(int(round(p, 6) // BIN_WIDTH), 0), BINS - 1)] += 1
    return counts


def histogram(percents: Sequence[float]) -> bytes:
    counts = bin_counts(percents)
    figure, axes = _figure(7.0, 3.2)
    bars = axes.bar([i * BIN_WIDTH for i in range(BINS)], counts, width=BIN_WIDTH * 0.92, align="edge",
                    color=MEAN_COLOUR)
    axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2)
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, BIN_WIDTH), [f"{x} %" for x in range(0, 101, BIN_WIDTH)])
    axes.set_xlabel("points in percent of the maximum (10 % bins, full marks in the last)")
    axes.set_ylabel("submissions")
    _integer_counts(axes, max(counts))
    return _png(figure)


def tasks(ids: Sequence[str], pass_rates: Sequence[float], mean_shares: Sequence[float | None]) -> bytes:
    """Pass rate and mean points (both in percent) side by side per task; a task worth no points has no mean bar.
    The bars lie horizontally, one row per task in the rubric's order: a sheet has up to 30 tasks, and their ids
    stay legible side by side where a row of upright bars would have to shrink to fit the page."""
    n = len(ids)
    figure, axes = _figure(7.0, max(3.0, 1.1 + 0.3 * n))
    height = 0.4
    means = [m if m is not None else 0.0 for m in mean_shares]
    axes.barh([i - height / 2 for i in range(n)], pass_rates, height, label="passed (% of submissions)",
              color=PASSED_COLOUR)
    axes.barh([i + height / 2 for i in range(n)], means, height, label="mean points (% of max)", color=MEAN_COLOUR)
    axes.set_yticks(range(n), list(ids), parse_math=False)
    axes.set_ylim(n - 0.4, -0.6)  # the first task on top
    axes.set_xlim(0, max(100.0, *means, *pass_rates) * 1.02)
    axes.set_xlabel("percent")
    figure.legend(loc="outside upper center", ncols=2, frameon=False)
    axes.grid(axis="x", color="#d0d7de", linewidth=0.6)
    axes.set_axisbelow(True)
    return _png(figure)


def _figure(width: float, height: float) -> tuple["Figure", "Axes"]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _integer_counts(axes: "Axes", highest: int) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1, highest) * 1.15)  # room for the count above the highest bar


def _png(figure: "Figure") -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})  # no version stamp: same data, same bytes
    return out.getvalue()
