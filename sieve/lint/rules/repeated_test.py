"""A test evaluated again on a path where its result is already known."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.rule import Rule
from sieve.lint.structure import block_ends, is_pure
from sieve.syntax.ast import Command, Test, TestList, string_nodes

# Commands that change the message (an included script may too), after which a test may
# answer differently. Flag commands only matter to hasflag, which is never taken as known.
EDITORS = frozenset({"addheader", "deleteheader", "replace", "enclose", "include"})
# What each fact records: the test's value and the line that established it.
Facts = ChainMap[str, tuple[bool, int]]


class RepeatedTest(Rule):
    """## What it does
    Finds a test evaluated again where its result is already known: twice in one
    `allof`/`anyof`, inside the block of an `if` with the same test, in an `elsif` after the
    same test, after an `if` with the same test whose block ended with `stop`, or in two
    `if`s in a row (reported as info: evaluate it once).

    ## Why is this bad?
    The second evaluation reads the message again for an answer that cannot change, and a
    condition that is always true or false on that path usually means the script does not
    do what its author thinks: an `elsif` that can never run, a nested check that cannot fail.

    ## Example
    ```sieve
    if header :contains "Subject" "[SPAM]" {
        if header :contains "Subject" "[SPAM]" { discard; }
    } elsif header :contains "Subject" "[SPAM]" {
        keep;
    }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "[SPAM]" {
        discard;
    }
    ```
    """

    code = "repeated-test"

    def check(self, context: LintContext) -> Iterator[Finding]:
        for test, _ in context.tests():
            if test.name in ("allof", "anyof") and isinstance(test.test, TestList):
                yield from self._twins(context, test, test.test.tests)
        if any(command.name in EDITORS for command, _ in context.commands()):
            return  # the message may change under the tests; no result is known for sure
        yield from self._block(context, context.script.commands, ChainMap(), ChainMap())

    def _twins(self, context: LintContext, owner: Test, members: list[Test]) -> Iterator[Finding]:
        seen: dict[str, Test] = {}
        for member in members:
            if not _stable(context, member):
                continue
            key = _key(member)
            first = seen.setdefault(key, member)
            if first is not member:
                yield self.finding(
                    member.name_span,
                    f"the same test twice in this {owner.name} (first on line {first.span.line})",
                    "remove the second one",
                )

    def _block(
        self,
        context: LintContext,
        commands: list[Command],
        facts: Facts,
        evaluated: ChainMap[str, int],
    ) -> Iterator[Finding]:
        facts = facts.new_child()
        evaluated = evaluated.new_child()
        structure = context.structure
        for command in commands:
            if command.name in ("elsif", "else"):
                continue  # walked with their `if`
            if command.name != "if":
                if command.block is not None:
                    # RFC 5703 §3: inside foreverypart, tests of the current part change
                    # with every iteration; start from nothing known.
                    inner = ChainMap() if command.name == "foreverypart" else facts
                    yield from self._block(context, command.block.commands, inner, ChainMap())
                continue
            branches = structure.branches(command)
            chain = facts.new_child()
            for branch in branches:
                test = branch.test
                if isinstance(test, Test):
                    yield from self._known(context, test, chain, evaluated, branch is command)
                inner = chain.new_child()
                if isinstance(test, Test):
                    _learn(context, inner, test, True)
                if branch.block is not None:
                    yield from self._block(context, branch.block.commands, inner, ChainMap())
                if isinstance(test, Test):
                    _learn(context, chain, test, False)
            conditional = [b for b in branches if b.name != "else"]
            if all(block_ends(b, context.structure) for b in conditional):
                # Control only gets past the chain when every test was false.
                for branch in conditional:
                    if isinstance(branch.test, Test):
                        _learn(context, facts, branch.test, False)
            elif (
                len(branches) == 1
                and isinstance(command.test, Test)
                and _stable(context, command.test)
            ):
                evaluated[_key(command.test)] = command.test.span.line

    def _known(
        self,
        context: LintContext,
        test: Test,
        facts: Facts,
        evaluated: ChainMap[str, int],
        heads_chain: bool,
    ) -> Iterator[Finding]:
        if not _stable(context, test):
            return
        key = _key(test)
        fact = facts.get(key)
        if fact is not None:
            value, line = fact
            yield self.finding(
                test.name_span,
                f"this test was already {'true' if value else 'false'} on this path "
                f"(line {line}), so here it is always {'true' if value else 'false'}",
                "drop this test, it decides nothing"
                if value
                else "this branch can never run: remove it or change its test",
            )
            return
        if heads_chain and key in evaluated:
            yield self.finding(
                test.name_span,
                f"the same test as the if on line {evaluated[key]}, evaluated again",
                "evaluate it once: move these commands into the first if's block",
                severity=INFO,
            )
            return
        if isinstance(test.test, TestList):
            for member in test.test.tests:
                yield from self._known(context, member, facts, evaluated, False)
        elif isinstance(test.test, Test):
            yield from self._known(context, test.test, facts, evaluated, False)


def _learn(context: LintContext, facts: Facts, test: Test, value: bool) -> None:
    """Records that `test` has `value` here, and what follows for its parts."""
    if not _stable(context, test):
        return
    facts[_key(test)] = (value, test.span.line)
    inner = test.test
    if test.name == "not" and isinstance(inner, Test):
        _learn(context, facts, inner, not value)
    elif isinstance(inner, TestList) and (
        (test.name == "allof" and value) or (test.name == "anyof" and not value)
    ):
        for member in inner.tests:
            _learn(context, facts, member, value)


def _stable(context: LintContext, test: Test) -> bool:
    """A test whose answer cannot change between two evaluations on one path."""
    if not is_pure(test) or test.name in ("hasflag", "true", "false"):
        return False
    variables = "variables" in context.required
    return not (variables and _reads_variables(test))


def _reads_variables(test: Test) -> bool:
    if any("${" in s.value for argument in test.arguments for s in string_nodes(argument)):
        return True
    inner = test.test
    members = inner.tests if isinstance(inner, TestList) else [inner] if inner else []
    return any(_reads_variables(member) for member in members)


def _key(test: Test) -> str:
    # Dataclass reprs leave spans out, so equal tests written in different places match.
    return repr(test)


RULE = RepeatedTest()
