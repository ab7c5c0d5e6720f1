"""Scripts pasted from documents often lose the '#' of their comments, leaving lines like
`pull out the envelope from address`. Such lines are usually valid Sieve grammar (a command
with nested tests), so the parser alone would accept them; this pass finds them and turns the
confusing errors they cause into one diagnostic per line that suggests the missing '#'.
It also points syntax errors that follow a string running over several lines at that string,
the usual sign of a missing closing quote."""

from __future__ import annotations

import dataclasses
import re

from sieve.diagnostics import ERROR, Diagnostic
from sieve.syntax.context import LexContext
from sieve.syntax.names import SIEVE_NAMES
from sieve.syntax.source import SourceMap, Span

# Words and plain numbers with the punctuation of sentences; a tag (`:is`) or a string is
# enough to make a line Sieve.
_PROSE_WORD = r"\(?(?:[A-Za-z][A-Za-z0-9_'’-]*|[0-9]+)[).,!?;:]*"
_PROSE_LINE = re.compile(rf"[ \t]*({_PROSE_WORD}(?:[ \t]+{_PROSE_WORD})+)[ \t]*\r?$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_'’-]*")
_SYNTAX_CODES = frozenset(
    {
        "unexpected-token",
        "missing-semicolon",
        "missing-comma",
        "missing-bracket",
        "missing-paren",
        "illegal-character",
        "bad-number",
        "extra-semicolon",
        "unbalanced-paren",
        "unbalanced-bracket",
        "unbalanced-brace",
    }
)


def mark_prose_lines(ctx: LexContext) -> list[Diagnostic]:
    """The context's diagnostics with prose lines reported and the errors they caused
    folded into that report."""
    explained = {d.line for d in ctx.diagnostics if d.code not in _SYNTAX_CODES}
    hidden: list[tuple[int, int]] | None = None  # found once a line looks like prose
    prose: dict[int, Diagnostic] = {}
    line_start = 0
    for line, text in enumerate(ctx.source.text.split("\n"), start=1):
        line_end = line_start + len(text)
        begins, line_start = line_start, line_end + 1
        # Cheap tests first: most lines hold a string, a brace or a comment.
        if '"' in text or "{" in text or "}" in text or "#" in text:
            continue
        match = _PROSE_LINE.match(text)
        if match is None:
            continue
        if not _has_foreign_words(match.group(1)):
            continue
        # Text inside a string or comment, or on a line that a diagnostic of another kind
        # (a bad `text:` header, say) explains already, is not code at all.
        if hidden is None:
            hidden = _multiline_strings_and_comments(ctx)
        if line in explained or _overlaps(hidden, begins, line_end):
            continue
        shown = match.group(1)
        start, end = match.span(1)
        column = start + 1
        prose[line] = Diagnostic(
            "prose-line",
            ERROR,
            line,
            column,
            line,
            end + 1,
            f"this line reads like prose, not Sieve: '{shown}'",
            f"if it is a comment that lost its '#', write '# {shown}'",
        )
    if not ctx.diagnostics:
        return list(prose.values())
    kept = [d for d in ctx.diagnostics if not (d.line in prose and d.code in _SYNTAX_CODES)]
    kept = _without_followers_of_illegal_characters(kept, ctx.source)
    kept = [_with_string_hint(d, ctx.multiline_quoted) for d in kept]
    return kept + list(prose.values())


def _without_followers_of_illegal_characters(
    diagnostics: list[Diagnostic], source: SourceMap
) -> list[Diagnostic]:
    """After a stray character, the parser's complaints later in the same command (up to the
    next ';' on that line) are echoes of it, as with an unquoted address or a `${var}`
    outside quotes: keep only the stray character's diagnostic."""
    illegal = [(d.line, d.column) for d in diagnostics if d.code == "illegal-character"]
    if not illegal:
        return diagnostics

    def echoes(d: Diagnostic) -> bool:
        if d.code not in _SYNTAX_CODES:
            return False
        text = source.line_text(d.line)
        return any(
            line == d.line and column < d.column and ";" not in text[column - 1 : d.column - 1]
            for line, column in illegal
        )

    return [d for d in diagnostics if not echoes(d)]


def _has_foreign_words(text: str) -> bool:
    """At least two words of three letters or more that are not Sieve names."""
    foreign = 0
    for word in _WORD.findall(text):
        if len(word) >= 3 and word.lower() not in SIEVE_NAMES:
            foreign += 1
            if foreign == 2:
                return True
    return False


def _overlaps(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    for region_start, region_end in regions:  # noqa: SIM110 - a loop beats any() here
        if region_start < end and region_end > start:
            return True
    return False


def _multiline_strings_and_comments(ctx: LexContext) -> list[tuple[int, int]]:
    """Where strings and comments that run over several lines are (a `text:` string's first
    line included: it holds a string). Their lines are not code."""
    spans: list[Span] = [c.span for c in ctx.comments if not c.is_hash]
    spans += ctx.multiline_quoted
    spans += ctx.text_blocks
    return [(span.start, span.end) for span in spans]


def _with_string_hint(diagnostic: Diagnostic, strings: list[Span]) -> Diagnostic:
    if diagnostic.code not in _SYNTAX_CODES and diagnostic.code != "unterminated-string":
        return diagnostic
    before = [
        s
        for s in strings
        if s.line < diagnostic.line or (s.line == diagnostic.line and s.column < diagnostic.column)
    ]
    if not before:
        return diagnostic
    suspect = before[0] if diagnostic.code == "unterminated-string" else before[-1]
    if diagnostic.code != "unterminated-string" and diagnostic.line - suspect.end_line > 2:
        return diagnostic
    note = (
        f"the string that starts at line {suspect.line}, column {suspect.column} runs to line "
        f"{suspect.end_line}: is its closing '\"' missing?"
    )
    hint = f"{diagnostic.hint}; {note}" if diagnostic.hint else note
    return dataclasses.replace(diagnostic, hint=hint)
