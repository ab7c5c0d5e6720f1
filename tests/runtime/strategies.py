"""Hypothesis strategies for property tests of the compiler and the VM: valid scripts drawn
from the extension registry, and messages from the realistic to the hostile.

`valid_scripts(dialect)` reads every command, test and tag from `Registry.shared(None,
dialect)`, so a new extension module is drawn without a change here. The declarations say
the kinds, groups, allowed values and roles of arguments; what they cannot say lives in
this file as two kinds of small tables:

* what a value of some argument looks like at run time (a notify "method" is a URI, a
  ":zone" is "+0100"), keyed by `command.argument` or by argument name, so that runs do
  more than fail on an unusable value; an argument with no entry gets plain text;
* the rules of the RFCs that are not signatures: `global` at the top (RFC 6609 §3.4),
  `break :name` naming an enclosing loop (RFC 5703 §3.2), the variable forms of the
  imap4flags actions (RFC 5232 §3), match keys that fit their match type (`:regex` keys
  RE2 accepts), and no i;ascii-numeric with a substring match type (RFC 4790 §9.1).

The `require` line is computed from what the script used, with each capability's
`depends_on`. `INCLUDED_SCRIPTS`, `GLOBAL_SCRIPTS`, `LISTS` and `CALLOUT_TABLES` are what a
test's host should offer for the names the scripts use; `fresh_host()` offers them, and
`assert_well_formed` is what every run of a drawn script must give (the property tests and
the fuzz `run` target both judge runs with it).
"""

from __future__ import annotations

import base64
import quopri
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import re2
from hypothesis import strategies as st

import sieve
from sieve.extensions.registry import Provided, Registry
from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Positional,
    SubTests,
    Tag,
    TestSpec,
)
from sieve.syntax.lexer import MAX_NUMBER

# What a test host offers for the names the scripts use.
INCLUDED_SCRIPTS = {
    "helper": 'require ["include", "variables"];\nglobal "shared";\nset "shared" "from helper";\n',
    "stopper": 'require "include";\nif true { return; }\nkeep;\n',
    "self": 'require "include";\ninclude :once "self";\n',
}
GLOBAL_SCRIPTS = {"site": 'require "fileinto";\nif header :contains "X-Spam-Score" "9" { stop; }\n'}
LISTS = {"tag:example.com,2024:vip": {"alice@example.com"}, ":addrbook:personal": {"bob"}}
CALLOUT_TABLES = ("greylst", "lookup")

# Commands the script skeleton places itself (the rest are drawn from the registry).
_SKELETON = frozenset({"require", "if", "elsif", "else", "global"})
# Commands drawn rarely: they end the script, its loop or the run early, or refuse the
# message, which conflicts with most other actions (RFC 5429 §2.1); else little would run.
_RARE = frozenset({"stop", "return", "error", "jettison", "reject", "ereject"})
# RFC 4790 §9.1: i;ascii-numeric has no substring operation, so the match types that need
# one refuse it (Pigeonhole: "does not support sub-string matching").
_SUBSTRING_MATCHES = frozenset({"contains", "matches", "regex"})
_WHOLE_VALUE_COMPARATORS = frozenset({"i;ascii-numeric"})
MAX_DEPTH = 3

