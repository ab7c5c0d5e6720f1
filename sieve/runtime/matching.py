"""Match types (RFC 5228 §2.7.1, RFC 5231 relational, draft-ietf-sieve-regex): does a test's
list of values match its key list, and what do the match variables ${0}..${9} hold then
(RFC 5229 §3.2).

This is the hot path of a mail pipeline and the keys come from hostile scripts, so:
- a `Matcher` compiles its key list once; globs and regular expressions are also cached
  across Matchers (keys holding variables are rebuilt for every message);
- each value is folded once per test, not once per key;
- nothing backtracks: :matches runs in O(value × pattern) at worst, and usually as a few
  `str.find` calls; :regex runs on RE2, linear in the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import re2

from sieve.runtime.comparators import Comparator, MatchError, Units, comparator

__all__ = [
    "MAX_MATCH_VARIABLES",
    "Glob",
    "MatchError",
    "MatchResult",
    "Matcher",
    "glob_to_matcher",
    "quote_regex",
    "quote_wildcard",
]

# RFC 5229 §3.2: the match variables are ${0} to ${9}; wildcards after the ninth set nothing.
MAX_MATCH_VARIABLES = 10

MATCH_TYPES = ("is", "contains", "matches", "regex", "count", "value")

# RFC 5231 §4: the relational operators, as tests of a comparison result (-1, 0, 1).
RELATIONS: dict[str, Callable[[int], bool]] = {
    "gt": lambda order: order > 0,
    "ge": lambda order: order >= 0,
    "lt": lambda order: order < 0,
    "le": lambda order: order <= 0,
    "eq": lambda order: order == 0,
    "ne": lambda order: order != 0,
}

# Patterns longer than this are compiled for each use instead of cached, so a script cannot
# fill the caches with megabytes of keys.
_CACHE_PATTERN_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class MatchResult:
    matched: bool
    # ${0}.. from the first successful :matches/:regex (value, key) pair, when asked for.
    captures: tuple[str, ...] | None = None


_NO = MatchResult(False)
_YES = MatchResult(True)


# --- :matches --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Segment:
    """The pattern between two `*`: literal runs (already folded) and runs of `?` (ints)."""

    tokens: tuple[str | int, ...]
    # Length in characters when `?` is one character (every comparator but
    # i;unicode-casemap on non-ASCII text).
    width: int
    # Without `?`: the segment's text, which `str.find` and `str.startswith` look for.
    literal: str
    # With `?`: the same as an `re` pattern of literals and `.{n}` only, which cannot
    # backtrack (no alternation, no variable repeat) and runs in C.
    regex: re.Pattern[str] | None


def _segment(tokens: list[str | int]) -> _Segment:
    width = sum(len(t) if isinstance(t, str) else t for t in tokens)
    if all(isinstance(t, str) for t in tokens):  # at most one: literals are merged
        return _Segment(tuple(tokens), width, "".join(map(str, tokens)), None)
    source = "".join(re.escape(t) if isinstance(t, str) else f".{{{t}}}" for t in tokens)
    return _Segment(tuple(tokens), width, "", re.compile(source, re.DOTALL))


def _parse_glob(pattern: str, fold: Callable[[str], str]) -> list[_Segment]:
    """Splits a :matches key at its `*`s. RFC 5228 §2.7.1: `\\` makes the next character
    literal (`\\*` is a star, `\\\\` a backslash, `\\a` just "a", as Pigeonhole does); a
    lone `\\` at the very end stands for itself."""
    segments: list[_Segment] = []
    tokens: list[str | int] = []
    literal: list[str] = []

    def flush_literal() -> None:
        if literal:
            tokens.append(fold("".join(literal)))
            literal.clear()

    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            literal.append(pattern[i + 1] if i + 1 < n else "\\")
            i += 2
            continue
        if char == "*":
            flush_literal()
            segments.append(_segment(tokens))
            tokens = []
        elif char == "?":
            flush_literal()
            if tokens and isinstance(tokens[-1], int):
                tokens[-1] += 1
            else:
                tokens.append(1)
        else:
            literal.append(char)
        i += 1
    flush_literal()
    segments.append(_segment(tokens))
    return segments


class Glob:
    """A compiled :matches key. `*` matches as little as it can, leftmost first, and the last
    one takes the rest: "*.*" on "a.b.c" gives "a" and "b.c", "[*] *" on "[x] [y] z" gives
    "x" and "[y] z" (RFC 5229 §3.2's example). Pigeonhole captures the same wherever its
    own matcher is right (it has bugs with `?` before a literal).

    Matching places each segment between stars at its leftmost possible position: the first
    and last segments are pinned to the ends, each middle one is found by search after the
    previous. Taking the leftmost place never loses a match (it leaves the most room for
    the rest), so there is no backtracking; the search is `str.find`, or for segments with
    `?` a fixed-width `re` search, both in C."""

    __slots__ = ("pattern", "comparator", "weight", "_segments", "_quick")

    def __init__(self, pattern: str, comparator: Comparator) -> None:
        self.pattern = pattern
        self.comparator = comparator
        self._segments = _parse_glob(pattern, comparator.fold)
        self._quick = self._shortcut()
        # Work per value character, at worst: a segment with `?` may be tried at every
        # position, each try reading up to its tokens (or its width, in C).
        self.weight = 1 + max(
            (max(s.width, len(s.tokens)) for s in self._segments if s.regex is not None),
            default=0,
        )

    def _shortcut(self) -> Callable[[str], bool] | None:
        """The common shapes ("x", "x*", "*x", "*x*", "*") as one string operation."""
        segments = self._segments
        if any(s.regex is not None for s in segments) or len(segments) > 3:
            return None
        if len(segments) == 1:
            literal = segments[0].literal
            return literal.__eq__
        first, last = segments[0].literal, segments[-1].literal
        if len(segments) == 2:
            if not first:
                return (lambda text: True) if not last else (lambda text: text.endswith(last))
            if not last:
                return lambda text: text.startswith(first)
            return None
        if not first and not last:
            middle = segments[1].literal
            return lambda text: middle in text
        return None

    def match(self, value: str) -> tuple[str, ...] | None:
        """${0}, ${1}.. (at most MAX_MATCH_VARIABLES) if `value` matches, else None."""
        return self._captures(value, *_prepare(self.comparator, value))

    def test(self, value: str) -> bool:
        return self._test(*_prepare(self.comparator, value))

    # The Matcher folds a value once and calls these for each of its keys.

    def _test(self, folded: str, units: Units | None) -> bool:
        if units is None:
            if self._quick is not None:
                return self._quick(folded)
            return self._place(folded) is not None
        return self._place_units(units) is not None

    def _captures(self, value: str, folded: str, units: Units | None) -> tuple[str, ...] | None:
        if units is None:
            starts = self._place(folded)
            return None if starts is None else self._cut(value, starts)
        placed = self._place_units(units)
        return None if placed is None else self._cut_units(value, units, placed)

    # --- one character per `?` ---

    def _place(self, text: str) -> list[int] | None:
        """Where each segment starts, or None if the value does not match."""
        segments = self._segments
        first, last = segments[0], segments[-1]
        n = len(text)
        if len(segments) == 1:
            return [0] if first.width == n and _at(first, text, 0) else None
        low, high = first.width, n - last.width
        if high < low or not _at(first, text, 0) or not _at(last, text, high):
            return None
        starts = [0]
        for segment in segments[1:-1]:
            start = _find(segment, text, low, high)
            if start < 0:
                return None
            starts.append(start)
            low = start + segment.width
        starts.append(high)
        return starts

    def _cut(self, value: str, starts: list[int]) -> tuple[str, ...]:
        captures = [value]
        end = 0
        for number, (segment, start) in enumerate(zip(self._segments, starts, strict=True)):
            if len(captures) >= MAX_MATCH_VARIABLES:
                break
            if number:
                captures.append(value[end:start])  # the `*` before this segment
            at = start
            for token in segment.tokens:
                if isinstance(token, str):
                    at += len(token)
                    continue
                captures.extend(value[at + k] for k in range(min(token, MAX_MATCH_VARIABLES)))
                at += token
            end = at
        return tuple(captures[:MAX_MATCH_VARIABLES])

    # --- one unit (a letter with its accents) per `?`, for i;unicode-casemap ---

    def _place_units(self, units: Units) -> list[tuple[int, int]] | None:
        """Like `_place`, with segments whose length depends on where they fall: the last
        one is matched backwards from the end. Returns (start, end) per segment."""
        segments = self._segments
        text = units.text
        n = len(text)
        first, last = segments[0], segments[-1]
        low = _at_units(first, units, 0, n)
        if len(segments) == 1:
            return [(0, n)] if low == n else None
        high = _back_units(last, units, n, low) if low >= 0 else -1
        if high < 0:
            return None
        placed = [(0, low)]
        for segment in segments[1:-1]:
            start, end = _find_units(segment, units, low, high)
            if start < 0:
                return None
            placed.append((start, end))
            low = end
        placed.append((high, n))
        return placed

    def _cut_units(
        self, value: str, units: Units, placed: list[tuple[int, int]]
    ) -> tuple[str, ...]:
        index, starts, origins = units.index, units.starts, units.origins
        captures = [value]
        end = 0
        for number, (segment, (start, stop)) in enumerate(zip(self._segments, placed, strict=True)):
            if len(captures) >= MAX_MATCH_VARIABLES:
                break
            if number:
                captures.append(value[origins[index[end]] : origins[index[start]]])
            at = start
            for token in segment.tokens:
                if isinstance(token, str):
                    at += len(token)
                    continue
                unit = index[at]
                for k in range(min(token, MAX_MATCH_VARIABLES)):
                    captures.append(value[origins[unit + k] : origins[unit + k + 1]])
                at = starts[unit + token]
            end = stop
        return tuple(captures[:MAX_MATCH_VARIABLES])


def _prepare(comparator: Comparator, value: str) -> tuple[str, Units | None]:
    """The folded value, and its units when `?` is not one character of it."""
    units = comparator.units(value)
    return (comparator.fold(value) if units is None else units.text), units


def _at(segment: _Segment, text: str, start: int) -> bool:
    """Does the segment match at `start`? (The caller has checked it fits.)"""
    if segment.regex is not None:
        return segment.regex.match(text, start) is not None
    return text.startswith(segment.literal, start)


def _find(segment: _Segment, text: str, low: int, high: int) -> int:
    """The leftmost start in [low, high - width] where the segment matches, or -1."""
    if high - low < segment.width:
        return -1
    if segment.regex is not None:
        found = segment.regex.search(text, low, high)
        return -1 if found is None else found.start()
    return text.find(segment.literal, low, high)


def _at_units(segment: _Segment, units: Units, start: int, limit: int) -> int:
    """Where the segment ends when matched from unit boundary `start`, or -1. Literals must
    begin and end on unit boundaries: "s" does not match half of "ß" (folded "SS")."""
    text, index, starts = units.text, units.index, units.starts
    at = start
    for token in segment.tokens:
        if isinstance(token, str):
            if not text.startswith(token, at):
                return -1
            at += len(token)
            if at not in index:
                return -1
        else:
            unit = index[at] + token
            if unit >= len(starts):
                return -1
            at = starts[unit]
        if at > limit:
            return -1
    return at


def _back_units(segment: _Segment, units: Units, end: int, low: int) -> int:
    """Where the segment starts when matched backwards to end at `end`, or -1."""
    text, index, starts = units.text, units.index, units.starts
    at = end
    for token in reversed(segment.tokens):
        if isinstance(token, str):
            at -= len(token)
            if at < low or at not in index or not text.startswith(token, at):
                return -1
        else:
            unit = index[at] - token
            if unit < 0:
                return -1
            at = starts[unit]
            if at < low:
                return -1
    return at


def _find_units(segment: _Segment, units: Units, low: int, high: int) -> tuple[int, int]:
    """The leftmost (start, end) in [low, high] where the segment matches, or (-1, -1).
    Candidates are the places of its first literal, or every unit boundary if it starts
    with `?`: O(units × tokens) at worst."""
    text, starts = units.text, units.starts
    head = segment.tokens[0] if segment.tokens else None
    if isinstance(head, str):
        at = text.find(head, low, high)
        while at >= 0:
            if at in units.index:
                end = _at_units(segment, units, at, high)
                if end >= 0:
                    return at, end
            at = text.find(head, at + 1, high)
        return -1, -1
    for unit in range(units.index[low], len(starts)):
        at = starts[unit]
        if at > high:
            break
        end = _at_units(segment, units, at, high)
        if end >= 0:
            return at, end
    return -1, -1


def glob_to_matcher(pattern: str, comparator: Comparator) -> Glob:
    """The compiled :matches key, from a bounded cache keyed by (pattern, comparator)."""
    if len(pattern) > _CACHE_PATTERN_LIMIT:
        return Glob(pattern, comparator)
    return _cached_glob(pattern, comparator.name)


@lru_cache(maxsize=1024)
def _cached_glob(pattern: str, comparator_name: str) -> Glob:
    return Glob(pattern, comparator(comparator_name))


def quote_wildcard(text: str) -> str:
    """RFC 5229 §4.1 :quotewildcard: a backslash before each `*`, `?` and `\\`, so the text
    matches only itself as a :matches key."""
    return re.sub(r"([*?\\])", r"\\\1", text)


# draft-ietf-sieve-regex §4 :quoteregex: the characters special in a regular expression.
_REGEX_SPECIAL = re.compile(r"([\\^$.\[\]|()?*+{}])")


def quote_regex(text: str) -> str:
    """draft-ietf-sieve-regex :quoteregex: a backslash before each character that is special
    in a regular expression, so the text matches only itself as a :regex key."""
    return _REGEX_SPECIAL.sub(r"\\\1", text)


# --- :regex ----------------------------------------------------------------------------------


def _compile_regex(pattern: str, caseless: bool, max_mem: int, capture: bool) -> re2._Regexp:
    if len(pattern) > _CACHE_PATTERN_LIMIT:
        return _new_regex(pattern, caseless, max_mem, capture)
    return _cached_regex(pattern, caseless, max_mem, capture)


@lru_cache(maxsize=128)
def _cached_regex(pattern: str, caseless: bool, max_mem: int, capture: bool) -> re2._Regexp:
    return _new_regex(pattern, caseless, max_mem, capture)


def _new_regex(pattern: str, caseless: bool, max_mem: int, capture: bool) -> re2._Regexp:
    """RE2 runs in time linear in the text, whatever the pattern."""
    try:
        return re2.compile(_pattern_bytes(pattern), _options(caseless, max_mem, capture))
    except re2.error as error:
        reason = _reason(error)
        code = "regex-too-large" if "too large" in reason else "bad-regex"
        raise MatchError(code, f"invalid regular expression '{pattern}': {reason}") from None


def regex_error(pattern: str) -> str | None:
    """Why RE2 refuses a constant `:regex` key, compiled as a run compiles it (with RE2's
    default memory bound), or None. The checker asks here, so a key it accepts is one the
    VM can compile."""
    try:
        re2.compile(_pattern_bytes(pattern), _options(False, re2.Options().max_mem, False))
    except re2.error as error:
        return _reason(error)
    return None


def _options(caseless: bool, max_mem: int, capture: bool) -> re2.Options:
    """The regex draft means POSIX extended expressions as regcomp() runs them, so: the
    leftmost-longest match, `.` and `[^x]` match a newline, and no captures unless they
    are read."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = max_mem
    options.case_sensitive = not caseless
    options.longest_match = True
    options.dot_nl = True
    options.never_capture = not capture
    return options


def _pattern_bytes(pattern: str) -> bytes:
    # Compiled as bytes and run on UTF-8 bytes: RE2's native form, cheaper per call.
    return pattern.encode("utf-8", "surrogatepass")


def _reason(error: re2.error) -> str:
    reason = error.args[0] if error.args else error
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _decode(group: bytes | None) -> str:
    if group is None:
        return ""
    try:
        return group.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # a capture that cuts an escaped non-UTF-8 byte in two
        return group.decode("utf-8", "replace")


# --- the matcher -----------------------------------------------------------------------------


class Matcher:
    """A match type + comparator + (relational operator) + key list, compiled once.

    `test(values)` is true when any value matches any key (RFC 5228 §2.7); with
    `captures=True` it also returns ${0}..${9} of the first matching pair, values tried in
    order and each against the keys in order, as Pigeonhole does."""

    __slots__ = (
        "match_type",
        "comparator",
        "relation",
        "keys",
        "captures",
        "_run",
        "_compiled",
        "_weight",
    )

    def __init__(
        self,
        match_type: str = "is",
        comparator: str = "i;ascii-casemap",
        relation: str | None = None,
        keys: Sequence[str] = (),
        *,
        captures: bool = False,
        regex_max_mem: int = 8 << 20,
    ) -> None:
        match_type = match_type.lower().removeprefix(":")
        if match_type not in MATCH_TYPES:
            raise MatchError("unknown-match-type", f"unknown match type ':{match_type}'")
        self.match_type = match_type
        self.comparator = _comparator_for(match_type, comparator)
        self.relation = _relation_for(match_type, relation)
        self.keys = tuple(keys)
        self.captures = captures
        self._compiled: object = None
        self._run: Callable[[Sequence[str]], MatchResult] = getattr(self, "_" + match_type)
        getattr(self, "_compile_" + match_type)(regex_max_mem)
        self._weight = self._work_per_character()

    def test(self, values: Sequence[str]) -> MatchResult:
        return self._run(values)

    def cost(self, values: Sequence[str]) -> int:
        """An estimate, in characters examined, of what `test(values)` may do at worst, so
        the VM can charge a hostile pattern against its step budget before running it
        (a `?`-laden :matches key is O(value × key))."""
        if self.match_type in ("value", "count"):
            return max(1, len(values)) * max(1, len(self.keys))
        return len(values) + sum(map(len, values)) * self._weight

    def _work_per_character(self) -> int:
        compiled = self._compiled
        if self.match_type == "matches":
            assert isinstance(compiled, tuple)
            return sum(glob.weight for glob in compiled) or 1
        if self.match_type == "regex":
            # RE2 is linear in the text, but when its DFA runs out of memory it falls back
            # to an NFA costing text x program size: `.{1000}x` on 300 KB is seconds of CPU
            # in one call. A program of 64 instructions or fewer counts as one pass.
            assert isinstance(compiled, tuple)
            return sum(1 + regex.programsize // 64 for regex in compiled) or 1
        if self.match_type == "contains":
            return max(1, len(self.keys))
        return 1

    # :is -- RFC 5228 §2.7.1: equality under the comparator, a set lookup per value.

    def _compile_is(self, max_mem: int) -> None:
        self._compiled = frozenset(self.comparator.key(k) for k in self.keys)

    def _is(self, values: Sequence[str]) -> MatchResult:
        keys, key = self._compiled, self.comparator.key
        assert isinstance(keys, frozenset)
        for value in values:
            if key(value) in keys:
                return _YES
        return _NO

    # :contains -- RFC 5228 §2.7.1: the comparator's substring operation.

    def _compile_contains(self, max_mem: int) -> None:
        self._compiled = tuple(dict.fromkeys(self.comparator.fold(k) for k in self.keys))

    def _contains(self, values: Sequence[str]) -> MatchResult:
        keys, fold = self._compiled, self.comparator.fold
        assert isinstance(keys, tuple)
        for value in values:
            folded = fold(value)
            for key in keys:
                if key in folded:
                    return _YES
        return _NO

    # :matches -- RFC 5228 §2.7.1 wildcards, RFC 5229 §3.2 captures.

    def _compile_matches(self, max_mem: int) -> None:
        self._compiled = tuple(glob_to_matcher(k, self.comparator) for k in self.keys)

    def _matches(self, values: Sequence[str]) -> MatchResult:
        globs, comparator = self._compiled, self.comparator
        assert isinstance(globs, tuple)
        if not globs:
            return _NO
        for value in values:
            folded, units = _prepare(comparator, value)
            for glob in globs:
                if not self.captures:
                    if glob._test(folded, units):
                        return _YES
                    continue
                found = glob._captures(value, folded, units)
                if found is not None:
                    return MatchResult(True, found)
        return _NO

    # :regex -- draft-ietf-sieve-regex; case-insensitive unless the comparator is i;octet.

    def _compile_regex(self, max_mem: int) -> None:
        caseless = self.comparator.name != "i;octet"
        self._compiled = tuple(
            _compile_regex(k, caseless, max_mem, self.captures) for k in self.keys
        )

    def _regex(self, values: Sequence[str]) -> MatchResult:
        regexes = self._compiled
        assert isinstance(regexes, tuple)
        if not regexes:
            return _NO
        for value in values:
            data = value.encode("utf-8", "surrogatepass")
            for regex in regexes:
                found = regex.search(data)
                if found is None:
                    continue
                if not self.captures:
                    return _YES
                groups = [found.group(0), *found.groups()][:MAX_MATCH_VARIABLES]
                # An optional group that took no part in the match is the empty string.
                return MatchResult(True, tuple(_decode(g) for g in groups))
        return _NO

    # :value and :count -- RFC 5231 §4 and §5.

    def _compile_value(self, max_mem: int) -> None:
        self._compiled = tuple(self.comparator.key(k) for k in self.keys)

    _compile_count = _compile_value

    def _value(self, values: Sequence[str]) -> MatchResult:
        keys = self._compiled
        assert isinstance(keys, tuple) and self.relation is not None
        relation, key, compare = self.relation, self.comparator.key, self.comparator.compare_keys
        for value in values:
            folded = key(value)
            for k in keys:
                if relation(compare(folded, k)):
                    return _YES
        return _NO

    def _count(self, values: Sequence[str]) -> MatchResult:
        # RFC 5231 §5: the number of values, written in decimal, is compared with each key
        # using the comparator (so i;ascii-casemap compares "10" and "9" as text).
        return self._value((str(len(values)),))


def _comparator_for(match_type: str, name: str) -> Comparator:
    found = comparator(name)
    if not found.substring and match_type in ("contains", "matches", "regex"):
        # RFC 4790 §9.1: i;ascii-numeric has equality and ordering only.
        raise MatchError(
            "comparator-no-substring",
            f"the comparator '{found.name}' cannot be used with :{match_type} "
            "(it has no substring operation, RFC 4790 §9.1)",
        )
    return found


def _relation_for(match_type: str, relation: str | None) -> Callable[[int], bool] | None:
    if match_type not in ("count", "value"):
        return None
    test = RELATIONS.get((relation or "").lower())
    if test is None:
        raise MatchError(
            "bad-relation",
            f"':{match_type}' needs one of gt, ge, lt, le, eq, ne, not '{relation}' (RFC 5231 §4)",
        )
    return test
