"""The data-flow analyses the rules share, run by the engine in dataflow.py: which tests
every path to a command has evaluated (`SeenOnEveryPath`, a must analysis) and where the
values of variables come from (`ValueOrigins`, a may analysis over `set`, RFC 5229).

They are kept apart from the engine and from the control flow (flow.py), which runs them
once per script and keeps the result (`ControlFlow.tested()`, `value_origins()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sieve.extensions.registry import Registry
from sieve.lint.dataflow import Analysis
from sieve.lint.reading import (
    arguments,
    envelope_parts,
    header_names,
    leaf_tests,
    match_type,
    outcomes,
    variable_key,
)
from sieve.runtime.variables import VARIABLE_REF
from sieve.syntax.ast import Argument, Command, String, Test, TestList, string_nodes

# Analysis: what the script has tested on every path (a must analysis).


class SeenOnEveryPath(Analysis[frozenset]):
    """Facts established by the tests evaluated on every path to a command: `facts(test)`
    names what one test establishes (say, the header names it reads). Includes that are
    not followed add the fact "*" (anything may have been tested there)."""

    def __init__(self, facts: Callable[[Test], Iterable[str]]) -> None:
        self.facts = facts

    def start(self) -> frozenset:
        return frozenset()

    def join(self, first: frozenset, second: frozenset) -> frozenset:
        return first & second

    def command(self, command: Command, state: frozenset) -> frozenset:
        if command.name == "include":
            return state | {"*"}
        return state

    def condition(
        self, command: Command, test: Test | TestList, state: frozenset, outcome: bool
    ) -> frozenset:
        found = set(state)
        for leaf in leaf_tests(test):
            found.update(self.facts(leaf))
        return frozenset(found)


# Analysis: where the values of variables come from (a may analysis, def-use over `set`).

# Origins: "header:<name>", "envelope:from", "envelope:to", "body"; "+url" is appended
# when the value went through `set :encodeurl` (RFC 5435 §6), which makes it safe inside
# a URI's query but still attacker-chosen.
URL_SAFE = "+url"
# Match variables are "0" ... "9" (RFC 5229 §3).
_MATCH_VARIABLES = tuple(str(n) for n in range(10))

Origins = frozenset  # of (variable, origin) pairs


class ValueOrigins(Analysis[frozenset]):
    """For each variable, which parts of the message its value may come from: `set`
    copies the origins of the variables it reads (RFC 5229 §4), a constant clears them, a
    successful `:matches`/`:regex` sets the match variables from what the test read
    (RFC 5229 §3.2; a failed one leaves them, so the old origins stay as well)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def start(self) -> frozenset:
        return frozenset()

    def join(self, first: frozenset, second: frozenset) -> frozenset:
        return first | second

    def of_text(self, text: str, state: frozenset) -> frozenset[str]:
        """The origins of the variables a string with `${…}` reads."""
        if "${" not in text:
            return frozenset()
        names = {variable_key(m.group(1)) for m in VARIABLE_REF.finditer(text)}
        return frozenset(origin for variable, origin in state if variable in names)

    def of_argument(self, argument: Argument | None, state: frozenset) -> frozenset[str]:
        found: set[str] = set()
        for string in string_nodes(argument):
            found.update(self.of_text(string.value, state))
        return frozenset(found)

    def command(self, command: Command, state: frozenset) -> frozenset:
        if command.name == "set":
            tags, positionals = arguments(command, self.registry)
            if len(positionals) < 2 or not isinstance(positionals[0], String):
                return state
            target = variable_key(positionals[0].value)
            origins = self.of_argument(positionals[1], state)
            if "length" in tags:
                origins = frozenset()  # a number says nothing an attacker could aim
            elif "encodeurl" in tags:
                origins = frozenset(o if o.endswith(URL_SAFE) else o + URL_SAFE for o in origins)
            return _assign(state, target, origins)
        if command.name == "extracttext":
            _, positionals = arguments(command, self.registry)
            if positionals and isinstance(positionals[0], String):
                return _assign(state, variable_key(positionals[0].value), frozenset({"body"}))
        return state

    def condition(
        self, command: Command, test: Test | TestList, state: frozenset, outcome: bool
    ) -> frozenset:
        for leaf, succeeded in outcomes(test, outcome):
            if succeeded is False:
                continue
            origins = self.captured(leaf, state)
            if origins is None:
                continue
            added = {(variable, origin) for variable in _MATCH_VARIABLES for origin in origins}
            if succeeded:
                # RFC 5229 §3.2: a successful match replaces all match variables.
                state = frozenset(pair for pair in state if pair[0] not in _MATCH_VARIABLES)
            state = state | added
        return state

    def captured(self, test: Test, state: frozenset) -> frozenset[str] | None:
        """The origins of what a test's match variables capture, or None if it sets none."""
        registry = self.registry
        if test.name not in registry.tests:
            # An Oracle mapping callout used as a test sets ${0} from the table's answer,
            # which may echo its argument.
            return frozenset().union(*(self.of_argument(a, state) for a in test.arguments))
        if match_type(test, registry) not in ("matches", "regex"):
            return None
        found: set[str] = {f"header:{name}" for name in header_names(test, registry)}
        found.update(f"envelope:{part}" for part in envelope_parts(test, registry))
        if test.name == "body":
            found.add("body")
        elif test.name == "string":
            _, positionals = arguments(test, registry)
            if positionals:
                found.update(self.of_argument(positionals[0], state))
        return frozenset(found)


def _assign(state: frozenset, variable: str, origins: frozenset[str]) -> frozenset:
    kept = {pair for pair in state if pair[0] != variable}
    kept.update((variable, origin) for origin in origins)
    return frozenset(kept)