_HEADER_NAMES = (
    "From",
    "To",
    "Cc",
    "Subject",
    "List-Id",
    "X-Spam-Score",
    "X-Virus-Score",
    "Message-ID",
    "Date",
    "Received",
    "Content-Type",
    "Reply-To",
    "Sender",
    "x-custom-header",
    "Resent-Date",
)
_HEADER_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != ":")
_VARIABLE_NAMES = ("a", "b", "subject", "Folder", "x_1", "_tmp", "a_rather_long_name_9")
_WORDS = ("hello", "Re: hi", "[list]", "", " ", "Ünïcödé €", "漢字", "spam", "INBOX", "a*b?")
_ADDRESSES = ("alice@example.com", "bob+lists@example.org", "carol@example.net", "x@[127.0.0.1]")
_MAILBOXES = ("INBOX", "Junk", "Archive/2024", "Lists.sieve", "Entwürfe", "INBOX.Sent")
_FLAGS = ("\\Seen", "\\Flagged", "\\Deleted", "$Junk", "$Label1", "\\Answered \\Draft")
_ZONES = ("+0000", "-0500", "+0530", "+1400", "-1200")
_ENV_ITEMS = ("domain", "host", "location", "name", "phase", "remote-host", "remote-ip", "version")
_CONTENT_TYPES = ("text", "text/plain", "text/html", "multipart", "application/pdf", "message")
_PARAMS = ("charset", "name", "boundary", "filename", "format")
_REGEX_ATOMS = ("a", "b", "x", ".", "[a-z]", "[^ ]", "\\d", "\\w", "\\s", "\\.", "(a|b)", "[0-9]+")
_REGEX_SUFFIXES = ("", "", "*", "+", "?", "{1,3}", "*?")
_QUANTIFIERS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def quoted(value: str) -> str:
    """A value as an RFC 5228 §2.4.2 quoted string: only `"` and `\\` need escaping."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def text_block(value: str) -> str:
    """A value as an RFC 5228 §2.4.2 `text:` string (dot-stuffed; the value then ends in a
    line break, which it gains here if it had none)."""
    lines = value.split("\n")
    if lines[-1] == "":
        lines.pop()
    body = "".join(("." + line if line.startswith(".") else line) + "\n" for line in lines)
    return "text:\n" + body + ".\n"


class _Builder:
    """Draws one script. Tracks what the script uses (for its require line), the variables
    it set, and the blocks and foreverypart labels around the point being drawn."""

    def __init__(self, draw: st.DrawFn, dialect: str) -> None:
        self.draw = draw
        self.dialect = dialect
        self.registry = Registry.shared(None, dialect)
        self.used: set[str] = set()
        self.variables: list[str] = []
        self.enclosing: list[str] = []
        self.labels: list[str | None] = []

    # Primitive draws; each shrinks towards the plainest choice.

    def chance(self, percent: int) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return self.draw(st.sampled_from(options))

    def use(self, capability: str) -> None:
        if capability:
            self.used.add(capability)

    def number(self, small: bool = False) -> str:
        quantifier = "" if small else self.pick(tuple(_QUANTIFIERS))
        top = 5 if small else (MAX_NUMBER // _QUANTIFIERS[quantifier] if self.chance(5) else 5000)
        return str(self.draw(st.integers(0, top))) + quantifier

    def plain_text(self) -> str:
        if self.chance(60):
            return self.pick(_WORDS)
        text = self.draw(
            st.text(
                st.characters(exclude_categories=("Cs",), exclude_characters="\x00\r"), max_size=12
            )
        )
        return text.replace("${", "$ {")  # references are drawn on purpose, below

    def reference(self) -> str:
        """A `${...}` reference (RFC 5229 §3) to a set variable, a match variable or an unset
        one; a malformed one (which stays literal text); or an RFC 5228 §2.4.2.4 encoded
        character."""
        kind = self.draw(st.integers(0, 9))
        if kind <= 6:
            self.use("variables")
            if self.variables and kind >= 4:
                name = self.pick(self.variables)
                return "${" + (name.upper() if kind == 6 else name) + "}"
            return "${" + self.pick(("0", "1", "2", "9", "unset_name", *_VARIABLE_NAMES)) + "}"
        if kind == 7:
            self.use("variables")
            return self.pick(("${", "${a", "$${a}", "${}", "${ a}", "${1"))
        self.use("encoded-character")
        if kind == 8:
            return "${hex:" + self.pick(("41", "42 43", "e2 82 ac", "00", "24 7b 61 7d")) + "}"
        return "${unicode:" + self.pick(("263a", "1F600", "41 42", "0", "10FFFF")) + "}"

    def text(self, references: bool = True) -> str:
        parts = [self.plain_text()]
        if references and self.chance(20):
            parts.insert(self.draw(st.integers(0, 1)), self.reference())
            if self.chance(30):
                parts.append(self.reference())
        return "".join(parts)

    def literal(self, value: str, plain: bool = False) -> str:
        """The value as a quoted string, or sometimes (plain text only) as `text:`."""
        if plain and "\r" not in value and self.chance(8):
            return text_block(value)
        return quoted(value)

    def string_list(self, element: Callable[[], str], plain: bool = False) -> str:
        values = [element() for _ in range(self.draw(st.integers(1, 3)))]
        if len(values) == 1 and self.chance(40):
            return self.literal(values[0], plain)  # a one-string list may be a string
        return "[" + ", ".join(self.literal(v, plain) for v in values) + "]"

    def callout(self) -> str:
        """An Oracle mapping-table callout used as a value."""
        return f"{self.pick(CALLOUT_TABLES)}({quoted(self.text())})"

    # Values with a role or a shape.

    def header_name(self, as_regex: bool = False) -> str:
        if not as_regex and self.chance(10):
            self.use("variables")
            return "${" + (self.pick(self.variables) if self.variables else "h") + "}"
        if as_regex or self.chance(80):
            return self.pick(_HEADER_NAMES)
        return self.draw(st.text(st.sampled_from(_HEADER_CHARS), min_size=1, max_size=10))

    def variable_name(self, new: bool = True) -> str:
        if self.variables and (not new or self.chance(50)):
            return self.pick(self.variables)
        name = (
            self.pick(_VARIABLE_NAMES)
            if self.chance(70)
            else self.draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))
        )
        if name not in self.variables:
            self.variables.append(name)
        return name

    def regex(self) -> str:
        """An extended regular expression that RE2 (the VM's engine) accepts."""
        atoms = [
            self.pick(_REGEX_ATOMS) + self.pick(_REGEX_SUFFIXES)
            for _ in range(self.draw(st.integers(1, 4)))
        ]
        pattern = (
            ("^" if self.chance(20) else "") + "".join(atoms) + ("$" if self.chance(20) else "")
        )
        return pattern if _re2_accepts(pattern) else "."

    def wildcard(self) -> str:
        """A :matches key (RFC 5228 §2.7.1): `*`, `?`, escaped ones, text, references."""
        pieces = ("*", "?", "\\*", "\\?", "\\\\", "abc", "Re:", "@example.com", "")
        return "".join(
            self.pick(pieces) if self.chance(90) else self.reference()
            for _ in range(self.draw(st.integers(1, 4)))
        )

    def key(self, match_type: str | None, hint: Callable[[], str] | None) -> str:
        """One key of a match: its shape follows the match type."""
        if match_type == "regex":
            if self.chance(5):  # a pattern known only at run time, maybe not a valid one
                self.use("variables")
                return "${" + self.variable_name(False) + "}"
            return self.regex()
        if match_type == "matches":
            return self.wildcard()
        if match_type in ("count", "value"):
            return str(self.draw(st.integers(0, 12))) if self.chance(90) else self.text()
        if match_type == "list":
            return self.pick(tuple(LISTS)) if self.chance(80) else "unknown:list"
        return hint() if hint is not None and self.chance(70) else self.text()

    # The script.

    def script(self) -> str:
        preamble = self.globals()
        body = self.commands(0, self.draw(st.integers(0, 6)))
        return "\n".join([*self.require_lines(), *preamble, *body]) + "\n"

    def globals(self) -> list[str]:
        """RFC 6609 §3.4: global declarations, at the top so that they come before any use."""
        if not self.chance(15):
            return []
        provided = self.registry.commands.get("global")
        if provided is None:
            return []
        self.use(provided.capability)
        for capability in provided.spec.needs:  # type: ignore[union-attr]
            self.use(capability)
        names = {self.variable_name() for _ in range(self.draw(st.integers(1, 2)))}
        if self.chance(50):
            names.add("shared")  # the global INCLUDED_SCRIPTS["helper"] sets
            self.variables.append("shared")
        return [f"global [{', '.join(quoted(n) for n in sorted(names))}];"]

    def require_lines(self) -> list[str]:
        needed = set(self.used)
        pending = list(needed)
        while pending:  # each capability's depends_on, transitively
            for other in self.registry.depends_on.get(pending.pop(), ()):
                if other not in needed:
                    needed.add(other)
                    pending.append(other)
        for capability in sorted(needed):
            # A capability another required one implies may be left out (RFC 6131 §2).
            impliers = [c for c in needed if capability in self.registry.implies.get(c, ())]
            if impliers and self.chance(30):
                needed.discard(capability)
        names = sorted(needed)
        if not names:
            return []
        if len(names) > 1 and self.chance(20):  # several require commands are fine too
            cut = self.draw(st.integers(1, len(names) - 1))
            return [_require(names[:cut]), _require(names[cut:])]
        return [_require(names)]

    def commands(self, depth: int, count: int) -> list[str]:
        lines: list[str] = []
        for _ in range(count):
            if self.chance(5):
                lines.append(self.pick(("# a comment", "/* a\n   comment */", "#")))
            lines.extend(self.command(depth))
        return lines

    def command(self, depth: int) -> list[str]:
        kind = self.draw(st.integers(0, 9)) if depth < MAX_DEPTH else 9
        if kind <= 2:
            return self.if_chain(depth)
        blocks = [n for n in self.available_commands() if self.registry.commands[n].spec.block]
        if kind == 3 and blocks:
            return self.simple_or_block(self.pick(blocks), depth)
        names = self.available_commands()
        common = [n for n in names if n not in _RARE and n not in blocks]
        rare = [n for n in names if n in _RARE]
        name = self.pick(rare if rare and self.chance(8) else common)
        return self.simple_or_block(name, depth)

    def available_commands(self) -> list[str]:
        return sorted(
            name
            for name, provided in self.registry.commands.items()
            if name not in _SKELETON
            and (provided.spec.inside is None or provided.spec.inside in self.enclosing)  # type: ignore[union-attr]
        )

    def command_name(self, name: str) -> str:
        """The name as written: sometimes in another case (RFC 5228 §2.9: identifiers are
        case-insensitive) or as a dialect's alias of it."""
        aliases = [a for a, alias in self.registry.aliases.items() if alias.means == name]
        if aliases and self.chance(20):
            return self.pick(aliases)
        return name.upper() if self.chance(3) else name

    def simple_or_block(self, name: str, depth: int) -> list[str]:
        provided = self.registry.commands[name]
        spec = provided.spec
        assert isinstance(spec, CommandSpec)
        self.use(provided.capability)
        for capability in spec.needs:
            self.use(capability)
        words = [self.command_name(name), *self.arguments(spec)]
        if spec.signature.tests is not SubTests.NONE:  # pragma: no cover - only if/elsif now
            words.append(self.test(depth))
        if not spec.block:
            return [" ".join(words) + ";"]
        label = _label_of(words) if name == "foreverypart" else None
        return self.block(" ".join(words), name, depth, label)

    def block(self, head: str, name: str, depth: int, label: str | None = None) -> list[str]:
        self.enclosing.append(name)
        if name == "foreverypart":
            self.labels.append(label)
        inner = self.commands(depth + 1, self.draw(st.integers(0, 3)))
        if name == "foreverypart":
            self.labels.pop()
        self.enclosing.pop()
        return [head + " {", *("  " + line for line in inner), "}"]

    def if_chain(self, depth: int) -> list[str]:
        lines = self.block(f"{self.command_name('if')} {self.condition(depth)}", "if", depth)
        for _ in range(self.draw(st.integers(0, 2))):
            lines += self.block(f"elsif {self.condition(depth)}", "elsif", depth)
        if self.chance(40):
            lines += self.block("else", "else", depth)
        return lines

    def condition(self, depth: int) -> str:
        test = self.test(depth)
        if self.dialect == "oracle" and self.chance(20):
            return f"({test})"  # Oracle: `if (header :is "a" "b") {...}`
        return test

    # Tests.

    def test(self, depth: int) -> str:
        if self.dialect == "oracle" and self.chance(3):
            # Oracle: a mapping-table callout standing as a test.
            return f"{self.pick(CALLOUT_TABLES)} {quoted(self.text())}"
        names = sorted(self.registry.tests)
        if depth >= MAX_DEPTH:
            names = [
                n for n in names if self.registry.tests[n].spec.signature.tests is SubTests.NONE
            ]
        provided = self.registry.tests[self.pick(names)]
        spec = provided.spec
        assert isinstance(spec, TestSpec)
        self.use(provided.capability)
        words = [spec.name.upper() if self.chance(3) else spec.name, *self.arguments(spec)]
        wanted = spec.signature.tests
        if wanted is SubTests.ONE:
            words.append(self.test(depth + 1))
        elif wanted is SubTests.LIST:
            inner = [self.test(depth + 1) for _ in range(self.draw(st.integers(1, 3)))]
            words.append("(" + ", ".join(inner) + ")")
        return " ".join(words)

    # Arguments, by signature.

    def arguments(self, spec: CommandSpec | TestSpec) -> list[str]:
        tags = self.registry.tags_of(spec)
        chosen = self.choose_tags(spec, tags)
        match_type = next((t for t in chosen if _group(tags[t]) == MATCH_TYPE), None)
        words: list[str] = []
        for name in self.draw(st.permutations(chosen)):  # RFC 5228 §2.6.2: any order
            provided = tags[name]
            self.use(provided.capability)
            words.append(":" + (name.upper() if self.chance(3) else name))
            tag = provided.spec
            assert isinstance(tag, Tag)
            if tag.value is not None:
                words.append(self.tag_value(spec, tag, chosen, match_type))
        return words + self.positionals(spec, chosen, match_type)

    def choose_tags(self, spec: CommandSpec | TestSpec, tags: dict[str, Provided]) -> list[str]:
        """At most one tag of each group (exactly one of a required group), any of the
        free ones, and each tag's `needs_tag` with it."""
        groups: dict[str | None, list[str]] = {}
        for name in sorted(tags):
            groups.setdefault(_group(tags[name]), []).append(name)
        chosen: list[str] = []
        for group, names in sorted(groups.items(), key=lambda item: item[0] or ""):
            if group is None:
                chosen += [name for name in names if self.chance(20)]
            elif group in spec.signature.required_groups or self.chance(45):
                chosen.append(self.pick(names))
        # RFC 5703 §3.2: "break :name" must name an enclosing loop.
        if spec.name == "break" and "name" in chosen and not any(self.labels):
            chosen.remove("name")
        for name in list(chosen):
            needed = getattr(tags[name].spec, "needs_tag", None)
            if needed is None or needed in chosen:
                continue
            taken = {_group(tags[t]) for t in chosen} - {None}
            if needed in tags and _group(tags[needed]) not in taken:
                chosen.append(needed)
            else:
                chosen.remove(name)
        return chosen

    def tag_value(
        self, spec: CommandSpec | TestSpec, tag: Tag, chosen: list[str], match_type: str | None
    ) -> str:
        if tag.group == COMPARATOR:
            return quoted(self.comparator(match_type))
        if spec.name == "foreverypart" and tag.name == "name":
            return quoted(self.pick(("outer", "inner", "parts")))
        if spec.name == "break" and tag.name == "name":
            return quoted(self.pick([label for label in self.labels if label]))
        if tag.values is not None:
            return self.allowed_value(tag.values, tag.value)
        if tag.value is Arg.NUMBER:
            return self.number(small=tag.name in ("index", "first"))
        hint = self.hint(spec.name, tag.name, chosen)
        if tag.role == "header-name":
            element: Callable[[], str] = self.header_name
        else:
            element = hint if hint is not None else self.text
        if tag.value is Arg.STRING_LIST:
            return self.string_list(element)
        return self.literal(element(), plain=hint is None and tag.role is None)

    def comparator(self, match_type: str | None) -> str:
        if self.chance(3):
            self.use("variables")
            return "${" + self.variable_name(False) + "}"
        names = sorted(self.registry.comparators)
        if match_type in _SUBSTRING_MATCHES:
            names = [n for n in names if n not in _WHOLE_VALUE_COMPARATORS]
        name = "i;ascii-numeric" if match_type in ("count", "value") and self.chance(80) else None
        name = name if name in self.registry.comparators else self.pick(names)
        self.use(self.registry.comparators[name])
        return name.upper() if self.chance(5) else name

    def allowed_value(self, values: tuple[str, ...], kind: Arg | None) -> str:
        def one() -> str:
            value = self.pick(values)
            return value.upper() if self.chance(10) else value

        if kind is Arg.STRING_LIST:
            return self.string_list(one)
        return quoted(one())

    def positionals(
        self, spec: CommandSpec | TestSpec, chosen: list[str], match_type: str | None
    ) -> list[str]:
        declared = spec.signature.positionals
        optional = sum(p.optional for p in declared)
        count = len(declared) - optional + self.draw(st.integers(0, optional))
        given = declared[:count]
        takes_keys = MATCH_TYPE in spec.signature.groups
        words = []
        for index, positional in enumerate(given):
            is_key = takes_keys and index == len(given) - 1
            words.append(self.positional(spec, positional, chosen, match_type, is_key, len(given)))
        return words

    def positional(
        self,
        spec: CommandSpec | TestSpec,
        positional: Positional,
        chosen: list[str],
        match_type: str | None,
        is_key: bool,
        given: int,
    ) -> str:
        kind, role = positional.kind, positional.role
        if kind is Arg.NUMBER:
            return self.number()
        if positional.name.startswith("flags-or-variable") and given == 2:
            # RFC 5232 §3: with two arguments the first names the variable(s), which needs
            # "variables"; the actions take one variable name, hasflag a list.
            self.use("variables")
            if isinstance(spec, CommandSpec):
                return quoted(self.variable_name(False))
            return self.string_list(lambda: self.variable_name(False))
        if role == "header-name":

            def element() -> str:
                return self.header_name(as_regex=is_key and match_type == "regex")
        elif role in ("variable-name", "variable-names"):
            element = self.variable_name
        elif positional.values is not None:
            return self.allowed_value(positional.values, kind)
        else:
            hint = self.hint(spec.name, positional.name, chosen)
            if is_key:

                def element() -> str:
                    return self.key(match_type, hint)
            elif self.dialect == "oracle" and role is None and self.chance(4):
                return self.callout()
            else:
                element = hint if hint is not None else self.text
            if kind is Arg.STRING_LIST:
                return self.string_list(element, plain=hint is None and not is_key)
            return self.literal(element(), plain=hint is None and not is_key)
        if kind is Arg.STRING_LIST:
            return self.string_list(element)
        return quoted(element())

    def hint(self, command: str, argument: str, chosen: list[str]) -> Callable[[], str] | None:
        """What an argument's values look like at run time, when plain text would only make
        the run fail; None for plain text."""
        hints = _value_hints(self, chosen)
        return hints.get(f"{command}.{argument}") or hints.get(argument)


def _value_hints(b: _Builder, chosen: list[str]) -> dict[str, Callable[[], str]]:
    def address() -> str:
        return b.pick(_ADDRESSES) if b.chance(90) else b.text()

    def mailto() -> str:
        return "mailto:" + b.pick(_ADDRESSES) if b.chance(85) else b.pick(("xmpp:a@b", "bad"))

    def mime_entity() -> str:
        return "Content-Type: text/plain; charset=utf-8\r\n\r\n" + b.plain_text()

    hints: dict[str, Callable[[], str]] = {
        # RFC 6134 §2.3: redirect :list names a list, not an address.
        "address": (lambda: b.pick(tuple(LISTS))) if "list" in chosen else address,
        "from": address,
        "addresses": address,
        "mailbox": lambda: b.pick(_MAILBOXES),
        "mailbox-names": lambda: b.pick(_MAILBOXES),
        "method": mailto,
        "notification-uri": mailto,
        "notification-uris": mailto,
        "notification-capability": lambda: "online",
        "zone": lambda: b.pick(_ZONES),
        "environment.name": lambda: b.pick(_ENV_ITEMS),
        "content": lambda: b.pick(_CONTENT_TYPES),
        "param": lambda: b.pick(_PARAMS),
        "flags": lambda: b.pick(_FLAGS),
        "list-of-flags": lambda: b.pick(_FLAGS),
        "flags-or-variablename": lambda: b.pick(_FLAGS),
        "flags-or-variable-list": lambda: b.pick(_FLAGS),
        "ext-list-names": lambda: b.pick(tuple(LISTS)),
        "capabilities": lambda: b.pick((*sorted(b.registry.known), "no-such-capability")),
        "include.value": lambda: b.pick(
            tuple(GLOBAL_SCRIPTS) if "global" in chosen else (*INCLUDED_SCRIPTS, "missing")
        ),
        "headers": lambda: b.pick(_HEADER_NAMES) + ": " + b.plain_text(),
        "field": lambda: b.pick(_HEADER_NAMES) + ": " + b.plain_text(),
        "adjustment": lambda: b.pick(("+5", "-2 ham", "3.5 bulk", "junk")),
        "spamtest.value": lambda: str(b.draw(st.integers(0, 10))),
        "virustest.value": lambda: str(b.draw(st.integers(0, 5))),
    }
    if "mime" in chosen:  # RFC 5230 §4.8, RFC 5703 §5: the text is a whole MIME entity
        hints["reason"] = hints["replacement"] = mime_entity
    return hints


def _group(provided: Provided) -> str | None:
    return getattr(provided.spec, "group", None)


def _label_of(words: list[str]) -> str | None:
    for index, word in enumerate(words[:-1]):
        if word.lower() == ":name":
            return words[index + 1].strip('"')
    return None


def _require(names: list[str]) -> str:
    if len(names) == 1:
        return f"require {quoted(names[0])};"
    return "require [" + ", ".join(quoted(n) for n in names) + "];"


@cache
def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    return options


def _re2_accepts(pattern: str) -> bool:
    try:
        re2.compile(pattern, _re2_options())
    except re2.error:
        return False
    return True


@st.composite
def _scripts(draw: st.DrawFn, dialect: str) -> str:
    return _Builder(draw, dialect).script()


def valid_scripts(dialect: str = "standard") -> st.SearchStrategy[str]:
    """Source text of scripts that `sieve.compile(source, dialect=dialect)` accepts, using
    every command, test and tag of the dialect's registry."""
    return _scripts(dialect)


# Messages.

_CRLF = "\r\n"
_DISPLAY_NAMES = ("Alice Example", '"Doe, John"', "=?UTF-8?B?w4RsaWNl?=", "", "Bob (work)")


@st.composite
def _encoded_word(draw: st.DrawFn, text: str) -> str:
    """RFC 2047 encoded words, well-formed or not."""
    charset = draw(st.sampled_from(("UTF-8", "iso-8859-1", "x-unknown", "utf-8")))
    raw = text.encode("utf-8" if charset.lower() != "iso-8859-1" else "latin-1", "replace")
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return f"=?{charset}?B?{base64.b64encode(raw).decode()}?="
    if kind == 1:
        return f"=?{charset}?Q?{quopri.encodestring(raw, header=True).decode()}?="
    if kind == 2:
        return f"=?{charset}?B?{base64.b64encode(raw).decode()[:-1]}!?="  # broken base64
    return f"=?{charset}?X?{text}"  # unknown encoding, unterminated


@st.composite
def _addresses(draw: st.DrawFn) -> str:
    address = draw(st.sampled_from(_ADDRESSES))
    name = draw(st.sampled_from(_DISPLAY_NAMES))
    return draw(
        st.sampled_from(
            (
                address,
                f"{name} <{address}>",
                f"{name} <{address}>, carol@example.net",
                "undisclosed-recipients:;",
                "<<broken@",
                "",
                "Group: a@example.com, b@example.org;",
            )
        )
    )


@st.composite
def _header_lines(draw: st.DrawFn) -> list[str]:
    subject_text = draw(st.sampled_from(("[sieve-users] Re: hello", "Grüße", "spam spam", "")))
    subject = draw(st.one_of(st.just(subject_text), _encoded_word(subject_text)))
    optional = {
        "Cc": draw(_addresses()),
        "List-Id": draw(st.sampled_from(("<users.sieve.example.org>", "Sieve <l.x>", "<"))),
        "X-Spam-Score": draw(st.sampled_from(("7.5", "-3", "0", "abc", "10.0", "999999999999"))),
        "X-Virus-Score": draw(st.sampled_from(("1", "5", "x"))),
        "Message-ID": draw(st.sampled_from(("<1@example.com>", "<2@example.com>", "no-brackets"))),
        "Date": draw(
            st.sampled_from(
                ("Fri, 17 May 2024 12:30:00 +0200", "17 May 2024 25:61:00 GMT", "yesterday")
            )
        ),
        "Received": "from mx.example.com by mail.example.org; Fri, 17 May 2024 12:00:00 +0000",
        "X-Long": "x" * draw(st.integers(0, 2000)),
        "X-Folded": "first part\r\n\tsecond part\r\n  third",
    }
    lines = [f"From: {draw(_addresses())}", f"To: {draw(_addresses())}", f"Subject: {subject}"]
    for name in draw(st.lists(st.sampled_from(sorted(optional)), max_size=5)):
        lines.append(f"{name}: {optional[name]}")  # a name drawn twice repeats the field
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(("no colon here", ": no name", "X-Empty:", "X-8bit: ä"))))
    return lines


