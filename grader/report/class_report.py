"""The class report: one HTML page for the course staff after a run (`grade --report DIR` writes DIR/index.html).

It answers what a tutor asks before the next tutorial: how the class did per sheet, which tasks went badly, which
mistakes were common (to explain them again), and which submissions need a person (grader errors, timeouts,
late hand-ins, odd names, manual grading), plus what was not graded at all. It is for staff, but it shows no
expected values: it reads `RunReport` only and needs none.

The page is one file that opens offline (charts are embedded PNGs, the style is inline) and has no scripts.
Every text in it is escaped: submission names and members are chosen by students, flags quote their file names,
and the rest is report text that no one should have to vet for markup.
"""
from __future__ import annotations

import base64
import statistics
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import get_args

from grader.report import class_plots, diagnoses
from grader.report.files import points, write_atomic
from grader.report.models import Lateness, RunReport, SubmissionReport, TaskStatus
from grader.text import without_surrogates

STATUSES: tuple[str, ...] = get_args(TaskStatus)
NEEDS_A_TUTOR = ("timeout", "error")  # a task status that says the run, not the student's answer, went wrong
TOP_DIAGNOSES = 5
BONUS = ' <span class="muted">(bonus)</span>'
STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;line-height:1.4}"
         "h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.5rem}"
         "table{border-collapse:collapse;margin:.5rem 0 1rem}"
         "td,th{border-bottom:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}"
         "th{background:#f6f8fa}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}"
         "img{display:block;max-width:100%;height:auto;margin:.5rem 0}ul{margin:.2rem 0;padding-left:1.2rem}"
         "dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}"
         "td.title{min-width:12rem}td ul{margin:0}summary{cursor:pointer}"
         "ul.plain{list-style:none;padding-left:.3rem}.muted{color:#57606a}")


@dataclass
class TaskStats:
    """One task of one sheet across the submissions that report it (a grader error leaves a submission without
    tasks: it counts in the flagged table, not against the class)."""

    id: str
    title: str = ""
    max_points: float = 0.0
    bonus: bool = False
    points: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def pass_rate(self) -> float:
        """Percent of the submissions with status "passed"."""
        return 100.0 * self.statuses["passed"] / self.count if self.count else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.points) if self.points else 0.0

    @property
    def mean_share(self) -> float | None:
        return 100.0 * self.mean / self.max_points if self.max_points else None


def task_stats(reports: list[SubmissionReport]) -> list[TaskStats]:
    """Per task, in the order the rubric lists them (the order of first appearance)."""
    found: dict[str, TaskStats] = {}
    for report in reports:
        for task in report.tasks:
            stats = found.setdefault(task.id, TaskStats(task.id, max_points=task.max_points, bonus=task.bonus))
            stats.title = stats.title or task.title
            stats.points.append(task.points)
            stats.statuses[task.status] += 1
    return list(found.values())


def sheet_ids(run: RunReport) -> list[str]:
    """The run's sheets, then any sheet a submission names that the run's list lacks (an older report)."""
    return list(dict.fromkeys([s.id for s in run.sheets] + [r.sheet for r in run.submissions]))


def concerns(report: SubmissionReport) -> list[str]:
    """What a tutor must look at in one submission; empty when nothing."""
    out = [f"grader error: {report.grader_error}"] if report.grader_error else []
    for status in NEEDS_A_TUTOR:
        ids = [t.id for t in report.tasks if t.status == status]
        if ids:
            out.append(f"{status}: task{'s' * (len(ids) > 1)} {', '.join(ids)}")
    if report.late:
        out.append(lateness(report.late))
    return out + list(report.flags)


def lateness(late: Lateness) -> str:
    return (f"late by {late.hours:.1f} h ({late.days} started day{'s' * (late.days != 1)}): "
            f"{points(late.deduction)} point{'s' * (late.deduction != 1)} taken "
            f"({points(late.percent)} %, {late.policy})")


