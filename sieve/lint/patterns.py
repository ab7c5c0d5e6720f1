"""Reading `:matches` globs and `:regex` patterns as text, for the efficiency rules.

RFC 5228 §2.7.1: in `:matches`, `*` matches any run of characters, `?` exactly one, and a
backslash makes the next character literal. These helpers never build a regex from the
pattern, so hostile keys cost linear time.
"""

from __future__ import annotations

from dataclasses import dataclass

from sieve.runtime.matching import quote_wildcard

WILDCARDS = "*?"


@dataclass(frozen=True, slots=True)
class GlobPiece:
    """One character of a glob: a wildcard (`*`, `?`) or a literal character."""

    char: str
    wildcard: bool
    offset: int  # index in the pattern text where the piece starts


def glob_pieces(pattern: str) -> list[GlobPiece]:
    pieces: list[GlobPiece] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            pieces.append(GlobPiece(pattern[index + 1], False, index))
            index += 2
            continue
        pieces.append(GlobPiece(char, char in WILDCARDS, index))
        index += 1
    return pieces


def doubled_stars(pattern: str) -> list[int]:
    """Offsets of every run of two or more unescaped `*` (one offset per run)."""
    runs: list[int] = []
    previous_star = False
    run_start = -1
    length = 0
    for piece in glob_pieces(pattern):
        star = piece.wildcard and piece.char == "*"
        if star:
            if not previous_star:
                run_start, length = piece.offset, 0
            length += 1
            if length == 2:
                runs.append(run_start)
        previous_star = star
    return runs


def literal_text(pattern: str) -> str | None:
    """The text a wildcard-free glob matches (escapes undone), None if it has wildcards."""
    pieces = glob_pieces(pattern)
    if any(piece.wildcard for piece in pieces):
        return None
    return "".join(piece.char for piece in pieces)


def contains_form(pattern: str) -> str | None:
    """For `*text*` with a wildcard-free, non-empty middle: that text (escapes undone)."""
    pieces = glob_pieces(pattern)
    if len(pieces) < 3 or not (_is_star(pieces[0]) and _is_star(pieces[-1])):
        return None
    middle = pieces[1:-1]
    if any(piece.wildcard for piece in middle):
        return None
    return "".join(piece.char for piece in middle)


def _is_star(piece: GlobPiece) -> bool:
    return piece.wildcard and piece.char == "*"


_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")
# Escapes that stand for one literal character in POSIX extended and RE2 syntax.
_LITERAL_ESCAPES = set(".^$*+?()[]{}|\\/-:@#%&=<>!,;'\" ")


def regex_as_glob(pattern: str) -> str | None:
    """The `:matches` glob equivalent to an unanchored regex search for `pattern`, when the
    pattern is only literals, `.`, `.*` and end anchors; None when it needs a regex.

    RFC 5231-style :regex (draft-ietf-sieve-regex) searches, so an unanchored side matches
    any text there: `^abc` is the glob `abc*`."""
    if not pattern:
        return None
    index = 0
    glob: list[str] = []
    anchored_start = pattern.startswith("^")
    if anchored_start:
        index = 1
    end = len(pattern)
    anchored_end = pattern.endswith("$") and not _escaped(pattern, end - 1)
    if anchored_end:
        end -= 1
    while index < end:
        char = pattern[index]
        if char == "\\":
            if index + 1 >= end or pattern[index + 1] not in _LITERAL_ESCAPES:
                return None
            glob.append(quote_wildcard(pattern[index + 1]))
            index += 2
            continue
        following = pattern[index + 1] if index + 1 < end else ""
        if char == "." and following == "*":
            if index + 2 < end and pattern[index + 2] in "?+*{":
                return None
            glob.append("*")
            index += 2
            continue
        if char == "." and following not in ("*", "+", "?", "{"):
            glob.append("?")
            index += 1
            continue
        if char in _REGEX_SPECIAL:
            return None
        if following in ("*", "+", "?", "{"):
            return None
        glob.append(quote_wildcard(char))
        index += 1
    body = "".join(glob)
    if not anchored_start and not body.startswith("*"):
        body = "*" + body
    if not anchored_end and not (body.endswith("*") and not body.endswith("\\*")):
        body += "*"
    return body


def _escaped(pattern: str, index: int) -> bool:
    slashes = 0
    index -= 1
    while index >= 0 and pattern[index] == "\\":
        slashes += 1
        index -= 1
    return slashes % 2 == 1


def quote(value: str) -> str:
    """A Sieve quoted string holding `value` (RFC 5228 §2.4.2: escape `"` and `\\`)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