def _text_part(draw: st.DrawFn) -> tuple[list[str], str]:
    text = draw(st.sampled_from(("Hello Bob,\r\nthe body.\r\n", "Grüße\r\n", "", "a\r\n.\r\n")))
    encoding = draw(st.sampled_from(("", "quoted-printable", "base64", "base64-broken")))
    if encoding == "quoted-printable":
        body = quopri.encodestring(text.encode()).decode("ascii")
    elif encoding == "base64":
        body = base64.encodebytes(text.encode()).decode("ascii")
    elif encoding == "base64-broken":
        body, encoding = "SGVsbG8*!!\r\n====\r\n", "base64"
    else:
        body = text
    charset = draw(st.sampled_from(("utf-8", "iso-8859-1", "bogus")))
    subtype = draw(st.sampled_from(("plain", "html")))
    headers = [f"Content-Type: text/{subtype}; charset={charset}"]
    if encoding:
        headers.append(f"Content-Transfer-Encoding: {encoding}")
    return headers, body


@st.composite
def _entity(draw: st.DrawFn, depth: int) -> tuple[list[str], str]:
    """The headers and body of one MIME entity, nested `depth` levels at most."""
    kind = draw(st.integers(0, 4)) if depth > 0 else 0
    if kind <= 1:
        return _text_part(draw)
    if kind == 2:
        name = draw(st.sampled_from(("report.pdf", "=?UTF-8?Q?r=C3=A9sum=C3=A9?=.pdf", "")))
        data = base64.encodebytes(draw(st.binary(max_size=40))).decode("ascii")
        return (
            [
                f'Content-Type: application/pdf; name="{name}"',
                "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf",
                "Content-Transfer-Encoding: base64",
            ],
            data,
        )
    if kind == 3:
        headers, body = draw(_entity(depth - 1))
        inner = _CRLF.join([*draw(_header_lines()), *headers]) + _CRLF * 2 + body
        return ["Content-Type: message/rfc822"], inner
    boundary = f"b{depth}-{draw(st.integers(0, 9))}"
    subtype = draw(st.sampled_from(("mixed", "alternative", "related", "digest")))
    parts = draw(st.lists(_entity(depth - 1), max_size=3))
    chunks = ["preamble" + _CRLF] if draw(st.booleans()) else []
    for headers, body in parts:
        chunks.append(f"--{boundary}{_CRLF}{_CRLF.join(headers)}{_CRLF * 2}{body}{_CRLF}")
    if draw(st.integers(0, 4)):  # sometimes the closing boundary is missing
        chunks.append(f"--{boundary}--{_CRLF}epilogue{_CRLF}")
    declared = boundary if draw(st.integers(0, 9)) else "not-used"
    return [f'Content-Type: multipart/{subtype}; boundary="{declared}"'], "".join(chunks)


