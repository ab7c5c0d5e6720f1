"""Per-parse state shared by the lexer and the parser: the source, the limits and every
diagnostic found so far. One context per parse keeps parsing thread-safe."""

from __future__ import annotations

from typing import Any

from sieve.diagnostics import ERROR, Diagnostic
from sieve.runtime.limits import Limits
from sieve.syntax.ast import Comment
from sieve.syntax.source import SourceMap, Span


class LexContext:
    __slots__ = (
        "source",
        "limits",
        "diagnostics",
        "comments",
        "multiline_quoted",
        "text_blocks",
        "truncated",
        "limit_exceeded",
        "overflowed",
        "max_string_length",
        "tokens",
    )

    def __init__(self, source: SourceMap, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[Comment] = []
        # Quoted strings that run over several lines: the usual sign of a missing '"'.
        self.multiline_quoted: list[Span] = []
        self.text_blocks: list[Span] = []
        # Set when a string or comment swallowed the rest of the script.
        self.truncated = False
        # Set when a nesting limit was exceeded: the tree is then not handed on.
        self.limit_exceeded = False
        self.overflowed = False
        self.max_string_length = limits.max_string_length
        self.tokens: Any = None  # the script's tokens, once scanned

    def report(self, code: str, start: int, end: int, message: str, hint: str = "") -> None:
        if len(self.diagnostics) >= self.limits.max_diagnostics:
            self.overflowed = True
            return
        line, column = self.source.position(start)
        if end <= start + 1:
            # A point (where a missing ';' belongs, which may be a line end): one column wide.
            end_line, end_column = line, column + 1
        else:
            end_line, end_column = self.source.position(end)
        self.diagnostics.append(
            Diagnostic(code, ERROR, line, column, end_line, end_column, message, hint)
        )

    def report_unterminated(self, code: str, start: int, message: str, hint: str) -> None:
        # The span covers only the opening delimiter: the rest of the script is its body.
        self.truncated = True
        self.report(code, start, start + 1, message, hint)

    def report_illegal(self, text: str, start: int, end: int) -> None:
        if text.strip("\x00") == "":
            return  # NUL characters have a diagnostic of their own
        if text.strip("\ufffd") == "" and any(d.code == "invalid-utf8" for d in self.diagnostics):
            return  # the bytes were reported as invalid UTF-8 already
        if text == ":":
            message = "':' must be followed by a tag name"
            hint = "tags are written like ':is' or ':contains', with no space after the colon"
        elif text == "/":
            message = "unexpected '/'"
            hint = "comments are written '# …' or '/* … */'"
        elif text.endswith("$") and self.source.text.startswith("{", end):
            message = "a variable reference outside a string"
            hint = 'variables are expanded only inside strings: write "${name}"'
        elif "@" in text:
            message = f"unexpected {_describe_chars(text)}"
            hint = 'addresses and other text go in quotes: "user@example.com"'
        else:
            shown = text if len(text) <= 20 else text[:20] + "…"
            message = f"unexpected {_describe_chars(shown)}"
            hint = (
                "outside strings, Sieve allows only names, tags, numbers and ; , ( ) [ ] { }; "
                'text such as a folder name goes in quotes: "INBOX.Lists"'
            )
        self.report("illegal-character", start, end, message, hint)

    def report_long_string(self, value: str, start: int) -> None:
        self.report(
            "limit-string-length",
            start,
            start + 1,
            f"this string is {len(value)} characters long; the limit is "
            f"{self.limits.max_string_length}",
            "keep long texts out of the script, or raise max_string_length",
        )

    def report_long_list(self, start: int) -> None:
        self.report(
            "limit-list-length",
            start,
            start + 1,
            f"this string list has more than {self.limits.max_list_length} strings",
            "keep long lists of addresses in an external list (extlists), or raise "
            "max_list_length",
        )

    def report_deep_blocks(self) -> None:
        """Reports the first '{' nested deeper than the limit. The parser finds that some
        block is too deep from the inside out; where it starts is found from the tokens."""
        if self.limit_exceeded or self.tokens.types.count("LBRACE") <= self.limits.max_block_depth:
            return
        depth = 0
        for kind, offset in zip(self.tokens.types, self.tokens.values, strict=True):
            if kind == "LBRACE":
                depth += 1
                if depth > self.limits.max_block_depth:
                    self.limit_exceeded = True
                    self.report(
                        "limit-nesting",
                        offset,
                        offset + 1,
                        f"blocks are nested more than {self.limits.max_block_depth} deep here",
                        "flatten the script with elsif, allof or stop",
                    )
                    return
            elif kind == "RBRACE" and depth:
                depth -= 1


def _describe_chars(text: str) -> str:
    if text == "\x00":
        return "NUL character"
    if len(text) == 1:
        return f"character {text!r}" if text.isprintable() else f"character U+{ord(text):04X}"
    if text.isprintable():
        return f"characters {text!r}"
    return "characters " + " ".join(f"U+{ord(c):04X}" for c in text[:8])