def render(run: RunReport) -> str:
    sheets = sheet_ids(run)
    contents = "".join(f'<li><a href="#sheet-{i}">{escape(s)}</a></li>' for i, s in enumerate(sheets))
    body = (f"<h1>Class report</h1>{_summary(run, sheets)}"
            + (f"<nav><ul>{contents}<li><a href=\"#flagged\">flagged submissions</a></li>"
               f"<li><a href=\"#not-graded\">entries not graded</a></li></ul></nav>" if sheets else "")
            + "".join(_sheet(i, s, [r for r in run.submissions if r.sheet == s]) for i, s in enumerate(sheets))
            + _flagged(run, sheets) + _not_graded(run))
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>Class report: {escape(', '.join(sheets) or 'no sheets')}</title><style>{STYLE}</style>"
            f"</head><body>{body}</body></html>\n")
    return without_surrogates(page)  # a report read from JSON may hold a lone surrogate; the file is UTF-8


def write(run: RunReport, folder: Path) -> Path:
    path = folder / "index.html"
    write_atomic(path, render(run))  # creates the folder
    return path


def _summary(run: RunReport, sheets: list[str]) -> str:
    origins = {s.id: s.origin for s in run.sheets}
    listed = ", ".join(escape(s) + (f" <span class=\"muted\">({escape(origins[s])})</span>" if origins.get(s) else "")
                       for s in sheets) or "none"
    total = len(run.submissions)
    return (f"<dl><dt>sheets</dt><dd>{listed}</dd>"
            f"<dt>submissions</dt><dd>{total} in this report: {total - run.reused} graded in this run, "
            f"{run.reused} reused unchanged from a previous run</dd>"
            f"<dt>grader version</dt><dd>{escape(run.grader_version or 'unknown')}</dd></dl>")


def _sheet(index: int, sheet: str, reports: list[SubmissionReport]) -> str:
    title = (f'<h2 id="sheet-{index}">{escape(sheet)}: {len(reports)} submission{"s" * (len(reports) != 1)}'
             "</h2>")
    if not reports:
        return title + "<p>No submission of this sheet is in this report.</p>"
    stats = task_stats(reports)
    return title + _points(reports) + _tasks(stats) + _diagnoses(reports, stats)


def _points(reports: list[SubmissionReport]) -> str:
    got = [r.points for r in reports]
    maxima = sorted({r.max_points for r in reports})
    most = points(maxima[0]) if len(maxima) == 1 else f"{points(maxima[0])} to {points(maxima[-1])}"
    table = ("<table><thead><tr><th></th><th class=\"n\">mean</th><th class=\"n\">median</th>"
             "<th class=\"n\">min</th><th class=\"n\">max</th><th class=\"n\">of</th></tr></thead><tbody><tr>"
             "<td>points per submission</td>"
             + "".join(f"<td class=\"n\">{points(v)}</td>" for v in (statistics.fmean(got), statistics.median(got),
                                                                     min(got), max(got)))
             + f"<td class=\"n\">{most}</td></tr></tbody></table>")
    scored = [r.percent for r in reports if r.max_points > 0]
    if not scored:
        return table + "<p>No submission of this sheet has points to score: no histogram.</p>"
    counts = class_plots.bin_counts(scored)
    alt = "Histogram of points in percent of the maximum, submissions per 10 % bin: " + ", ".join(
        f"{i * 10}–{i * 10 + 10} %: {c}" for i, c in enumerate(counts) if c)
    left = len(reports) - len(scored)
    return ("<h3>Points</h3>" + table + _img(class_plots.histogram(scored), alt)
            + (f"<p class=\"muted\">{left} submission{'s' * (left != 1)} with a maximum of 0 points "
               "not in the histogram.</p>" if left else ""))


