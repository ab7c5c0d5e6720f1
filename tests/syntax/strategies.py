"""Hypothesis strategies for Sieve syntax trees, for any test that needs random valid scripts.

`scripts(dialect)` draws a `Script` that the formatter can print and the parser reads back to
an equal tree. Besides RFC 5228 grammar, the trees respect what the parser checks on top of
it:

* a test with no arguments but plain numbers (and `text:` strings) is named from
  `SIEVE_NAMES`, because a line of two or more unknown words (`foo bar;`) is reported as
  prose that lost its `#`;
* in the Oracle dialect a test list holds at least two tests, because `( test )` is read as a
  parenthesised test there;
* string values hold no NUL (an error) and no CR (`format_source` writes LF line ends);
* every `text:` string has the `raw` source text the lexer would have recorded.
"""

from __future__ import annotations

import re
from functools import cache

from hypothesis import strategies as st

from sieve.syntax.ast import (
    Argument,
    Block,
    Callout,
    Command,
    Number,
    Script,
    String,
    StringList,
    Tag,
    Test,
    TestList,
)
from sieve.syntax.lexer import MAX_NUMBER
from sieve.syntax.names import ACTION_COMMANDS, CONTROL_COMMANDS, SIEVE_NAMES, TEST_NAMES

# Realistic names come from the front end's own list; arbitrary identifiers are drawn too.
COMMAND_NAMES = CONTROL_COMMANDS + ACTION_COMMANDS
TAG_NAMES = (
    "is",
    "contains",
    "matches",
    "regex",
    "over",
    "under",
    "all",
    "localpart",
    "domain",
    "comparator",
    "copy",
    "create",
    "days",
    "seconds",
    "subject",
    "from",
    "addresses",
    "mime",
    "handle",
    "lower",
    "upper",
    "value",
    "count",
)
DIALECTS = ("standard", "oracle")
MAX_DEPTH = 4

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_DIGITS = "0123456789"
_QUANTIFIERS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_DOT_AT_LINE_START = re.compile(r"^\.", re.MULTILINE)
_BARE_TEST_NAMES = tuple(sorted(SIEVE_NAMES))


@cache
def identifiers() -> st.SearchStrategy[str]:
    """Any RFC 5228 identifier, stored lower case as the parser stores names."""
    return st.builds(
        lambda first, rest: (first + rest).lower(),
        st.sampled_from(_LETTERS),
        st.text(_LETTERS + _DIGITS, max_size=10),
    )


@cache
def _names(realistic: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(realistic), identifiers())


@cache
def _chars(exclude: str = "") -> st.SearchStrategy[str]:
    """Characters of string and comment text: the awkward ones often, any other sometimes."""
    awkward = [c for c in '"\\\n .*#/:;{}[](),\tä€漢😀' if c not in exclude]
    anything = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r" + exclude)
    return st.one_of(st.sampled_from(awkward), anything)


@cache
def quoted_strings() -> st.SearchStrategy[String]:
    return st.builds(String, st.text(_chars(), max_size=12))


@cache
def _text_body_lines() -> st.SearchStrategy[list[str]]:
    line = st.one_of(
        st.text(_chars(exclude="\n"), max_size=12),
        st.sampled_from([".", "..", ".x", "", " ."]),
    )
    return st.lists(line, max_size=4)


@cache
def _text_header() -> st.SearchStrategy[str]:
    comment = st.text(_chars(exclude="\n"), max_size=10).map(lambda t: ("# " + t).rstrip(" \t"))
    return st.one_of(st.just(""), comment.map(lambda c: " " + c))


@cache
def text_strings() -> st.SearchStrategy[String]:
    return _text_strings()


@st.composite
def _text_strings(draw: st.DrawFn) -> String:
    """A `text:` string: the value is its lines, each ending in a line end (RFC 5228
    §2.4.2); the raw form has the header line, the body dot-stuffed and the '.' line."""
    lines = draw(_text_body_lines())
    value = "".join(line + "\n" for line in lines)
    raw = "text:" + draw(_text_header()) + "\n" + _DOT_AT_LINE_START.sub("..", value) + ".\n"
    return String(value, True, raw=raw)


@cache
def strings() -> st.SearchStrategy[String]:
    return st.one_of(quoted_strings(), quoted_strings(), text_strings())


@cache
def string_lists() -> st.SearchStrategy[StringList]:
    return st.builds(StringList, st.lists(strings(), min_size=1, max_size=4))


