"""Building the text edits of fixes so that they keep the script's layout and comments."""

from __future__ import annotations

from sieve.lint.context import LintContext
from sieve.lint.finding import Fix
from sieve.syntax.ast import Command


def has_comment(context: LintContext, start: int, end: int) -> bool:
    """Whether a comment overlaps `source[start:end]` (a fix there would lose it)."""
    return any(start < c.span.end and c.span.start < end for c in context.script.comments)


def delete_command(context: LintContext, command: Command, description: str) -> Fix:
    """Removes a command; when it is alone on its line, the whole line goes with it."""
    source = context.source
    start, end = command.span.start, command.span.end
    line_start = source.rfind("\n", 0, start) + 1
    line_end = source.find("\n", end)
    line_end = len(source) if line_end < 0 else line_end
    if not source[line_start:start].strip() and not source[end:line_end].strip():
        return Fix(line_start, min(line_end + 1, len(source)), "", description)
    # Other code or a comment shares the line: take the command and the blanks after it.
    while end < line_end and source[end] in " \t":
        end += 1
    return Fix(start, end, "", description)