def _tasks(stats: list[TaskStats]) -> str:
    if not stats:
        return "<h3>Tasks</h3><p>No task results (the grader failed on every submission, or the rubric is empty).</p>"
    shown = [s for s in STATUSES if any(t.statuses[s] for t in stats) or s == "passed"]
    head = ("<tr><th>task</th><th>title</th><th class=\"n\">max points</th><th class=\"n\">mean points</th>"
            "<th class=\"n\">pass rate</th>" + "".join(f"<th class=\"n\">{s}</th>" for s in shown) + "</tr>")
    rows = "".join(
        f"<tr><td>{escape(t.id)}</td><td class=\"title\">{escape(t.title)}{BONUS * t.bonus}</td>"
        f"<td class=\"n\">{points(t.max_points)}</td><td class=\"n\">{points(t.mean)}</td>"
        f"<td class=\"n\">{t.pass_rate:.0f} % <span class=\"muted\">of {t.count}</span></td>"
        + "".join(f"<td class=\"n\">{t.statuses[s]}</td>" for s in shown) + "</tr>" for t in stats)
    alt = "Bar chart per task, pass rate and mean points in percent of the maximum: " + "; ".join(
        f"{t.id}: {t.pass_rate:.0f} % passed"
        + (f", mean {t.mean_share:.0f} % of {points(t.max_points)} points" if t.mean_share is not None else "")
        for t in stats)
    chart = class_plots.tasks([t.id for t in stats], [t.pass_rate for t in stats], [t.mean_share for t in stats])
    return (f"<h3>Tasks</h3>{_img(chart, alt)}<table><thead>{head}</thead><tbody>{rows}</tbody></table>"
            "<p class=\"muted\">Rates are over the submissions that report the task; a submission the grader "
            "failed on has no task results.</p>")


def _diagnoses(reports: list[SubmissionReport], stats: list[TaskStats]) -> str:
    by_task: dict[str, list[diagnoses.Count]] = {}
    for c in diagnoses.counts(reports):  # the most frequent first, as the CSV of `grade --diagnoses` has them
        by_task.setdefault(c.task, []).append(c)
    if not by_task:
        return "<h3>Frequent diagnoses</h3><p>No diagnoses on this sheet.</p>"
    items = []
    for task in [t.id for t in stats if t.id in by_task]:
        found = by_task[task]
        lines = "".join(
            f"<li><details><summary>{c.count} submission{'s' * (c.count != 1)}: {escape(c.diagnosis)}</summary>"
            f"<span class=\"muted\">{escape(', '.join(c.submissions))}</span></details></li>"
            for c in found[:TOP_DIAGNOSES])
        more = len(found) - TOP_DIAGNOSES
        items.append(f"<li><strong>{escape(task)}</strong><ul class=\"plain\">{lines}"
                     + (f"<li class=\"muted\">{more} more</li>" if more > 0 else "") + "</ul></li>")
    return f"<h3>Frequent diagnoses (top {TOP_DIAGNOSES} per task)</h3><ul>{''.join(items)}</ul>"


def _flagged(run: RunReport, sheets: list[str]) -> str:
    flagged = [(r, found) for s in sheets for r in run.submissions if r.sheet == s and (found := concerns(r))]
    title = f'<h2 id="flagged">Flagged submissions: {len(flagged)}</h2>'
    if not flagged:
        return title + "<p>No grader error, timeout, error, late hand-in or flag.</p>"
    rows = "".join(
        f"<tr><td>{escape(r.name)}</td><td>{_members(r)}</td><td>{escape(r.sheet)}</td>"
        f"<td class=\"n\">{points(r.points)} / {points(r.max_points)}</td>"
        f"<td><ul>{''.join(f'<li>{escape(c)}</li>' for c in found)}</ul></td></tr>" for r, found in flagged)
    return (title + "<table><thead><tr><th>submission</th><th>members</th><th>sheet</th><th class=\"n\">points</th>"
            f"<th>what</th></tr></thead><tbody>{rows}</tbody></table>")


def _members(report: SubmissionReport) -> str:
    return "<br>".join(escape(f"{m.name} ({'participant ' if m.kind == 'participant' else ''}{m.id})")
                       for m in report.members)


def _not_graded(run: RunReport) -> str:
    title = f'<h2 id="not-graded">Entries not graded: {len(run.not_graded)}</h2>'
    if not run.not_graded:
        return title + "<p>Every entry of the input was graded.</p>"
    rows = "".join(f"<tr><td>{escape(n.path)}</td><td>{escape(n.reason)}</td></tr>" for n in run.not_graded)
    return title + f"<table><thead><tr><th>path</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}">'
