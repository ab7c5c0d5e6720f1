"""`parse()`: source text or bytes in, a syntax tree and every syntax diagnostic out."""

from __future__ import annotations

from dataclasses import dataclass, field

from sieve.diagnostics import Diagnostic, sort_key
from sieve.runtime.limits import Limits
from sieve.syntax.ast import Script
from sieve.syntax.context import LexContext
from sieve.syntax.dialects import grammar_for
from sieve.syntax.lexer import tokenize
from sieve.syntax.lr import run, tables_for
from sieve.syntax.prose import mark_prose_lines
from sieve.syntax.recovery import Recovery
from sieve.syntax.source import SourceMap, decode_script

_DEFAULT_LIMITS = Limits()


@dataclass(slots=True)
class ParseResult:
    """The tree (None when the script could not be read far enough, or broke a nesting
    limit) and the diagnostics, sorted by position."""

    script: Script | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: SourceMap | None = None

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def parse(
    source: str | bytes,
    *,
    dialect: str = "standard",
    limits: Limits | None = None,
) -> ParseResult:
    """Parses a whole script. Never raises for bad input: every problem is a diagnostic."""
    limits = limits or _DEFAULT_LIMITS
    grammar = grammar_for(dialect)
    size = len(source)
    if isinstance(source, str) and size * 4 > limits.max_script_size:
        size = len(source.encode("utf-8", "replace"))  # characters take up to 4 bytes
    if size > limits.max_script_size:
        return ParseResult(None, [_too_large(size, limits)], SourceMap(""))

    text, problems = decode_script(source)
    source_map = SourceMap(text)
    ctx = LexContext(source_map, limits)
    for problem in problems:
        ctx.report(
            "invalid-utf8",
            problem.text_offset,
            problem.text_offset + 1,
            f"invalid UTF-8 at byte offset {problem.byte_offset} "
            f"(bytes {problem.bad_bytes.hex(' ')})",
            "save the script as UTF-8; RFC 5228 scripts are UTF-8 text",
        )
    _report_nul_characters(text, ctx)

    tables = tables_for(grammar)
    tokens = tokenize(grammar.lexer_rules, ctx, text)
    script = run(tables, grammar(ctx), tokens, Recovery(tables, tokens, ctx))
    if ctx.diagnostics and not ctx.limit_exceeded:
        # Blocks that never closed were never reduced, so the parser could not measure them.
        ctx.report_deep_blocks()
    if ctx.overflowed:
        ctx.diagnostics.append(_too_many(ctx, limits))
    if script is not None:
        script.comments = ctx.comments
        script.span = source_map.span(0, len(text))
    if ctx.limit_exceeded:
        script = None
    diagnostics = mark_prose_lines(ctx)
    diagnostics.sort(key=sort_key)
    return ParseResult(script, diagnostics, source_map)


def _report_nul_characters(text: str, ctx: LexContext) -> None:
    start = text.find("\x00")
    reported = 0
    while start >= 0 and reported < 10:
        ctx.report(
            "nul-character",
            start,
            start + 1,
            "NUL character in the script",
            "a Sieve script is text; remove the NUL byte (an editor or a transfer broke it)",
        )
        reported += 1
        start = text.find("\x00", start + 1)


def _too_large(size: int, limits: Limits) -> Diagnostic:
    return Diagnostic(
        "limit-script-size",
        "error",
        1,
        1,
        1,
        2,
        f"the script is {size} bytes; the limit is {limits.max_script_size}",
        "split it with include, or raise max_script_size",
    )


def _too_many(ctx: LexContext, limits: Limits) -> Diagnostic:
    last = ctx.diagnostics[-1]
    return Diagnostic(
        "too-many-errors",
        "error",
        last.line,
        last.column,
        last.end_line,
        last.end_column,
        f"stopped after {limits.max_diagnostics} diagnostics",
        "fix these first; the rest of the script was not read",
    )
