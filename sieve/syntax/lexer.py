"""The PLY lexer for Sieve (RFC 5228 §8.1).

Token rules are methods of a class so that a dialect can override one hook (see
`OracleLexerRules`) instead of forking the rules. Per-parse state (diagnostics, comments,
brace depth) lives on a `LexContext` attached to each cloned lexer, never on the shared
rules object, so any number of threads can lex at once.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import ply.lex

from sieve.syntax.ast import Comment, Number, String, Tag
from sieve.syntax.context import LexContext

# RFC 5228 §2.4.2: inside a quoted string only \" and \\ are escapes; any other backslash is
# dropped and the character after it kept.
_QUOTED_BODY = re.compile(r'[^"\\]*(?:\\[\s\S][^"\\]*)*')
_ESCAPE = re.compile(r"\\([\s\S])")
# RFC 5228 §8.1: after "text:" only spaces, tabs and an optional hash comment, then CRLF.
_TEXT_HEADER = re.compile(r"[ \t]*(#[^\n]*)?(\r?\n|\Z)")
_TEXT_END = re.compile(r"^\.\r?$", re.MULTILINE)
_DOT_STUFFED = re.compile(r"^\.\.", re.MULTILINE)
_NUMBER = re.compile(r"([0-9]+)([A-Za-z_][A-Za-z0-9_]*)?")
_QUANTIFIERS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
# Numbers are unsigned 64-bit in practice; RFC 5228 §2.4.1 only demands 2^31 - 1.
MAX_NUMBER = (1 << 63) - 1

PUNCTUATION_TOKENS = {
    "SEMICOLON": ";",
    "COMMA": ",",
    "LPAREN": "(",
    "RPAREN": ")",
    "LBRACKET": "[",
    "RBRACKET": "]",
    "LBRACE": "{",
    "RBRACE": "}",
}


class Word:
    """The value of an IDENTIFIER (or CALLOUT) token: its text and where it is."""

    __slots__ = ("text", "name", "start", "end")

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.name = text.lower()
        self.start = start
        self.end = start + len(text)

    def __repr__(self) -> str:
        return f"Word({self.text!r})"


class StandardLexerRules:
    """Token rules of RFC 5228. PLY reads the `t_` members; their order is the match order."""

    tokens: tuple[str, ...] = (
        "IDENTIFIER",
        "TAG",
        "NUMBER",
        "STRING",
        "MULTILINE",
        *PUNCTUATION_TOKENS,
    )

    t_ignore_whitespace = r"[ \t\r\n]+"
    t_SEMICOLON = r";"
    t_COMMA = r","
    t_LPAREN = r"\("
    t_RPAREN = r"\)"
    t_LBRACKET = r"\["
    t_RBRACKET = r"\]"

    def t_hash_comment(self, t: Any) -> None:
        r"\#[^\n]*"
        self._comment(t, t.value.rstrip("\r"))

    def t_bracket_comment(self, t: Any) -> None:
        r"/\*"
        ctx: LexContext = t.lexer.ctx
        data = t.lexer.lexdata
        close = data.find("*/", t.lexpos + 2)
        if close < 0:
            ctx.report_unterminated(
                "unterminated-comment",
                t.lexpos,
                "this '/*' comment is never closed",
                "close the comment with '*/'; bracket comments do not nest",
            )
            t.lexer.lexpos = len(data)
            return
        t.lexer.lexpos = close + 2
        self._comment(t, data[t.lexpos : close + 2])

    def t_STRING(self, t: Any) -> Any:
        r'"'
        ctx: LexContext = t.lexer.ctx
        data = t.lexer.lexdata
        body = _QUOTED_BODY.match(data, t.lexpos + 1)
        end = body.end()
        if end >= len(data):
            ctx.report_unterminated(
                "unterminated-string",
                t.lexpos,
                "this string is never closed",
                'add the closing \'"\'; inside a string write \\" for a quote and \\\\ '
                "for a backslash",
            )
            t.lexer.lexpos = len(data)
            end = len(data) - 1
            raw = data[t.lexpos + 1 :]
        else:
            t.lexer.lexpos = end + 1
            raw = data[t.lexpos + 1 : end]
        value = _ESCAPE.sub(r"\1", raw) if "\\" in raw else raw
        span = ctx.source.span(t.lexpos, end + 1)
        if span.end_line != span.line:
            ctx.multiline_quoted.append(span)
        ctx.check_string_length(value, t.lexpos)
        t.value = String(value, False, span)
        return t

    def t_IDENTIFIER(self, t: Any) -> Any:
        r"[A-Za-z_][A-Za-z0-9_]*"
        lexer = t.lexer
        data = lexer.lexdata
        if t.value.lower() == "text" and data.startswith(":", lexer.lexpos):
            return self._multiline(t)
        t.value = Word(t.value, t.lexpos)
        t.type = self.identifier_type(data, lexer.lexpos)
        return t

    def t_TAG(self, t: Any) -> Any:
        r":[A-Za-z_][A-Za-z0-9_]*"
        t.value = Tag(t.value[1:].lower(), t.lexer.ctx.source.span(t.lexpos, t.lexer.lexpos))
        return t

    def t_NUMBER(self, t: Any) -> Any:
        r"[0-9][A-Za-z0-9_]*"
        ctx: LexContext = t.lexer.ctx
        digits, suffix = _NUMBER.fullmatch(t.value).groups()  # type: ignore[union-attr]
        span = ctx.source.span(t.lexpos, t.lexer.lexpos)
        suffix = suffix or ""
        multiplier = _QUANTIFIERS.get(suffix.lower())
        if multiplier is None:
            ctx.report(
                "bad-number",
                t.lexpos + len(digits),
                t.lexer.lexpos,
                f"'{suffix}' is not a number quantifier",
                f"a number may end in K, M or G only (write {digits}K for {digits} kibi)",
            )
            multiplier = 1
        value = int(digits) * multiplier
        if value > MAX_NUMBER:
            ctx.report(
                "number-too-large",
                t.lexpos,
                t.lexer.lexpos,
                f"the number {t.value} is too large",
                f"numbers may be at most {MAX_NUMBER} (about 8E18)",
            )
            value = MAX_NUMBER
        t.value = Number(value, suffix.upper() if suffix.lower() in _QUANTIFIERS else "", span)
        return t

    def t_LBRACE(self, t: Any) -> Any:
        r"\{"
        t.lexer.ctx.open_brace(t.lexpos)
        return t

    def t_RBRACE(self, t: Any) -> Any:
        r"\}"
        t.lexer.ctx.close_brace()
        return t

    def t_illegal(self, t: Any) -> None:
        r"""[^A-Za-z0-9_:"\#/ \t\r\n;,()\[\]{}]+|:|/"""
        t.lexer.ctx.report_illegal(t.value, t.lexpos, t.lexer.lexpos)

    def t_error(self, t: Any) -> None:  # pragma: no cover - t_illegal matches everything else
        t.lexer.ctx.report_illegal(t.value[0], t.lexpos, t.lexpos + 1)
        t.lexer.skip(1)

    # Hooks a dialect may override.

    def identifier_type(self, data: str, end: int) -> str:
        """The token type of an identifier that ends at `end`."""
        return "IDENTIFIER"

    # Helpers.

    def _comment(self, t: Any, text: str) -> None:
        ctx: LexContext = t.lexer.ctx
        ctx.comments.append(Comment(text, ctx.source.span(t.lexpos, t.lexpos + len(text))))

    def _multiline(self, t: Any) -> Any:
        """RFC 5228 §2.4.2: `text:` up to a line holding a lone '.', with '..' unstuffed."""
        lexer = t.lexer
        ctx: LexContext = lexer.ctx
        data = lexer.lexdata
        header = _TEXT_HEADER.match(data, lexer.lexpos + 1)
        if header is None or not header.group(2):
            bad_end = data.find("\n", lexer.lexpos)
            ctx.report(
                "bad-text-header",
                lexer.lexpos + 1,
                len(data) if bad_end < 0 else bad_end,
                "'text:' must be followed by a line break",
                "start the text on the line after 'text:'; only a '#' comment may follow it",
            )
            if header is None:
                lexer.lexpos = len(data) if bad_end < 0 else bad_end + 1
            body_start = lexer.lexpos
        else:
            body_start = header.end()
        terminator = _TEXT_END.search(data, body_start) if body_start < len(data) else None
        if terminator is None:
            ctx.report_unterminated(
                "unterminated-text",
                t.lexpos,
                "this 'text:' string has no closing '.' line",
                "end the text with a line that holds only '.'; write a line that starts "
                "with '.' as '..'",
            )
            body, end = data[body_start:], len(data)
        else:
            body = data[body_start : terminator.start()]
            end = terminator.end()
            if data.startswith("\n", end):
                end += 1
        lexer.lexpos = end
        value = _DOT_STUFFED.sub(".", body) if ".." in body else body
        ctx.check_string_length(value, t.lexpos)
        span = ctx.source.span(t.lexpos, end)
        ctx.text_blocks.append(span)
        t.value = String(value, True, span, data[t.lexpos : end])
        t.type = "MULTILINE"
        return t


class OracleLexerRules(StandardLexerRules):
    """Oracle Messaging Server: an identifier directly followed by `(` and a string is the
    name of a mapping callout used as a value, `greylst("${IP}|${FROM}|uwc")`."""

    tokens = (*StandardLexerRules.tokens, "CALLOUT")
    _CALLOUT_AHEAD = re.compile(r'[ \t\r\n]*\([ \t\r\n]*["\[]')

    def identifier_type(self, data: str, end: int) -> str:
        if data.startswith("(", end) or data[end : end + 1].isspace():
            if self._CALLOUT_AHEAD.match(data, end):
                return "CALLOUT"
        return "IDENTIFIER"


_built: dict[type, Any] = {}
_build_lock = threading.Lock()


def new_lexer(rules: type[StandardLexerRules], ctx: LexContext) -> Any:
    """A fresh PLY lexer for one parse; the master regex is compiled once per rules class."""
    master = _built.get(rules)
    if master is None:
        with _build_lock:
            master = _built.get(rules)
            if master is None:
                master = ply.lex.lex(module=rules(), errorlog=ply.lex.NullLogger())
                _built[rules] = master
    lexer = master.clone()
    lexer.ctx = ctx
    return lexer