@st.composite
def _realistic_messages(draw: st.DrawFn) -> bytes:
    headers, body = draw(_entity(2))
    mime = ["MIME-Version: 1.0"] if draw(st.booleans()) else []
    text = _CRLF.join([*draw(_header_lines()), *mime, *headers]) + _CRLF * 2 + body
    if draw(st.integers(0, 3)) == 0:
        text = text.replace(_CRLF, "\n")  # bare LF line ends
    charset = draw(st.sampled_from(("utf-8", "utf-8", "latin-1")))
    return text.encode(charset, "replace")


@st.composite
def _damaged(draw: st.DrawFn, message: bytes) -> bytes:
    """The message with NULs, invalid UTF-8 or random bytes put in, or cut short."""
    data = bytearray(message)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from((b"\x00", b"\xff\xfe", b"\xc3", b"\r", b"\n\n", b"--", b":")))
        data[at:at] = draw(st.one_of(st.just(junk), st.binary(max_size=8)))
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def messages() -> st.SearchStrategy[bytes]:
    """Message bytes: realistic ones (RFC 2047 words, lists, spam scores, nested multipart
    and message/rfc822, attachments), damaged ones, and random bytes."""
    realistic = _realistic_messages()
    return st.one_of(
        realistic,
        realistic,
        realistic.flatmap(_damaged),
        st.binary(max_size=300),
    )


