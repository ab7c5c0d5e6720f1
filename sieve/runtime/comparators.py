"""Comparators (RFC 4790 collations as Sieve uses them, RFC 5228 §2.7.3): how two strings are
compared for equality, substring and order.

Each comparator reduces a string to a canonical form once, so the match types in
`sieve.runtime.matching` fold every value a single time and compare plain strings; the key
lists are folded once when a test is compiled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol


class MatchError(Exception):
    """A match that cannot be carried out: an unknown comparator, a match type the comparator
    has no operation for, a regular expression RE2 rejects. `code` is stable for programs,
    `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Comparator(Protocol):
    """What the match types need from a comparator. `key` and `compare_keys` exist so a
    match folds each key once at compile time and each value once per test, rather than
    both on every comparison."""

    name: str
    # Whether the comparator has a substring operation (RFC 4790 §4.2.2); without one,
    # :contains, :matches and :regex are errors.
    substring: bool

    def equals(self, value: str, key: str) -> bool: ...

    def contains(self, value: str, key: str) -> bool: ...

    def order(self, value: str, key: str) -> int: ...

    def fold(self, text: str) -> str:
        """The canonical text :contains, :matches and :regex work on."""
        ...

    def key(self, text: str) -> str | None:
        """What equality and order compare: two strings are equal exactly when their keys
        are (None is i;ascii-numeric's infinity)."""
        ...

    def compare_keys(self, a: str | None, b: str | None) -> int:
        """-1, 0 or 1 as `a` sorts before, with or after `b` (both from `key`)."""
        ...

    def units(self, text: str) -> Units | None:
        """How `?` steps through the folded text, when not one character at a time."""
        ...


@dataclass(frozen=True, slots=True)
class Units:
    """A value split into the characters `?` matches, for a comparator whose folding changes
    lengths (i;unicode-casemap turns "ß" into "SS" and "é" into "E" + U+0301).

    `starts[i]` is where unit i begins in `text` (the folded value) and `origins[i]` where it
    begins in the original value; both end with the two lengths. `index` maps a unit start
    in `text` to its number, so "is this a unit boundary?" is one dict lookup."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    index: dict[int, int]


class _Textual:
    """Shared by the comparators whose canonical form is a string compared octet by octet:
    equality, substring and order are those of i;octet on `fold` (RFC 4790 §4.2)."""

    name = ""
    substring = True

    def fold(self, text: str) -> str:
        raise NotImplementedError

    def key(self, text: str) -> str | None:
        return self.fold(text)

    def compare_keys(self, a: str | None, b: str | None) -> int:
        a, b = a or "", b or ""
        return (a > b) - (a < b)

    def equals(self, value: str, key: str) -> bool:
        return self.fold(value) == self.fold(key)

    def contains(self, value: str, key: str) -> bool:
        return self.fold(key) in self.fold(value)

    def order(self, value: str, key: str) -> int:
        return self.compare_keys(self.fold(value), self.fold(key))

    def units(self, text: str) -> Units | None:
        # Folding keeps every code point in place, so `?` is one character of the fold.
        return None


class Octet(_Textual):
    """RFC 4790 §9.3 "i;octet": the strings' octets as they are. Python compares strings by
    code point, which orders exactly as their UTF-8 octets do."""

    name = "i;octet"

    @staticmethod
    def fold(text: str) -> str:
        return text

    key = fold


def _ascii_upper(text: str) -> str:
    """Upper-cases a-z only. `str.upper` would also change "é" and "ß", which
    i;ascii-casemap must leave alone; `bytes.upper` touches ASCII letters only, and the
    round trip keeps every code point (and any surrogate escapes) where it was."""
    if text.isascii():
        return text.upper()
    return text.encode("utf-8", "surrogatepass").upper().decode("utf-8", "surrogatepass")


class AsciiCasemap(_Textual):
    """RFC 4790 §9.2 "i;ascii-casemap": i;octet after mapping a-z to A-Z (upper case, so the
    order puts "_" after letters as the RFC's does). The default comparator (RFC 5228 §2.7.3)."""

    name = "i;ascii-casemap"
    # Bound straight to the function: this runs once per value on every test.
    fold = key = staticmethod(_ascii_upper)


_UPPER_ASCII = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}


def _unicode_fold(text: str) -> str:
    """RFC 5051 §2 canonicalises with the titlecase mapping and full (compatibility)
    decomposition. We use Unicode's compatibility caseless form instead (NFKD of the full
    case folding, Unicode §3.13 D146), which also equates "ß" with "ss", then map a-z back to
    A-Z so that ASCII strings fold, and sort, exactly as the RFC's titlecase does."""
    if text.isascii():
        return text.upper()
    normalize = unicodedata.normalize
    folded = normalize("NFKD", normalize("NFKD", normalize("NFD", text).casefold()).casefold())
    return folded.translate(_UPPER_ASCII)


def _segments(text: str) -> list[tuple[int, int]]:
    """Splits at each character that starts a new combining sequence (canonical combining
    class 0), so a letter and its accents stay one unit. Decomposition only reorders
    combining marks inside such a run, so folding the runs one by one gives the same text as
    folding the whole string."""
    bounds = [0]
    combining = unicodedata.combining
    for i in range(1, len(text)):
        if not combining(text[i]):
            bounds.append(i)
    bounds.append(len(text))
    return [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]


class UnicodeCasemap(_Textual):
    """RFC 5051 "i;unicode-casemap": case-insensitive for all of Unicode, compatibility
    characters equal to what they decompose to ("ﬁ" is "fi")."""

    name = "i;unicode-casemap"
    fold = key = staticmethod(_unicode_fold)

    def units(self, text: str) -> Units | None:
        """For :matches: `?` stands for one character as the user sees it, a base letter
        with its accents ("é"), whatever it folds to."""
        if text.isascii():
            return None
        pieces: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        at = 0
        for begin, end in _segments(text):
            piece = _unicode_fold(text[begin:end])
            if not piece:  # a unit that folds to nothing joins the next one
                continue
            starts.append(at)
            origins.append(begin)
            pieces.append(piece)
            at += len(piece)
        starts.append(at)
        origins.append(len(text))
        index = {start: i for i, start in enumerate(starts)}
        return Units("".join(pieces), tuple(starts), tuple(origins), index)


_LEADING_DIGITS = re.compile(r"[0-9]*")


def numeric_value(text: str) -> str | None:
    """RFC 4790 §9.1.1: the number a string starts with, as its digits without leading zeros
    ("0" for zero), or None for positive infinity (no leading digit). Kept as text: a
    script may compare numbers with thousands of digits, which `int()` refuses."""
    digits = _LEADING_DIGITS.match(text)
    if digits is None or not digits.group():
        return None
    return digits.group().lstrip("0") or "0"


class AsciiNumeric:
    """RFC 4790 §9.1 "i;ascii-numeric": compares the decimal numbers the strings start with;
    a string that does not start with a digit is positive infinity, equal to any other such
    string and greater than every number. It has equality and order but no substring
    operation, so :contains, :matches and :regex with it are errors."""

    name = "i;ascii-numeric"
    substring = False

    def key(self, text: str) -> str | None:
        return numeric_value(text)

    def compare_keys(self, a: str | None, b: str | None) -> int:
        return compare_numbers(a, b)

    def equals(self, value: str, key: str) -> bool:
        return numeric_value(value) == numeric_value(key)

    def contains(self, value: str, key: str) -> bool:
        raise _no_substring(self.name)

    def order(self, value: str, key: str) -> int:
        return compare_numbers(numeric_value(value), numeric_value(key))

    def fold(self, text: str) -> str:
        raise _no_substring(self.name)

    def units(self, text: str) -> Units | None:
        raise _no_substring(self.name)


def compare_numbers(a: str | None, b: str | None) -> int:
    """Orders two `numeric_value` results; None (infinity) equals None and exceeds numbers.
    Without leading zeros, a longer digit string is a larger number."""
    if a is None or b is None:
        return (a is None) - (b is None)
    return (len(a) > len(b)) - (len(a) < len(b)) or (a > b) - (a < b)


def _no_substring(name: str) -> MatchError:
    return MatchError(
        "comparator-no-substring",
        f"the comparator '{name}' has no substring operation "
        "(RFC 4790 §9.1), so it cannot be used with :contains, :matches or :regex",
    )


COMPARATORS: dict[str, Comparator] = {
    c.name: c for c in (Octet(), AsciiCasemap(), UnicodeCasemap(), AsciiNumeric())
}


def comparator(name: str) -> Comparator:
    """The comparator called `name` (case-insensitive, as RFC 4790 §3.1 says of collation
    names). Raises MatchError for a name nobody implements."""
    found = COMPARATORS.get(name.lower())
    if found is None:
        raise MatchError("unknown-comparator", f"unknown comparator '{name}'")
    return found
