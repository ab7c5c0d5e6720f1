"""RFC 5229: variables. The `set` action stores a value (after its modifiers) under a name;
`${name}` in later strings expands it; the `string` test matches expanded strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

# RFC 5229 §4.1: the modifiers apply in order of precedence (40 :lower/:upper, 30
# :lowerfirst/:upperfirst, 20 :quotewildcard, 10 :length), and "it is an error to use two
# or more modifiers of the same precedence in a single set action". So the modifiers that
# share a precedence are groups; modifiers of different precedence combine freely.
CASE = "set-case"  # precedence 40
CASE_FIRST = "set-case-first"  # precedence 30
QUOTE = "set-quote"  # precedence 20: :quotewildcard, and the regex draft's :quoteregex

EXTENSION = Extension(
    capability="variables",
    summary="RFC 5229: the set action, ${...} expansion and the string test",
    commands=(
        # RFC 5229 §4: `set [MODIFIER] <name: string> <value: string>`. Other extensions
        # add modifiers through extra_tags on "set" (enotify's :encodeurl, RFC 5435).
        CommandSpec(
            "set",
            Signature(
                (
                    # RFC 5229 §3: the name must be an identifier (no match-variable digits,
                    # no "${...}"); the role tells the checker to check it.
                    Positional("name", Arg.STRING, role="variable-name"),
                    Positional("value", Arg.STRING),
                ),
                tags=(
                    Tag("lower", group=CASE),
                    Tag("upper", group=CASE),
                    Tag("lowerfirst", group=CASE_FIRST),
                    Tag("upperfirst", group=CASE_FIRST),
                    Tag("quotewildcard", group=QUOTE),
                    Tag("length"),
                ),
            ),
        ),
    ),
    tests=(
        # RFC 5229 §5: `string [MATCH-TYPE] [COMPARATOR]
        #               <source: string-list> <key-list: string-list>`.
        TestSpec(
            "string",
            Signature(
                (
                    Positional("source", Arg.STRING_LIST),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()


def _quote_wildcard(text: str) -> str:
    from sieve.runtime.matching import quote_wildcard

    return quote_wildcard(text)


def _quote_regex(text: str) -> str:
    from sieve.runtime.matching import quote_regex

    return quote_regex(text)


def _first(function: Callable[[str], str]) -> Callable[[str], str]:
    return lambda text: function(text[:1]) + text[1:]


# RFC 5229 §4.1: "applied in order of their precedence value, largest value first";
# :encodeurl (RFC 5435 §6, precedence 15) and :quoteregex (regex draft, 20) join in.
MODIFIERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("lower", str.lower),
    ("upper", str.upper),
    ("lowerfirst", _first(str.lower)),
    ("upperfirst", _first(str.upper)),
    ("quotewildcard", _quote_wildcard),
    ("quoteregex", _quote_regex),
    # RFC 5435 §6: percent-encode everything but the URI "unreserved" characters.
    ("encodeurl", lambda text: quote(text, safe="-._~")),
    # RFC 5229 §4.1.3: the length in characters, as a decimal string.
    ("length", lambda text: str(len(text))),
)


@BEHAVIOUR.command("set")
def set_(run: Run, args: Args) -> None:
    name = run.string(args.positionals[0])
    value = run.string(args.positionals[1])
    for modifier, function in MODIFIERS:
        if modifier in args.tags:
            value = function(value)
    run.set_variable(name, value)


@BEHAVIOUR.test("string")
def string(run: Run, args: Args) -> bool:
    # RFC 5229 §5: for :count, empty source strings are not counted.
    values = run.strings(args.positionals[0])
    if "count" in args.tags:
        values = [value for value in values if value]
    return run.match(args, values, args.positionals[1])
