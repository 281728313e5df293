"""Text from outside the grader (student files, the child's records, file names) as reports can hold it."""
from __future__ import annotations

import unicodedata


def without_surrogates(text: str) -> str:
    """Lone surrogates (a JSON escape like \\ud800) cannot be written to a report: each becomes '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def spelled_out(text: str, keep: str = "") -> str:
    """Control and format characters (terminal escape sequences, a right-to-left override that makes
    `exe.py` read `yp.exe`) written as \\uXXXX, but those in `keep`."""
    return "".join(c if c in keep or unicodedata.category(c) not in ("Cc", "Cf") else f"\\u{ord(c):04x}"
                   for c in text)


def inert(text: str) -> str:
    """A cell a spreadsheet would run as a formula (a submission named `=cmd|...`) starts with a quote."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def printable(name: str) -> str:
    """File names as reports can show them: invalid UTF-8 replaced, and control and invisible or
    direction-changing characters (a right-to-left override that makes `exe.py` read `yp.exe`) spelled out."""
    return spelled_out(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
