"""The terminal summary: one table per sheet, one row per submission, points per exercise."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.report.files import late_line, points
from grader.report import diagnoses
from grader.report.models import RunReport, SubmissionReport

STATUS_STYLE = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red", "timeout": "magenta",
                "not-attempted": "dim", "pending-manual": "cyan", "unavailable": "dim"}



def exercises(reports: list[SubmissionReport]) -> list[str]:
    seen: dict[str, None] = {}
    for r in reports:
        for task in r.tasks:
            seen.setdefault(task.exercise, None)
    return list(seen)


def sheet_table(sheet: str, reports: list[SubmissionReport]) -> Table:
    columns = exercises(reports)
    table = Table(title=f"{sheet}: {len(reports)} submission{'s' * (len(reports) != 1)}", title_justify="left")
    table.add_column("submission", overflow="fold", min_width=16, ratio=2)
    table.add_column("members", overflow="fold", min_width=14, ratio=1)
    for ex in columns:
        table.add_column(f"Ex {ex}", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("flags", overflow="fold", min_width=14, ratio=2)
    for r in reports:
        per = r.exercise_points()
        cells = [f"{points(per[ex][0])}/{points(per[ex][1])}" if ex in per else "" for ex in columns]
        pending = sum(t.pending_points for t in r.tasks)
        flags = list(r.flags) + ([f"{points(pending)} pts pending tutor"] if pending else []) + late_flag(r)
        table.add_row(Text(r.name), Text("\n".join(f"{m.name} {m.id}" for m in r.members) or "-"), *cells,
                      f"{points(r.points)}/{points(r.max_points)}", f"{r.percent:.0f}",
                      Text("; ".join(flags), style="yellow") if flags else "")
    return table


def late_flag(report: SubmissionReport) -> list[str]:
    return [f"late: {late_line(report)}"] if report.late else []


def not_graded(run: RunReport) -> Text | None:
    """Every entry of the input that was not graded, with the reason: nothing disappears without a word."""
    if not run.not_graded:
        return None
    text = Text(f"not graded ({len(run.not_graded)}):", style="bold")
    for entry in run.not_graded:
        text.append(f"\n  {entry.path}: {entry.reason}")
    return text


def diagnosis_counts(reports: list[SubmissionReport]) -> Text | None:
    """How often each diagnosis came up, per task: what to explain again in the next tutorial."""
    found = diagnoses.counts(reports)
    if not found:
        return None
    return Text("diagnoses: " + ", ".join(f"{c.task} {c.diagnosis} x{c.count}" for c in found), style="dim")


def task_table(report: SubmissionReport) -> Table:
    table = Table(title=f"{report.name} ({report.sheet})", title_justify="left")
    for name, justify in (("task", "left"), ("points", "right"), ("status", "left"), ("message", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for t in report.tasks:
        table.add_row(t.id, f"{points(t.points)}/{points(t.max_points)}",
                      Text(t.status, style=STATUS_STYLE.get(t.status, "")), Text(t.message))
    return table


def isolation_header(run: RunReport) -> Text:
    """The sandbox layers the run's children had: what a tutor needs to trust the scores."""
    on = [layer for layer in run.isolation if layer.active]
    off = [layer for layer in run.isolation if not layer.active]
    text = Text("isolation: ", style="bold")
    text.append(", ".join(f"{layer.name} ({layer.how})" for layer in on) or "none", style="green")
    if off:
        text.append("; OFF: ", style="bold red")
        text.append(", ".join(f"{layer.name} ({layer.how})" for layer in off), style="red")
    return text


def sheets_header(run: RunReport) -> Text | None:
    """Where the graded sheets came from, when any is not built in: a tutor sees which rubric graded."""
    if all(sheet.origin == "built-in" for sheet in run.sheets):
        return None
    text = Text("sheets: ", style="bold")
    text.append("; ".join(f"{s.id} ({s.origin}" + (f", replacing the {s.replaces} one)" if s.replaces else ")")
                          for s in run.sheets))
    return text


def render(run: RunReport, details: bool = False) -> Group:
    by_sheet: dict[str, list[SubmissionReport]] = {}
    for r in run.submissions:
        by_sheet.setdefault(r.sheet, []).append(r)
    parts: list = [isolation_header(run)] if run.isolation else []
    origins = sheets_header(run)
    if origins is not None:
        parts.append(origins)
    for sheet, reports in by_sheet.items():
        parts.append(sheet_table(sheet, reports))
        counts = diagnosis_counts(reports)
        if counts is not None:
            parts.append(counts)
    skipped = not_graded(run)
    if skipped is not None:
        parts.append(skipped)
    if details:
        parts.extend(task_table(r) for r in run.submissions)
    return Group(*parts)
