"""What a rule sees: the decoded source, the checked syntax tree, the registry it was checked
against, the settings, the control-flow graph, and small helpers that read arguments the
way the checker and compiler do (tags and their values first, then positionals).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sieve.extensions.registry import Provided, Registry
from sieve.extensions.spec import COMPARATOR, MATCH_TYPE, CommandSpec, TestSpec
from sieve.lint import reading
from sieve.lint.config import LintConfig
from sieve.syntax.ast import (
    Argument,
    Command,
    Script,
    String,
    Tag,
    Test,
    TestList,
    string_nodes,
)
from sieve.syntax.source import SourceMap, Span

if TYPE_CHECKING:
    from sieve.lint.flow import ControlFlow
    from sieve.lint.structure import Structure

Node = Command | Test
Ancestors = tuple[Node, ...]

# RFC 5228 §2.7.3: the default comparator is i;ascii-casemap (§2.7.1's default match type
# is in reading.py).
DEFAULT_COMPARATOR = "i;ascii-casemap"
# Comparators under which :matches, :is and :contains compare the same text, so a glob can
# be rewritten as one of the others.
EQUALITY_COMPARATORS = frozenset({"i;ascii-casemap", "i;octet", "i;unicode-casemap"})

_FLOW_FAILED = object()
_MATCH_VARIABLE = re.compile(r"\$\{[0-9]+\}")


class LintContext:
    """One script being linted. Built once per script and shared by every rule, so the
    expensive views (the list of nodes, the control-flow graph) are made at most once."""

    def __init__(
        self,
        source: str,
        name: str,
        script: Script,
        registry: Registry,
        required: frozenset[str],
        dialect: str,
        config: LintConfig,
        source_map: SourceMap | None = None,
        resolve_include: Callable[[str, bool], Script | None] | None = None,
    ) -> None:
        self.source = source
        self.name = name
        self.script = script
        self.registry = registry
        self.required = required
        self.dialect = dialect
        self.config = config
        self.source_map = source_map or SourceMap(source)
        self.resolve_include = resolve_include
        self._nodes: list[tuple[Node, Ancestors]] | None = None
        self._flow: Any = None
        self._structure: Structure | None = None
        self._match_variables_read: bool | None = None
        # Why the control-flow graph could not be built, if it could not.
        self.flow_error: str | None = None
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, make: Callable[[LintContext], Any]) -> Any:
        """`make(self)`, computed once per script and shared by the rules that need it."""
        if key not in self._memo:
            self._memo[key] = make(self)
        return self._memo[key]

    # The control-flow graph (sieve/lint/flow.py), built on first use.

    @property
    def flow(self) -> ControlFlow | None:
        """The control-flow graph, or None when it cannot be built (rules that need it then
        report nothing rather than guess)."""
        if self._flow is None:
            self._flow = self._build_flow()
        return None if self._flow is _FLOW_FAILED else self._flow

    def _build_flow(self) -> Any:
        try:
            from sieve.lint.flow import ControlFlow
        except ImportError as error:
            self.flow_error = f"no control-flow graph: {error}"
            return _FLOW_FAILED
        try:
            return ControlFlow(
                self.script,
                self.registry,
                mime_part_limit=self.config.max_mime_parts,
                resolve_include=self.resolve_include,
            )
        except Exception as error:  # a bug in the graph must not stop the other rules
            self.flow_error = f"control-flow graph failed: {type(error).__name__}: {error}"
            return _FLOW_FAILED

    @property
    def structure(self) -> Structure:
        """Blocks, if-chains and where the script certainly ends (sieve/lint/structure.py)."""
        if self._structure is None:
            from sieve.lint.structure import build_structure

            self._structure = build_structure(self.script)
        return self._structure

    @property
    def reads_match_variables(self) -> bool:
        """Whether any string reads `${0}`…`${N}` (RFC 5229 §3.2), in which case changing a
        :matches or :regex test would change what those variables hold."""
        if self._match_variables_read is None:
            self._match_variables_read = "variables" in self.required and any(
                _MATCH_VARIABLE.search(string.value) for string in self.all_strings()
            )
        return self._match_variables_read

    def all_strings(self) -> Iterator[String]:
        """Every string argument of every command and test (tag values included)."""
        for node, _ in self.walk():
            for argument in node.arguments:
                yield from self.strings(argument)

    # Walking the tree.

    def walk(self) -> Iterator[tuple[Node, Ancestors]]:
        """Every command and test in source order, with the commands and tests that enclose
        it (outermost first). Tests of `allof`/`anyof`/`not` have those tests as ancestors."""
        if self._nodes is None:
            nodes: list[tuple[Node, Ancestors]] = []
            _collect(self.script.commands, (), nodes)
            self._nodes = nodes
        return iter(self._nodes)

    def commands(self) -> Iterator[tuple[Command, Ancestors]]:
        for node, ancestors in self.walk():
            if isinstance(node, Command):
                yield node, ancestors

    def tests(self) -> Iterator[tuple[Test, Ancestors]]:
        for node, ancestors in self.walk():
            if isinstance(node, Test):
                yield node, ancestors

    def glob_tests(self) -> Iterator[tuple[Test, Tag, list[String]]]:
        """Every `:matches` test under a comparator that compares text as it is, with its
        keys: what the rules that would turn a glob into :is or :contains look at."""
        for test, _ in self.tests():
            tag = self.match_type_tag(test)
            if tag is None or tag.name != "matches":
                continue
            if self.comparator(test) not in EQUALITY_COMPARATORS:
                continue
            keys = self.strings(self.positional(test, -1))
            if keys:
                yield test, tag, keys

    # Reading arguments.

    def spec(self, node: Node) -> CommandSpec | TestSpec | None:
        provided = self.provided(node)
        return provided.spec if provided is not None else None  # type: ignore[return-value]

    def provided(self, node: Node) -> Provided | None:
        """The registry entry of a command or test, through dialect aliases (`erejec`)."""
        return reading.provided(node, self.registry)

    def tags(self, node: Node) -> Iterator[tuple[Tag, Argument | None]]:
        """Each tag of a command or test with its value (None for tags that take none)."""
        yield from reading.split(node, self.registry)[0]

    def tag(self, node: Node, name: str) -> Tag | None:
        """The tag `:name` of a command or test, if given."""
        for tag, _ in self.tags(node):
            if tag.name == name:
                return tag
        return None

    def tag_value(self, node: Node, name: str) -> Argument | None:
        """The value given to the tag `:name` (`:days 7` → Number(7)), if any."""
        for tag, value in self.tags(node):
            if tag.name == name:
                return value
        return None

    def positionals(self, node: Node) -> list[Argument]:
        """The positional arguments, tags and tag values left out."""
        return reading.split(node, self.registry)[1]

    def positional(self, node: Node, index: int) -> Argument | None:
        """The `index`-th positional argument (0-based; negative counts from the end)."""
        found = self.positionals(node)
        try:
            return found[index]
        except IndexError:
            return None

    def _group_tag(self, node: Node, group: str) -> Tag | None:
        members = self.registry.group_tags.get(group, {})
        for tag, _ in self.tags(node):
            if tag.name in members:
                return tag
        return None

    def match_type(self, node: Node) -> str:
        """The match type's name without the colon: "is" when none is given."""
        return reading.match_type(node, self.registry)

    def match_type_tag(self, node: Node) -> Tag | None:
        """The match-type tag as written, to point at it or replace it."""
        return self._group_tag(node, MATCH_TYPE)

    def comparator(self, node: Node) -> str:
        value = self.tag_value(node, "comparator")
        if isinstance(value, String):
            return value.value.lower()
        return DEFAULT_COMPARATOR if self._group_tag(node, COMPARATOR) is None else ""

    @staticmethod
    def strings(argument: Argument | None) -> list[String]:
        """The String nodes of a string or string list (a callout's argument counts)."""
        return string_nodes(argument)

    @staticmethod
    def string_values(argument: Argument | None) -> list[str]:
        return [string.value for string in LintContext.strings(argument)]

    # Positions.

    def text(self, span: Span) -> str:
        return self.source[span.start : span.end]


def _collect(commands: list[Command], ancestors: Ancestors, out: list[tuple[Node, Ancestors]]):
    for command in commands:
        out.append((command, ancestors))
        inner = (*ancestors, command)
        if command.test is not None:
            _collect_test(command.test, inner, out)
        if command.block is not None:
            _collect(command.block.commands, inner, out)


def _collect_test(
    test: Test | TestList, ancestors: Ancestors, out: list[tuple[Node, Ancestors]]
) -> None:
    if isinstance(test, TestList):
        for member in test.tests:
            _collect_test(member, ancestors, out)
        return
    out.append((test, ancestors))
    if test.test is not None:
        _collect_test(test.test, (*ancestors, test), out)
