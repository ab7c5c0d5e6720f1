"""Pygments lexer for the Sieve mail filtering language (RFC 5228).

We ship our own lexer instead of relying on the one bundled with Pygments,
because that one mis-lexes constructs that occur in real scripts: escaped
quotes inside quoted strings, multi-line bracket comments, dot-stuffed
``text:`` multi-line strings, and identifiers it does not know about (which
it reports as ``Error``).

Token choices:

* control commands (``require``, ``if``, ``stop`` ...)   -> ``Keyword``
* action commands (``keep``, ``fileinto`` ...)           -> ``Name.Builtin``
* test names (``header``, ``allof`` ...)                  -> ``Name.Function``
  (a test behaves like a boolean function applied to its arguments)
* any other identifier                                   -> ``Name``
* tagged arguments (``:is``, ``:over`` ...)               -> ``Name.Tag``
* numbers with optional ``K``/``M``/``G`` quantifier     -> ``Number.Integer``
* quoted strings                                         -> ``String.Double``,
  with variable references such as ``${name}`` or ``${hex:41}`` inside them
  as ``String.Interpol``
* ``text:`` multi-line strings                           -> ``String.Heredoc``
  (the ``text:`` marker, and the whole body including the closing ``.`` line)
* ``#`` comments / bracket comments                      -> ``Comment.Single``
  / ``Comment.Multiline``
* ``; , ( ) [ ] { }``                                    -> ``Punctuation``
* spaces, tabs and line breaks                           -> ``Whitespace``

An unterminated quoted string, bracket comment or ``text:`` string runs to the
end of the input; its opening delimiter is reported as ``Error`` so that the
problem is visible.  Any other character that cannot start a Sieve token is a
one-character ``Error`` token.  Concatenating the values produced by
``get_tokens_unprocessed`` always reproduces the input exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from pygments.lexer import LexerContext, RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Whitespace,
    _TokenType,
)

from sieve.syntax.names import ACTION_COMMANDS, CONTROL_COMMANDS, TEST_NAMES

__all__ = ["SieveLexer"]

_TokenTuple = tuple[int, _TokenType, str]

# Sieve identifiers and keywords are ASCII-only and case-insensitive.
_FLAGS = re.IGNORECASE | re.ASCII

_IDENT = r"[a-z_][a-z0-9_]*"
_NOT_IDENT_CHAR = r"(?![a-z0-9_])"

# Variable references (RFC 5229: ``${name}``, ``${ns.name}``, ``${1}``) and
# encoded characters (RFC 5228 section 2.4.2.4: ``${hex:41 42}``,
# ``${unicode:263a}``) inside quoted strings.
_INTERPOLATION = re.compile(
    r"\$\{(?:"
    rf"{_IDENT}(?:\.{_IDENT})*"
    r"|[0-9]+"
    r"|(?:hex|unicode):[ \t\r\n0-9a-f]*"
    r")\}",
    _FLAGS,
)


# ``text:`` header: optional blanks, then a hash comment or a line break.
_TEXT_HEADER = r"(text:)([ \t]*)(#[^\r\n]*)?(\r?\n)"
# Body lines up to (and including) a line consisting of a single ".".
# Lines starting with ".." are dot-stuffed content, not the terminator.
# A final "." without a line break at end of input is accepted as well.
_TEXT_BODY = r"((?:(?!\.\r?(?:\n|\Z))[^\n]*\n)*\.\r?(?:\n|\Z))"


def _string_parts(start: int, text: str) -> Iterator[_TokenTuple]:
    """Split quoted-string text into String.Double and String.Interpol."""
    pos = 0
    for match in _INTERPOLATION.finditer(text):
        if match.start() > pos:
            yield start + pos, String.Double, text[pos : match.start()]
        yield start + match.start(), String.Interpol, match.group()
        pos = match.end()
    if pos < len(text):
        yield start + pos, String.Double, text[pos:]


def _quoted_string(
    lexer: RegexLexer, match: re.Match[str], ctx: LexerContext | None = None
) -> Iterator[_TokenTuple]:
    """A complete quoted string, quotes included."""
    yield from _string_parts(match.start(), match.group())


def _unterminated_string(
    lexer: RegexLexer, match: re.Match[str], ctx: LexerContext | None = None
) -> Iterator[_TokenTuple]:
    """A quoted string that runs to the end of the input."""
    yield match.start(), Error, match.group()[0]
    yield from _string_parts(match.start() + 1, match.group()[1:])


class SieveLexer(RegexLexer):
    """Lexer for Sieve mail filter scripts (RFC 5228 and extensions)."""

    name = "Sieve (RFC 5228)"
    # Pygments looks up its built-in lexers before plugins, so the name "sieve" keeps
    # finding the built-in one; ours is reached as "sieve-rfc5228" (pygmentize -l ...).
    aliases: ClassVar[list[str]] = ["sieve-rfc5228", "sieve"]
    filenames: ClassVar[list[str]] = ["*.sieve", "*.siv", "*.svtest"]
    mimetypes: ClassVar[list[str]] = ["application/sieve"]
    url = "https://www.rfc-editor.org/rfc/rfc5228"

    flags = _FLAGS
    # Do not append a newline: token values must reproduce the input exactly.
    ensurenl = False

    # No rule may match the empty string (that would loop forever), and every
    # "unterminated" fallback consumes the rest of the input, so lexing stays
    # linear even on hostile input.
    tokens: ClassVar[dict[str, list]] = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"#[^\r\n]*", Comment.Single),
            # Bracket comments do not nest: the first "*/" ends them.
            (r"/\*[\s\S]*?\*/", Comment.Multiline),
            (r"(/\*)([\s\S]*)", bygroups(Error, Comment.Multiline)),
            # Only \" and \\ are escapes, but consuming any backslash pair as
            # a unit is equivalent: "\n" is two ordinary characters either way.
            (r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"', _quoted_string),
            (r'"[\s\S]*', _unterminated_string),
            (
                _TEXT_HEADER + _TEXT_BODY,
                bygroups(
                    String.Heredoc,
                    Whitespace,
                    Comment.Single,
                    Whitespace,
                    String.Heredoc,
                ),
            ),
            (
                _TEXT_HEADER + r"([\s\S]*)",
                bygroups(Error, Whitespace, Comment.Single, Whitespace, String.Heredoc),
            ),
            (":" + _IDENT, Name.Tag),
            (r"[0-9]+[kmg]?", Number.Integer),
            (words(CONTROL_COMMANDS, suffix=_NOT_IDENT_CHAR), Keyword),
            (words(ACTION_COMMANDS, suffix=_NOT_IDENT_CHAR), Name.Builtin),
            (words(TEST_NAMES, suffix=_NOT_IDENT_CHAR), Name.Function),
            (_IDENT, Name),
            (r"[;,()\[\]{}]", Punctuation),
        ],
    }
