"""The syntax tree of a Sieve script (RFC 5228 §8.2), one small class per grammar element.

Names of commands, tests and tags are stored in lower case because Sieve identifiers are
case-insensitive; spans point at the text as written. Spans never take part in equality, so
two scripts that differ only in layout compare equal.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field

from sieve.syntax.source import Span

_NO_SPAN = Span(None, 0, 0)


@dataclass(slots=True)
class String:
    """A quoted string or a `text:` multi-line string, with escapes and dot-stuffing undone."""

    value: str
    multiline: bool = False
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    # The exact source text of a `text:` string, which the formatter keeps verbatim.
    raw: str = field(default="", compare=False, repr=False)


@dataclass(slots=True)
class StringList:
    """A bracketed list `["a", "b"]`; a lone string where a list is allowed stays a String."""

    strings: list[String]
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(slots=True)
class Number:
    """A number with its quantifier (K, M, G) already applied to `value`."""

    value: int
    quantifier: str = ""
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(slots=True)
class Tag:
    """A tagged argument such as `:is`; `name` is without the colon."""

    name: str
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(slots=True)
class Callout:
    """An Oracle Messaging Server mapping callout used as a value: `greylst("${IP}|x")`."""

    name: str
    argument: String | StringList
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


Argument = String | StringList | Number | Tag | Callout


def string_nodes(argument: Argument | None) -> list[String]:
    """The String nodes of a string or string list; a callout's argument counts, anything
    else has none. A string list's own list is returned, not a copy: read it only."""
    if isinstance(argument, String):
        return [argument]
    if isinstance(argument, StringList):
        return argument.strings
    if isinstance(argument, Callout):
        return string_nodes(argument.argument)
    return []


def split_arguments(
    arguments: Sequence[Argument], valued: Container[str]
) -> tuple[list[tuple[Tag, Argument | None]], list[Argument]]:
    """The tags, each with its value (None for a tag in `valued` that takes none), and the
    positional arguments, both in order. Which tags take a value is the registry's to say
    (RFC 5228 §2.6.2 leaves it to each extension); the compiler, the linter and its flow
    analysis all pair arguments here, so they cannot read one command differently."""
    tags: list[tuple[Tag, Argument | None]] = []
    positionals: list[Argument] = []
    items = iter(arguments)
    for argument in items:
        if isinstance(argument, Tag):
            tags.append((argument, next(items, None) if argument.name in valued else None))
        else:
            positionals.append(argument)
    return tags, positionals


def tag_string(arguments: Sequence[Argument], name: str) -> str | None:
    """The string value of the first tag `:name` (`:name "x"` → "x"); None when the tag is
    absent or its value is not a string."""
    for index, argument in enumerate(arguments[:-1]):
        if isinstance(argument, Tag) and argument.name == name:
            value = arguments[index + 1]
            return value.value if isinstance(value, String) else None
    return None


@dataclass(slots=True)
class Test:
    """`identifier arguments` in test position; `test` is a nested test or test list."""

    name: str
    arguments: list[Argument] = field(default_factory=list)
    test: Test | TestList | None = None
    # Oracle dialect: the test was written in parentheses, `if (true) {…}`.
    parenthesized: bool = False
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    # How many tests deep this one reaches, for the nesting limit.
    height: int = field(default=1, compare=False, repr=False)

    @property
    def name_span(self) -> Span:
        """Where diagnostics about the test point: its name, or the whole test when it was
        written in parentheses."""
        if self.parenthesized:
            return self.span
        source, start, _ = self.span
        return Span(source, start, start + len(self.name))


@dataclass(slots=True)
class TestList:
    """`( test, test, … )`."""

    tests: list[Test]
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    height: int = field(default=1, compare=False, repr=False)


@dataclass(slots=True)
class Block:
    """`{ commands }`."""

    commands: list[Command]
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    # How many blocks deep this one reaches, for the nesting limit.
    height: int = field(default=1, compare=False, repr=False)


@dataclass(slots=True)
class Command:
    """`identifier arguments (";" / block)`."""

    name: str
    arguments: list[Argument] = field(default_factory=list)
    test: Test | TestList | None = None
    block: Block | None = None
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)

    @property
    def name_span(self) -> Span:
        """The span of the command's name alone, where diagnostics about the command point."""
        source, start, _ = self.span
        return Span(source, start, start + len(self.name))


@dataclass(slots=True)
class Comment:
    """A `#` or `/* */` comment, kept so that the formatter can put it back in place."""

    text: str
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)

    @property
    def is_hash(self) -> bool:
        return self.text.startswith("#")


@dataclass(slots=True)
class Script:
    """A whole script: its top-level commands and every comment in source order."""

    commands: list[Command]
    comments: list[Comment] = field(default_factory=list, compare=False, repr=False)
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


Node = Script | Command | Block | Test | TestList | String | StringList | Number | Tag | Callout
