"""Reading tests and arguments the way the compiler does, for the rules and the data-flow
analyses: the leaf tests of a condition and their outcomes, a node's tags and positionals
by the registry's signature, the header names and envelope parts a test reads, its match
type, and the `${...}` variable references of a string.

These read one node at a time and know nothing of the control flow, so they live apart
from it (flow.py) and from the analyses built on them (analyses.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sieve.extensions.registry import Provided, Registry
from sieve.extensions.spec import MATCH_TYPE
from sieve.runtime.variables import VARIABLE_REF
from sieve.syntax.ast import (
    Argument,
    Command,
    Tag,
    Test,
    TestList,
    split_arguments,
    string_nodes,
)

# RFC 5228 §2.7.1: without a match-type tag a test compares with :is.
DEFAULT_MATCH_TYPE = "is"


def leaf_tests(test: Test | TestList | None) -> Iterator[Test]:
    """Every test of a condition that looks at something (not `allof`/`anyof`/`not`)."""
    if test is None:
        return
    pending: list[Test | TestList] = [test]
    while pending:
        node = pending.pop()
        if isinstance(node, TestList):
            pending.extend(reversed(node.tests))
            continue
        if node.name in ("allof", "anyof", "not"):
            if node.test is not None:
                pending.append(node.test)
            continue
        yield node


def outcomes(test: Test | TestList, outcome: bool | None) -> Iterator[tuple[Test, bool | None]]:
    """The leaf tests of a condition in evaluation order, each with whether it surely
    succeeded (True), surely failed (False) or may have either (None), given the outcome
    of the whole condition."""
    if isinstance(test, TestList):
        for member in test.tests:
            yield from outcomes(member, outcome)
        return
    if test.name == "not":
        if test.test is not None:
            yield from outcomes(test.test, None if outcome is None else not outcome)
        return
    if test.name in ("allof", "anyof"):
        # allof is true only if every member is; anyof is false only if every member is.
        sure = outcome if outcome == (test.name == "allof") else None
        if test.test is not None:
            yield from outcomes(test.test, sure)
        return
    yield test, outcome


def provided(node: Command | Test, registry: Registry) -> Provided | None:
    """The registry entry of a command or test, through dialect aliases (`erejec`)."""
    table = registry.commands if isinstance(node, Command) else registry.tests
    found = table.get(node.name)
    if found is None and node.name in registry.aliases:
        found = table.get(registry.aliases[node.name].means)
    return found


def split(
    node: Command | Test, registry: Registry
) -> tuple[list[tuple[Tag, Argument | None]], list[Argument]]:
    """A command's or test's tags, each with its value, and its positionals, read with the
    registry's signature as the compiler reads them (`split_arguments`)."""
    found = provided(node, registry)
    valued = registry.valued_tags(found.spec) if found is not None else frozenset()
    return split_arguments(node.arguments, valued)


def arguments(node: Command | Test, registry: Registry) -> tuple[dict[str, Argument | None], list]:
    """A command's or test's tags (name → value, None for flags) and positionals, read
    with the registry's signature as the compiler reads them."""
    tags, positionals = split(node, registry)
    return {tag.name: value for tag, value in tags}, positionals


def positional_roles(node: Command | Test, registry: Registry) -> list[tuple[str | None, Argument]]:
    """Each positional argument with its declared role ("header-name", "variable-name"...);
    None for one the command does not declare."""
    found = provided(node, registry)
    _, positionals = split(node, registry)
    # Only the last positionals may be optional (spec.py), so the given ones pair up with
    # the declared ones in order.
    declared = found.spec.signature.positionals if found is not None else ()  # type: ignore[union-attr]
    roles = [p.role for p in declared]
    return [*zip(roles, positionals, strict=False), *((None, a) for a in positionals[len(roles) :])]


def header_names(test: Test, registry: Registry) -> list[str]:
    """The header fields a test reads, lower-cased (from the arguments whose role is a
    header name: header, address, exists, date, and :mime variants)."""
    names: list[str] = []
    for role, argument in positional_roles(test, registry):
        if role == "header-name":
            names.extend(s.value.strip().lower() for s in string_nodes(argument))
    if test.name == "duplicate":
        tags, _ = arguments(test, registry)
        names.extend(s.value.strip().lower() for s in string_nodes(tags.get("header")))
    return names


def envelope_parts(test: Test, registry: Registry) -> list[str]:
    """The envelope parts an `envelope` test reads ("from", "to"), lower-cased."""
    if test.name != "envelope":
        return []
    _, positionals = arguments(test, registry)
    return [s.value.lower() for s in string_nodes(positionals[0])] if positionals else []


def match_type(node: Command | Test, registry: Registry) -> str:
    """The match type's name without the colon: "is" when none is given (RFC 5228 §2.7.1)."""
    tags, _ = split(node, registry)
    members = registry.group_tags.get(MATCH_TYPE, {})
    return next((tag.name for tag, _ in tags if tag.name in members), DEFAULT_MATCH_TYPE)


def facts_of(test: Test, registry: Registry) -> set[str]:
    """What one test looks at: "test:<name>", the header names it reads,
    "envelope:<part>" for the envelope parts, and "count:<name>" when it counts fields."""
    facts = {f"test:{test.name}"}
    if test.name in registry.tests:
        names = header_names(test, registry)
        facts.update(names)
        facts.update(f"envelope:{part}" for part in envelope_parts(test, registry))
        if match_type(test, registry) == "count":
            facts.update(f"count:{name}" for name in names)
    return facts


# Variable references.

_NAMESPACED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.")


def variable_key(name: str) -> str:
    """A variable's key: variable names are case-insensitive (RFC 5229 §3) and match
    variables are "0" ... "9"."""
    name = name.strip().lower()
    return str(int(name)) if name.isdigit() else name


def references(text: str) -> Iterator[tuple[int, str]]:
    """Each `${name}` of a string: where it starts and the variable's key."""
    for match in VARIABLE_REF.finditer(text):
        if _NAMESPACED.match(match.group(1)) and not match.group(1).isdigit():
            continue  # ${env.x}, ${vnd.x}: not variables a script sets
        yield match.start(), variable_key(match.group(1))