# Runs.

FIXED_TIME = datetime(2024, 5, 17, 12, 30, 15, tzinfo=UTC)
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob+lists@example.org")
STATUSES = frozenset({"success", "failed", "limit"})


def fresh_host() -> sieve.MemoryHost:
    """A host offering what the drawn scripts name, with a fixed clock and nothing
    remembered: duplicate and vacation memory live in the host, so a second run on the
    same host would rightly differ."""
    return sieve.MemoryHost(
        clock=lambda: FIXED_TIME,
        mailboxes={"INBOX", "Junk", "Archive/2024"},
        lists={name: set(members) for name, members in LISTS.items()},
        scripts=dict(INCLUDED_SCRIPTS),
        global_scripts=dict(GLOBAL_SCRIPTS),
        items={"domain": "example.org", "host": "mx.example.org", "phase": "during"},
        callouts={table: (lambda value: (True, value.upper())) for table in CALLOUT_TABLES},
    )


def assert_well_formed(document: dict) -> None:
    """What any run must give (`Result.to_dict()`), whatever the script and the message;
    raises AssertionError saying what is wrong."""
    status = document["status"]
    assert status in STATUSES, f"status {status!r}"
    # The VM turns an exception of its own into "internal-error": a bug, never the script's.
    internal = [e for e in document["errors"] if e["code"] == "internal-error"]
    assert not internal, f"internal error: {internal}"
    if status != "success":
        # RFC 5228 §2.10.6: a run-time error cancels every action; the implicit keep stays.
        assert document["implicit_keep"] is True, "a failed run dropped the implicit keep"
        assert document["actions"] == [], f"a failed run kept actions: {document['actions']}"
        assert document["errors"], "a failed run says no reason"


__all__ = [
    "CALLOUT_TABLES",
    "ENVELOPE",
    "FIXED_TIME",
    "GLOBAL_SCRIPTS",
    "INCLUDED_SCRIPTS",
    "LISTS",
    "STATUSES",
    "assert_well_formed",
    "fresh_host",
    "messages",
    "quoted",
    "text_block",
    "valid_scripts",
]
