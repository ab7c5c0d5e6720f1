"""Tests of the same header and match type that one key list could replace."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.extensions.spec import MATCH_TYPE
from sieve.lint.context import LintContext
from sieve.lint.edits import has_comment
from sieve.lint.finding import Finding, Fix
from sieve.lint.rule import Rule
from sieve.lint.structure import is_pure
from sieve.syntax.ast import Argument, Command, String, StringList, Test, TestList


class MergeableTests(Rule):
    """## What it does
    Finds tests that differ only in their keys (same test, header or address, match type,
    comparator) and are joined by `anyof`, or open adjacent branches of an `if`/`elsif` chain
    that do the same thing.

    ## Why is this bad?
    A test is true if any of its keys matches (RFC 5228 §2.7.1), so the tests say the same as
    one test with a key list. The long form reads each header again for every test, and it
    grows into the unreadable filters that interfaces generate; Oracle's security guide asks
    for "efficient Sieves (lists, wildcard matches, and so on)".

    ## Example
    ```sieve
    if anyof (header :contains "Subject" "lottery",
              header :contains "Subject" "winner") {
        discard;
    }
    if address :is "from" "boss@example.com" { fileinto "Boss"; }
    elsif address :is "from" "ceo@example.com" { fileinto "Boss"; }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" ["lottery", "winner"] {
        discard;
    }
    if address :is "from" ["boss@example.com", "ceo@example.com"] { fileinto "Boss"; }
    ```
    """

    code = "mergeable-tests"
    fixable = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        for node, _ in context.walk():
            if isinstance(node, Test) and node.name == "anyof":
                yield from self._anyof(context, node)
            elif isinstance(node, Command) and node.name == "if":
                yield from self._chain(context, node)

    def _anyof(self, context: LintContext, anyof: Test) -> Iterator[Finding]:
        members = anyof.test.tests if isinstance(anyof.test, TestList) else []
        groups: dict[tuple, list[int]] = {}
        for index, member in enumerate(members):
            shape = _shape(context, member)
            if shape is not None:
                groups.setdefault(shape, []).append(index)
        for indexes in groups.values():
            if len(indexes) < 2:
                continue
            tests = [members[i] for i in indexes]
            between = members[indexes[0] : indexes[-1] + 1]
            fixes: tuple[Fix, ...] = ()
            if all(is_pure(test) for test in between) and self._safe(context, tests):
                removals = [(members[i - 1].span.end, members[i].span.end) for i in indexes[1:]]
                fixes = self._fixes(context, tests, removals)
            yield self._report(context, tests, "in this anyof", fixes)

    def _chain(self, context: LintContext, head: Command) -> Iterator[Finding]:
        branches = context.structure.branches(head)
        run: list[Command] = []
        for branch in [*branches, None]:
            if (
                branch is not None
                and run
                and branch.name == "elsif"
                and isinstance(branch.test, Test)
                and _shape(context, branch.test) is not None
                and _shape(context, branch.test) == _shape(context, run[0].test)  # type: ignore[arg-type]
                and branch.block == run[0].block
            ):
                run.append(branch)
                continue
            if len(run) >= 2:
                tests: list[Test] = [b.test for b in run]  # type: ignore[misc]
                fixes: tuple[Fix, ...] = ()
                if self._safe(context, tests):
                    removals = [(run[i - 1].span.end, run[i].span.end) for i in range(1, len(run))]
                    fixes = self._fixes(context, tests, removals)
                yield self._report(context, tests, "in this if/elsif chain, doing the same", fixes)
            run = [branch] if branch is not None and isinstance(branch.test, Test) else []
            if run and _shape(context, run[0].test) is None:  # type: ignore[arg-type]
                run = []

    def _safe(self, context: LintContext, tests: list[Test]) -> bool:
        """Merging keeps behaviour unless ${N} readers depend on which test matched."""
        return not (
            context.reads_match_variables and context.match_type(tests[0]) in ("matches", "regex")
        )

    def _fixes(
        self, context: LintContext, tests: list[Test], removals: list[tuple[int, int]]
    ) -> tuple[Fix, ...]:
        keys = [_key_argument(context, test) for test in tests]
        strings = [s for key in keys for s in context.strings(key)]
        if any(s.multiline for s in strings) or keys[0] is None:
            return ()
        if any(has_comment(context, start, end) for start, end in removals):
            return ()  # the fix must keep every comment
        merged = "[" + ", ".join(context.text(s.span) for s in strings) + "]"
        return (
            Fix(keys[0].span.start, keys[0].span.end, merged, "merge the key lists"),
            *(Fix(start, end, "", "drop the merged test") for start, end in removals),
        )

    def _report(
        self, context: LintContext, tests: list[Test], where: str, fixes: tuple[Fix, ...]
    ) -> Finding:
        first = tests[0]
        return self.finding(
            tests[1].name_span,
            f"{len(tests)} '{first.name} :{context.match_type(first)}' tests of the same "
            f"{_subject(context, first)} {where} (first on line {first.span.line})",
            "merge them into one test with a key list",
            fixes,
        )


def _key_index(context: LintContext, test: Test) -> int | None:
    """The index in `test.arguments` of its key list (the last positional)."""
    positionals = context.positionals(test)
    if not positionals:
        return None
    return next(i for i, argument in enumerate(test.arguments) if argument is positionals[-1])


def _key_argument(context: LintContext, test: Test) -> Argument | None:
    index = _key_index(context, test)
    return test.arguments[index] if index is not None else None


def _shape(context: LintContext, test: Test | TestList | None) -> tuple | None:
    """What must be equal for two tests to merge: everything but the keys."""
    if not isinstance(test, Test) or test.test is not None:
        return None
    spec = context.spec(test)
    if spec is None or MATCH_TYPE not in spec.signature.groups or not is_pure(test):
        return None
    index = _key_index(context, test)
    if index is None or not isinstance(test.arguments[index], String | StringList):
        return None
    rest = test.arguments[:index] + test.arguments[index + 1 :]
    # Tags in any order mean the same (RFC 5228 §2.6.2); compare them as written though,
    # which misses only reordered twins.
    return (test.name, context.match_type(test), context.comparator(test), repr(rest))


def _subject(context: LintContext, test: Test) -> str:
    positionals = context.positionals(test)
    if len(positionals) >= 2:
        names = context.string_values(positionals[0])
        if names:
            return f'"{names[0]}"' if len(names) == 1 else "headers"
    return "value"


RULE = MergeableTests()