@cache
def numbers() -> st.SearchStrategy[Number]:
    return st.sampled_from(list(_QUANTIFIERS)).flatmap(_numbers_with)


@cache
def _numbers_with(quantifier: str) -> st.SearchStrategy[Number]:
    multiplier = _QUANTIFIERS[quantifier]
    digits = st.one_of(st.integers(0, 5000), st.integers(0, MAX_NUMBER // multiplier))
    return digits.map(lambda n: Number(n * multiplier, quantifier))


@cache
def tags() -> st.SearchStrategy[Tag]:
    return st.builds(Tag, _names(TAG_NAMES))


@cache
def callouts() -> st.SearchStrategy[Callout]:
    """Oracle mapping callouts; the lexer knows one by the quote or bracket after its '('."""
    return st.builds(Callout, identifiers(), st.one_of(quoted_strings(), string_lists()))


@cache
def arguments(dialect: str = "standard") -> st.SearchStrategy[Argument]:
    choices: list[st.SearchStrategy[Argument]] = [
        strings(),
        string_lists(),
        numbers(),
        tags(),
        tags(),
    ]
    if dialect == "oracle":
        choices.append(callouts())
    return st.one_of(*choices)


@cache
def _argument_lists(dialect: str) -> st.SearchStrategy[list[Argument]]:
    return st.lists(arguments(dialect), max_size=3)


@cache
def _bare_test_names() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TEST_NAMES), st.sampled_from(_BARE_TEST_NAMES))


def _is_bare(args: list[Argument]) -> bool:
    """Whether a test with these arguments can print as a line of plain words. A `text:`
    string counts as a word: the prose check reads `text:` as one (a parser bug, see
    test_formatter.py)."""
    for argument in args:
        if isinstance(argument, String) and argument.multiline:
            return True  # the line ends with the `text:` string
        if not isinstance(argument, Number) or argument.quantifier:
            return False
    return True


@cache
def tests(dialect: str = "standard", depth: int = MAX_DEPTH) -> st.SearchStrategy[Test]:
    return _tests(dialect, depth)


@st.composite
def _tests(draw: st.DrawFn, dialect: str, depth: int) -> Test:
    args = draw(_argument_lists(dialect))
    name = draw(_bare_test_names() if _is_bare(args) else _names(TEST_NAMES))
    nested = None
    if depth > 1 and draw(_sometimes()):
        nested = draw(tests_or_lists(dialect, depth - 1))
    parenthesized = dialect == "oracle" and draw(st.booleans())
    return Test(name, args, nested, parenthesized)


@cache
def test_lists(dialect: str = "standard", depth: int = MAX_DEPTH) -> st.SearchStrategy[TestList]:
    smallest = 2 if dialect == "oracle" else 1
    return st.builds(TestList, st.lists(tests(dialect, depth), min_size=smallest, max_size=3))


@cache
def _sometimes() -> st.SearchStrategy[bool]:
    """True one time in three: keeps nested trees small enough to draw quickly."""
    return st.integers(0, 2).map(lambda n: n == 2)  # shrinks towards False


@cache
def tests_or_lists(
    dialect: str = "standard", depth: int = MAX_DEPTH
) -> st.SearchStrategy[Test | TestList]:
    return st.one_of(tests(dialect, depth), test_lists(dialect, depth))


@cache
def commands(dialect: str = "standard", depth: int = MAX_DEPTH) -> st.SearchStrategy[Command]:
    """A command, with a block nested at most `depth - 1` further levels."""
    return _commands(dialect, depth)


@st.composite
def _commands(draw: st.DrawFn, dialect: str, depth: int) -> Command:
    name = draw(_names(COMMAND_NAMES))
    args = draw(_argument_lists(dialect))
    test = draw(tests_or_lists(dialect, 3)) if draw(st.booleans()) else None
    block = None
    if depth > 1 and draw(_sometimes()):
        block = draw(blocks(dialect, depth - 1))
    return Command(name, args, test, block)


@cache
def blocks(dialect: str = "standard", depth: int = MAX_DEPTH) -> st.SearchStrategy[Block]:
    return st.builds(Block, st.lists(commands(dialect, depth), max_size=3))


@cache
def scripts(dialect: str = "standard") -> st.SearchStrategy[Script]:
    """Random valid scripts of the dialect, with blocks up to 4 levels deep."""
    return st.builds(Script, st.lists(commands(dialect, MAX_DEPTH), max_size=4))
