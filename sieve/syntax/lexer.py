"""The PLY lexer for Sieve (RFC 5228 §8.1).

Token rules are methods of a class, so that a dialect can subclass them (see `oracle.py`).
Per-parse state (diagnostics, comments, brace depth) lives on a `LexContext` attached to each
cloned lexer, never on the shared rules object, so any number of threads can lex at once.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import ply.lex

from sieve.syntax.ast import Comment, Number, String, StringList, Tag
from sieve.syntax.context import LexContext
from sieve.syntax.source import Span, new_span

# RFC 5228 §2.4.2: inside a quoted string only \" and \\ are escapes; any other backslash is
# dropped and the character after it kept.
_ESCAPE = re.compile(r"\\([\s\S])")


def _unescape(raw: str) -> str:
    return _ESCAPE.sub(_escaped_character, raw)


def _escaped_character(match: re.Match[str]) -> str:
    return match.group(1)


def _quoted_string(ctx: LexContext, raw: str, start: int, end: int) -> String:
    """The String node of a quoted string whose text between the quotes is `raw`."""
    span = new_span(Span, (ctx.source, start, end))
    if "\\" in raw:
        raw = _unescape(raw)
    if "\n" in raw:
        ctx.multiline_quoted.append(span)
    if len(raw) > ctx.max_string_length:
        ctx.report_long_string(raw, start)
    return String(raw, False, span)


# Possessive (`*+`): these are unambiguous, and without backtracking state Python's regex
# engine keeps no memory per repetition (a 50,000-string list cost 32 MiB, now 1 MiB).
_QUOTED_STRING = r'"[^"\\]*+(?:\\[\s\S][^"\\]*+)*+"'
_QUOTED = re.compile(r'"([^"\\]*+(?:\\[\s\S][^"\\]*+)*+)"')
_SPACE = r"[ \t\r\n]*"
_STRING_LIST = rf"\[{_SPACE}{_QUOTED_STRING}(?:{_SPACE},{_SPACE}{_QUOTED_STRING})*+{_SPACE}\]"
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


# Names: their value is the tuple (text, offset), the cheapest thing to build per token.
WORD_TOKENS = frozenset({"IDENTIFIER", "CALLOUT"})


class StandardLexerRules:
    """Token rules of RFC 5228. PLY reads the `t_` members; functions match in the order they
    are defined, before the plain string rules."""

    tokens: tuple[str, ...] = (
        "IDENTIFIER",
        "TAG",
        "NUMBER",
        "STRING",
        "MULTILINE",
        "STRING_LIST",
        *PUNCTUATION_TOKENS,
    )

    t_ignore_whitespace = r"[ \t\r\n]+"
    t_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
    t_LBRACE = r"\{"
    t_RBRACE = r"\}"
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
        r"/\*[\s\S]*?\*/"
        self._comment(t, t.value)

    def t_unterminated_comment(self, t: Any) -> None:
        r"/\*"
        t.lexer.ctx.report_unterminated(
            "unterminated-comment",
            t.lexpos,
            "this '/*' comment is never closed",
            "close the comment with '*/'; bracket comments do not nest",
        )
        t.lexer.lexpos = len(t.lexer.lexdata)

    @ply.lex.TOKEN(_STRING_LIST)
    def t_STRING_LIST(self, t: Any) -> Any:
        # A plain list of quoted strings is one token: most lists are written so, and one
        # token costs far less than the brackets, strings and commas one by one. Lists with
        # comments or text: strings inside come as separate tokens.
        ctx: LexContext = t.lexer.ctx
        base = t.lexpos
        limit = ctx.limits.max_list_length
        strings = []
        for quoted in _QUOTED.finditer(t.value):
            if len(strings) == limit:
                # Building every string of a huge list costs far more memory than its
                # source: stop at the limit and say so.
                ctx.report_long_list(base)
                break
            strings.append(
                _quoted_string(ctx, quoted.group(1), base + quoted.start(), base + quoted.end())
            )
        t.value = StringList(strings, new_span(Span, (ctx.source, base, t.lexer.lexpos)))
        return t

    @ply.lex.TOKEN(_QUOTED_STRING)
    def t_STRING(self, t: Any) -> Any:
        t.value = _quoted_string(t.lexer.ctx, t.value[1:-1], t.lexpos, t.lexer.lexpos)
        return t

    def t_unterminated_string(self, t: Any) -> None:
        r'"'
        t.lexer.ctx.report_unterminated(
            "unterminated-string",
            t.lexpos,
            "this string is never closed",
            "add the closing '\"'; inside a string write \\\" for a quote and \\\\ for a backslash",
        )
        t.lexer.lexpos = len(t.lexer.lexdata)

    def t_MULTILINE(self, t: Any) -> Any:
        r"[Tt][Ee][Xx][Tt]:"
        return self._multiline(t)

    def t_TAG(self, t: Any) -> Any:
        r":[A-Za-z_][A-Za-z0-9_]*"
        t.value = Tag(
            t.value[1:].lower(), new_span(Span, (t.lexer.ctx.source, t.lexpos, t.lexer.lexpos))
        )
        return t

    def t_NUMBER(self, t: Any) -> Any:
        r"[0-9][A-Za-z0-9_]*(?:\.[0-9][A-Za-z0-9_]*)?"
        ctx: LexContext = t.lexer.ctx
        start, end = t.lexpos, t.lexer.lexpos
        parsed = _NUMBER.fullmatch(t.value)
        if parsed is None:
            ctx.report(
                "bad-number",
                start,
                end,
                f"'{t.value}' is not a number: Sieve numbers are whole",
                _whole_number_hint(t.value),
            )
            t.value = Number(0, "", new_span(Span, (ctx.source, start, end)))
            return t
        digits, suffix = parsed.groups()
        suffix = suffix or ""
        multiplier = _QUANTIFIERS.get(suffix.lower())
        if multiplier is None:
            ctx.report(
                "bad-number",
                start + len(digits),
                end,
                f"'{suffix}' is not a number quantifier",
                f"a number may end in K, M or G only (write {digits}K for {digits} kibi)",
            )
            multiplier = 1
        value = int(digits) * multiplier
        if value > MAX_NUMBER:
            ctx.report(
                "number-too-large",
                start,
                end,
                f"the number {t.value} is too large",
                f"numbers may be at most {MAX_NUMBER} (about 8E18)",
            )
            value = MAX_NUMBER
        quantifier = suffix.upper() if multiplier != 1 or not suffix else ""
        t.value = Number(value, quantifier, new_span(Span, (ctx.source, start, end)))
        return t

    def t_illegal(self, t: Any) -> None:
        r"""[^A-Za-z0-9_:"\#/ \t\r\n;,()\[\]{}]+|:|/"""
        t.lexer.ctx.report_illegal(t.value, t.lexpos, t.lexer.lexpos)

    def t_error(self, t: Any) -> None:  # pragma: no cover - t_illegal matches everything else
        t.lexer.ctx.report_illegal(t.value[0], t.lexpos, t.lexpos + 1)
        t.lexer.skip(1)

    # Helpers.

    def _comment(self, t: Any, text: str) -> None:
        ctx: LexContext = t.lexer.ctx
        ctx.comments.append(
            Comment(text, new_span(Span, (ctx.source, t.lexpos, t.lexpos + len(text))))
        )

    def _multiline(self, t: Any) -> Any:
        """RFC 5228 §2.4.2: `text:` up to a line holding a lone '.', with '..' unstuffed."""
        lexer = t.lexer
        ctx: LexContext = lexer.ctx
        data = lexer.lexdata
        header = _TEXT_HEADER.match(data, lexer.lexpos)
        if header is None or not header.group(2):
            bad_end = data.find("\n", lexer.lexpos)
            ctx.report(
                "bad-text-header",
                lexer.lexpos,
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
        if len(value) > ctx.max_string_length:
            ctx.report_long_string(value, t.lexpos)
        span = new_span(Span, (ctx.source, t.lexpos, end))
        ctx.text_blocks.append(span)
        t.value = String(value, True, span, data[t.lexpos : end])
        t.type = "MULTILINE"
        return t


def _whole_number_hint(text: str) -> str:
    """For `1.5M`, suggest the same amount as a whole number of a smaller unit."""
    decimal = re.fullmatch(r"([0-9]+\.[0-9]+)([KkMmGg]?)", text)
    if decimal is None:
        return "write a whole number, optionally followed by K, M or G"
    amount = float(decimal.group(1)) * _QUANTIFIERS[decimal.group(2).lower()]
    for unit in ("G", "M", "K"):
        scaled = amount / _QUANTIFIERS[unit.lower()]
        if scaled >= 1 and scaled == int(scaled):
            return f"write {int(scaled)}{unit} instead of {text}"
    return f"write {round(amount)} instead of {text}"


class Token:
    """The object PLY-style rule functions receive and return. One is reused for a whole
    scan: rules read and replace its fields, and the scanner copies them out."""

    __slots__ = ("type", "value", "lexpos", "lexer")

    def __init__(self, lexer: Any) -> None:
        self.type = ""
        self.value: Any = None
        self.lexpos = 0
        self.lexer = lexer


class Inserted(int):
    """The value of a token that error recovery inserted: the offset where it belongs."""


class Tokens:
    """A whole script's tokens as two parallel lists, which the parser indexes directly.
    Every value tells where its token is: punctuation carries its offset, a name is
    `(text, offset)`, anything else is a node with a span. The last token is `$end`, whose
    value is the length of the script."""

    __slots__ = ("types", "values")

    def __init__(self) -> None:
        self.types: list[str] = []
        self.values: list[Any] = []

    def insert(self, index: int, kind: str, offset: int) -> None:
        self.types.insert(index, kind)
        self.values.insert(index, Inserted(offset))

    def start_of(self, index: int) -> int:
        """Where token `index` starts in the source."""
        value = self.values[index]
        if type(value) is tuple:
            return value[1]
        span = getattr(value, "span", None)
        return span.start if span is not None else value

    def end_of(self, index: int) -> int:
        """Where token `index` ends in the source."""
        value = self.values[index]
        if self.types[index] == "$end" or isinstance(value, Inserted):
            return value
        if type(value) is tuple:
            return value[1] + len(value[0])
        span = getattr(value, "span", None)
        return span.end if span is not None else value + 1


def scan(lexer: Any, ctx: LexContext, text: str) -> Tokens:
    """Runs the lexer that PLY built from the rules above over the whole script.

    The loop walks PLY's master regular expression itself and hands PLY-style tokens to the
    rule functions: PLY's general-purpose `token()` loop costs more than all the rest of a
    parse, while the rules, their order and the master expression stay PLY's."""
    lexer.input(text)
    ((_, index),) = lexer.lexre  # our few rules always fit in one expression
    expression = lexer.skipping_whitespace
    match = expression.scanner(text).match  # each match starts where the last one ended
    tokens = Tokens()
    ctx.tokens = tokens
    types = tokens.types
    values = tokens.values
    add_type, add_value = types.append, values.append
    token = Token(lexer)
    words = WORD_TOKENS
    while (found := match()) is not None:
        group = found.lastindex
        rule, kind = index[group]
        if rule is None:
            if kind in words:
                start = found.start(group)
                add_type(kind)
                add_value((found.group(group), start))
            elif kind is not None:  # punctuation: one character, its offset is its value
                offset = found.end() - 1
                add_type(kind)
                add_value(offset)
            continue
        start = found.start(group)
        end = found.end()
        token.type = kind
        token.value = found.group(group)
        token.lexpos = start
        lexer.lexpos = end
        if rule(token) is not None:
            add_type(token.type)
            add_value(token.value)
        if lexer.lexpos != end:  # the rule read further itself (a text: string, say)
            match = expression.scanner(text, lexer.lexpos).match
    types.append("$end")
    values.append(len(text))
    return tokens


def _skipping_whitespace(master: Any) -> Any:
    """PLY's master expression with leading whitespace folded in, which halves the number of
    matches per token; group numbers stay the same."""
    return re.compile(r"[ \t\r\n]*(?:" + master.pattern + ")", master.flags)


_built: dict[type, Any] = {}
_build_lock = threading.Lock()


def tokenize(rules: type[StandardLexerRules], ctx: LexContext, text: str) -> Tokens:
    """The tokens of one script; PLY compiles the master expression once per rules class."""
    master = _built.get(rules)
    if master is None:
        with _build_lock:
            master = _built.get(rules)
            if master is None:
                master = ply.lex.lex(module=rules(), errorlog=ply.lex.NullLogger())
                # Built once here and copied to every clone, like PLY's own tables.
                ((expression, _),) = master.lexre
                master.skipping_whitespace = _skipping_whitespace(expression)
                _built[rules] = master
    lexer = master.clone()
    lexer.ctx = ctx
    return scan(lexer, ctx, text)
