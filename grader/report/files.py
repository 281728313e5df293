"""Writing report files atomically: a temporary file in the same folder, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep reports from the course's other staff
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def points(value: float, decimals: int = 2) -> str:
    """Points as every report shows them: 2.5, 3, 0.33 (no trailing zeros)."""
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def late_line(report) -> str:
    """A late hand-in in one sentence, the same in every report; "" when on time or no deadline applies."""
    late = report.late
    if late is None:
        return ""
    return (f"handed in {report.submitted_at} ({report.submitted_from}), {late.hours:g} h late "
            f"({late.days} started day{'s' * (late.days != 1)}): -{late.percent:g} % = -{points(late.deduction)} "
            f"points; {late.policy}")
