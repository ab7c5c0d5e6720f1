"""What an extension declares: its commands and tests with their argument signatures, the
tags it adds to shared groups or to other extensions' commands, and its comparators.

The checker reads these declarations (and later the compiler, the VM and the linter); an
extension module is `sieve/extensions/<name>.py` with one `EXTENSION = Extension(...)`.
Signatures follow RFC 5228 §2.6: tagged arguments first in any order, then positional
arguments in order, then an optional test or test list, then (for control commands) a block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

# Shared tag groups (RFC 5228 §2.7): a command takes at most one tag of each.
MATCH_TYPE = "match-type"
COMPARATOR = "comparator"
ADDRESS_PART = "address-part"


class Arg(Enum):
    """The kind of a positional argument or of a tag's value."""

    STRING = "a string"
    STRING_LIST = "a string list"
    NUMBER = "a number"


class SubTests(Enum):
    """What a command or test takes after its arguments."""

    NONE = "nothing"
    ONE = "a test"
    LIST = "a test list"


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged argument such as `:comparator "i;octet"` (name without the colon)."""

    name: str
    value: Arg | None = None
    # Tags of one group exclude each other (`:is` and `:contains`).
    group: str | None = None
    # The values the tag's argument may take (compared case-insensitively), when the RFC
    # lists them: relational operators for `:count`, say.
    values: tuple[str, ...] | None = None
    # Another tag this one only makes sense with (`:last` needs `:index`).
    needs_tag: str | None = None
    # What the tag's value is, for checks by role as on Positional ("header-name").
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Positional:
    name: str
    kind: Arg
    # Only the last positionals may be optional.
    optional: bool = False
    # The values it may take (case-insensitive), when the RFC lists them: the envelope
    # parts "from" and "to", the date parts "year", "month", ...
    values: tuple[str, ...] | None = None
    # What the strings are, for the checks that need to know: "header-name" (must be a
    # valid header field name), "capability", "comparator", "mailbox", "address".
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Signature:
    """The arguments a command or test takes."""

    positionals: tuple[Positional, ...] = ()
    tags: tuple[Tag, ...] = ()
    # Shared groups whose tags this command or test takes (MATCH_TYPE, COMPARATOR, ...).
    groups: tuple[str, ...] = ()
    # Groups of which exactly one tag must be given (size needs :over or :under).
    required_groups: tuple[str, ...] = ()
    tests: SubTests = SubTests.NONE


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    signature: Signature = field(default_factory=Signature)
    # Control commands take a block (if, elsif, else, foreverypart, ...).
    block: bool = False
    # A command that may only stand inside the block of this one (break, extracttext:
    # inside foreverypart).
    inside: str | None = None
    # Capabilities the command needs beyond its own (global needs variables).
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TestSpec:
    name: str
    signature: Signature = field(default_factory=Signature)


@dataclass(frozen=True, slots=True)
class Alias:
    """Another spelling of a command that some dialect accepts, with a warning."""

    name: str
    means: str
    dialects: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class Extension:
    """One `require` capability, or the base language (capability "")."""

    capability: str
    commands: tuple[CommandSpec, ...] = ()
    tests: tuple[TestSpec, ...] = ()
    # Tags this extension adds to a shared group, e.g. relational's `:count` to MATCH_TYPE.
    group_tags: tuple[Tag, ...] = ()
    # Tags this extension adds to other commands or tests, by their name, e.g. copy's
    # `:copy` on "fileinto" and "redirect".
    extra_tags: tuple[tuple[str, tuple[Tag, ...]], ...] = ()
    comparators: tuple[str, ...] = ()
    # Capabilities that must be required too (spamadjust needs spamtest).
    depends_on: tuple[str, ...] = ()
    # Capabilities that requiring this one brings along (spamtestplus brings spamtest).
    implies: tuple[str, ...] = ()
    aliases: tuple[Alias, ...] = ()
    # RFC 5229 §3: variable namespaces the extension provides (`${ns.name}`).
    namespaces: tuple[str, ...] = ()
    # Dialects that offer this extension; None means every dialect.
    dialects: tuple[str, ...] | None = None
    summary: str = ""
