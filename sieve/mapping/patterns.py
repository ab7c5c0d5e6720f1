"""Mapping-table patterns: compile the left-hand column of an entry and match it against a
string in polynomial time.

The MTA's wildcards are `*` (any string, greedy), `%` (one character), the glob classes
(`$A*`, `$D%`, `$[a-f0-9]*`, …), and the modifiers `$_` (lazy), `$@` (do not save) and `$^`
(save). A naive backtracking matcher takes exponential time on `*a*a*a…b` against `aaaa…`;
this one first computes, for every pattern position, the set of string positions from
which the rest of the pattern can match (bit sets, one dynamic-programming row per pattern
item), then reads the captures off left to right. The captures are exactly those a
backtracking matcher that prefers greedy (or, after `$_`, lazy) choices would find.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# A character class: None means "any character"; otherwise the folded characters and
# inclusive ranges of folded characters it holds.
CharClass = tuple[frozenset[str], tuple[tuple[str, str], ...]] | None

_DIGITS = "0123456789"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# The named glob classes. Matching is case-blind, so each holds folded characters only.
_NAMED: dict[str, frozenset[str]] = {
    "A": frozenset(_LETTERS),
    "B": frozenset("01"),
    "D": frozenset(_DIGITS),
    "H": frozenset(_DIGITS + "abcdef"),
    "O": frozenset("01234567"),
    "S": frozenset(_DIGITS + _LETTERS + "_$"),
    "T": frozenset("\t\v "),
    "X": frozenset(_DIGITS + "abcdef"),
}
_QUOTABLE = "*% \t$"


class PatternError(Exception):
    """A pattern the MTA could not read; `column` is 1-based within the pattern."""

    def __init__(self, reason: str, column: int, hint: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Literal:
    char: str  # folded


@dataclass(frozen=True, slots=True)
class One:
    """`%`, `$D%`, `$[…]%`: exactly one character of the class."""

    cls: CharClass
    save: bool = True


@dataclass(frozen=True, slots=True)
class Many:
    """`*`, `$D*`, `$[…]*`: any run of characters of the class."""

    cls: CharClass
    save: bool = True
    lazy: bool = False


Item = Literal | One | Many


@dataclass(frozen=True, slots=True)
class Pattern:
    text: str
    items: tuple[Item, ...]

    @property
    def wildcards(self) -> int:
        """How many `$n` substitutions the template may use."""
        return sum(1 for item in self.items if not isinstance(item, Literal) and item.save)


def fold(text: str) -> str:
    """Case-blind comparison, one character for one, so positions in the folded string are
    positions in the original (a few characters lower-case to two; those stay as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@lru_cache(maxsize=4096)
def compile_pattern(text: str) -> Pattern:
    """The items of a pattern; raises PatternError for what the MTA could not read."""
    items: list[Item] = []
    lazy = False
    save: bool | None = None  # None: no modifier pending
    i, n = 0, len(text)

    def wildcard(cls: CharClass, star: bool) -> None:
        nonlocal lazy, save
        keep = True if save is None else save
        items.append(Many(cls, keep, lazy) if star else One(cls, keep))
        lazy, save = False, None

    while i < n:
        c = text[i]
        if c in "*%":
            wildcard(None, c == "*")
            i += 1
            continue
        if c != "$":
            items.append(Literal(fold(c)))
            i += 1
            continue
        if i + 1 >= n:
            raise PatternError("a lone `$` ends the pattern", i + 1, "write `$$` for a dollar sign")
        d = text[i + 1]
        if d in _QUOTABLE:
            items.append(Literal(fold(d)))
            i += 2
        elif d == "_":
            lazy, i = True, i + 2
        elif d in "@^":
            save, i = d == "^", i + 2
        elif d.upper() in _NAMED:
            star = _glob_suffix(text, i + 2, i)
            wildcard((_NAMED[d.upper()], ()), star)
            i += 3
        elif d == "[":
            end = text.find("]", i + 2)
            if end < 0:
                raise PatternError("`$[` opens a glob class that is never closed", i + 1)
            cls = _bracket_class(text[i + 2 : end], i + 3)
            wildcard(cls, _glob_suffix(text, end + 1, i))
            i = end + 2
        elif d in _DIGITS:
            raise PatternError(
                f"back matches (`${d}*`) are not supported", i + 1, "match with `*` instead"
            )
        else:
            raise PatternError(
                f"`${d}` is not a pattern wildcard or quote",
                i + 1,
                "quote a literal `$` as `$$`; `$*`, `$%`, `$ ` quote those characters",
            )
    if lazy or save is not None:
        raise PatternError("a modifier (`$_`, `$@`, `$^`) is not followed by a wildcard", n)
    return Pattern(text, tuple(items))


def _glob_suffix(text: str, at: int, start: int) -> bool:
    """Glob classes end in `*` (a run) or `%` (one character): True for `*`."""
    if at < len(text) and text[at] in "*%":
        return text[at] == "*"
    raise PatternError(
        "a glob class must be followed by `*` or `%`", start + 1, "for example `$D*` or `$[abc]%`"
    )


def _bracket_class(body: str, column: int) -> CharClass:
    if not body:
        raise PatternError("`$[]` is an empty glob class", column)
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = fold(body[i]), fold(body[i + 2])
            if low > high:
                raise PatternError(f"the range `{body[i : i + 3]}` is backwards", column + i)
            ranges.append((low, high))
            i += 3
        else:
            chars.add(fold(body[i]))
            i += 1
    return frozenset(chars), tuple(ranges)


def _contains(cls: CharClass, char: str) -> bool:
    if cls is None:
        return True
    chars, ranges = cls
    return char in chars or any(low <= char <= high for low, high in ranges)


def match_cost(pattern: Pattern, value: str) -> int:
    """Work units one match will take, a unit being about 256 pattern-item × character
    cells (the mask of each item is built by a Python loop over the value). The caller
    charges them before matching, so a step budget bounds the time of huge inputs."""
    return 1 + (len(pattern.items) + 1) * (len(value) + 1) // 256


def match(pattern: Pattern, value: str) -> tuple[str, ...] | None:
    """The saved wildcards' matches (for `$0`, `$1`, …) when the whole value matches, else
    None. Time O(items × length / word size) plus a pass over the value per distinct class."""
    text = fold(value)
    n = len(text)
    items = pattern.items
    masks: dict[object, int] = {}

    def mask(key: object, test: CharClass | str) -> int:
        # Bit j is set when text[j] is in the class (or is the literal character).
        found = masks.get(key)
        if found is None:
            if isinstance(test, str):
                hits = (c == test for c in reversed(text))
            else:
                hits = (_contains(test, c) for c in reversed(text))
            found = int("0" + "".join("1" if hit else "0" for hit in hits), 2)
            masks[key] = found
        return found

    def class_mask(cls: CharClass) -> int:
        return (1 << n) - 1 if cls is None else mask(("class", cls), cls)

    # rows[i]: bit j set when items[i:] can match text[j:]. Bit n stands for the end.
    rows: list[int] = [0] * (len(items) + 1)
    rows[len(items)] = 1 << n
    for i in range(len(items) - 1, -1, -1):
        item, after = items[i], rows[i + 1]
        if isinstance(item, Literal):
            rows[i] = mask(("char", item.char), item.char) & (after >> 1)
        elif isinstance(item, One):
            rows[i] = class_mask(item.cls) & (after >> 1)
        else:
            rows[i] = after | _fill_down(class_mask(item.cls) & (after >> 1), class_mask(item.cls))
        if not rows[i]:
            return None
    if not rows[0] & 1:
        return None
    return _captures(items, rows, value, class_mask)


def _fill_down(seeds: int, members: int) -> int:
    """Every position j from which a run of `members` positions reaches a seed: the
    positions a `*` of that class can start from. Doubling steps, so O(log n) big-int ops."""
    reach, through, step = seeds, members, 1
    while through and step <= members.bit_length():
        reach |= through & (reach >> step)
        through &= through >> step
        step *= 2
    return reach


def _captures(
    items: tuple[Item, ...],
    rows: list[int],
    value: str,
    class_mask: Callable[[CharClass], int],
) -> tuple[str, ...]:
    saved: list[str] = []
    j = 0
    for i, item in enumerate(items):
        if isinstance(item, Literal):
            j += 1
            continue
        if isinstance(item, One):
            if item.save:
                saved.append(value[j])
            j += 1
            continue
        members = class_mask(item.cls) >> j
        run = (members ^ (members + 1)).bit_length() - 1  # class characters from j on
        window = (rows[i + 1] >> j) & ((1 << (run + 1)) - 1)
        # Greedy takes the longest run after which the rest still matches; lazy the shortest.
        k = j + (window.bit_length() - 1 if not item.lazy else (window & -window).bit_length() - 1)
        if item.save:
            saved.append(value[j:k])
        j = k
    return tuple(saved)
