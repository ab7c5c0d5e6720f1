"""Diagnostics: what every stage reports to a person, with a code, a span and a hint.

The text form is `FILE:LINE:COL: severity: message [code]`, then the source line, a caret
line under the span and the hint; the JSON form is a list of objects with the same fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. Lines and columns are 1-based; the end is just past the last character."""

    code: str
    severity: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self, file: str | None = None) -> dict[str, object]:
        data: dict[str, object] = {"file": file} if file is not None else {}
        data.update(asdict(self))
        return data


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, str]:
    return diagnostic.line, diagnostic.column, diagnostic.code


def caret_line(source_line: str, diagnostic: Diagnostic) -> str:
    """Spaces up to the start column, then carets under the span (at least one), keeping tabs
    so the carets line up under the same characters in a terminal."""
    start = max(diagnostic.column - 1, 0)
    if diagnostic.end_line == diagnostic.line:
        width = max(diagnostic.end_column - diagnostic.column, 1)
    else:
        width = max(len(source_line) - start, 1)
    prefix = "".join(ch if ch == "\t" else " " for ch in source_line[:start])
    prefix += " " * (start - len(source_line[:start]))
    return prefix + "^" * width


def render_text(
    diagnostic: Diagnostic,
    file: str,
    source_line: str | None,
    paint: Callable[[str], str] | None = None,
) -> str:
    """The human form of one diagnostic; `paint` may colour the source line for a terminal."""
    lines = [
        f"{file}:{diagnostic.line}:{diagnostic.column}: {diagnostic.severity}: "
        f"{diagnostic.message} [{diagnostic.code}]"
    ]
    if source_line is not None and diagnostic.line > 0:
        shown = paint(source_line) if paint else source_line
        lines.append(f"    {shown}")
        lines.append(f"    {caret_line(source_line, diagnostic)}")
    if diagnostic.hint:
        lines.append(f"    hint: {diagnostic.hint}")
    return "\n".join(lines)


def render_json(entries: Iterable[tuple[str, Diagnostic]]) -> str:
    return json.dumps([d.to_dict(file) for file, d in entries], indent=2, ensure_ascii=False)


def capped(diagnostics: list[Diagnostic], limit: int) -> list[Diagnostic]:
    """At most `limit` diagnostics, the rest summarised as one `too-many-errors` (Limits'
    max_diagnostics): a script of 5,000 errors must not produce 5,000 reports."""
    if len(diagnostics) <= limit:
        return diagnostics
    kept = sorted(diagnostics, key=sort_key)[:limit]
    last = kept[-1]
    return [
        *kept,
        Diagnostic(
            "too-many-errors",
            ERROR,
            last.line,
            last.column,
            last.end_line,
            last.end_column,
            f"stopped after {limit} diagnostics ({len(diagnostics) - limit} more not shown)",
            "fix these first, then check again",
        ),
    ]
