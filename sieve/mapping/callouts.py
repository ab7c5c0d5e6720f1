"""How a Sieve callout names its mapping table, and the check-time diagnostic for a callout
whose table the mapping file lacks.

A callout `NAME "string"` (a test) or `NAME("string")` (a value) looks up the table
`FILTER_NAME` (names compare case-insensitively). Sites rename tables, and the Oracle guide's
own greylisting example calls `greylst` while its table is `FILTER_GREYLIST`, so the link is
configurable: `CalloutLinks({"greylst": "FILTER_GREYLIST"})`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sieve.diagnostics import ERROR, Diagnostic
from sieve.mapping.tables import MappingFile
from sieve.syntax.ast import Argument, Block, Callout, Command, Script, String, Test, TestList
from sieve.syntax.source import Span

PREFIX = "FILTER_"


@dataclass(frozen=True)
class CalloutLinks:
    """Callout name → mapping table name, beyond the default `FILTER_<NAME>`."""

    tables: Mapping[str, str] = field(default_factory=dict)

    def table_for(self, callout: str) -> str:
        for name, table in self.tables.items():
            if name.lower() == callout.lower():
                return table.upper()
        return PREFIX + callout.upper()

    @classmethod
    def parse(cls, items: list[str]) -> CalloutLinks:
        """From `NAME=TABLE` pairs (the command line's --callout)."""
        tables: dict[str, str] = {}
        for item in items:
            name, equals, table = item.partition("=")
            if not equals or not name.strip() or not table.strip():
                raise ValueError(f"--callout takes NAME=TABLE, not {item!r}")
            tables[name.strip()] = table.strip()
        return cls(tables)


def callouts_in(script: Script, registry_tests: frozenset[str]) -> Iterator[tuple[str, Span]]:
    """Every callout of a checked oracle-dialect script: value callouts, and tests whose
    name no extension declares."""
    pending: list[Command | Test | Argument | Block | TestList] = list(script.commands)
    while pending:
        node = pending.pop()
        if isinstance(node, Callout):
            yield node.name, node.span
        elif isinstance(node, Command):
            pending.extend(node.arguments)
            if node.test is not None:
                pending.append(node.test)
            if node.block is not None:
                pending.extend(node.block.commands)
        elif isinstance(node, Test):
            if node.name not in registry_tests and all(
                isinstance(a, String | Callout) for a in node.arguments
            ):
                yield node.name, node.span
            pending.extend(node.arguments)
            if node.test is not None:
                pending.append(node.test)
        elif isinstance(node, TestList):
            pending.extend(node.tests)


def check_callouts(
    script: Script, mappings: MappingFile, links: CalloutLinks, registry_tests: frozenset[str]
) -> list[Diagnostic]:
    """A diagnostic for each callout whose table the mapping file does not have, naming the
    closest table and, when the names differ, how to link them."""
    found: list[Diagnostic] = []
    for name, span in callouts_in(script, registry_tests):
        table = links.table_for(name)
        if mappings.table(table) is not None:
            continue
        closest = mappings.closest(table) or mappings.closest(name)
        hint = (
            f"did you mean {closest}? If '{name}' should look up {closest}, link them: "
            f"--callout {name}={closest}"
            if closest
            else f"add a table named {table} to the mapping file"
        )
        found.append(
            Diagnostic(
                "unknown-mapping-table",
                ERROR,
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                f"the callout '{name}' looks up the mapping table {table}, which the mapping "
                "file does not have",
                hint,
            )
        )
    return found
