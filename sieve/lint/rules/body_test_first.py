"""A `body` test evaluated before cheaper header tests in `allof`/`anyof`."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.rule import Rule
from sieve.lint.structure import is_pure
from sieve.syntax.ast import Test, TestList

# Tests that read the whole body (RFC 5173), against those that read headers or the
# envelope only (RFC 5228 §5).
_EXPENSIVE = {"body"}
_CHEAP = {"header", "address", "envelope", "exists", "size", "spamtest", "virustest"}


class BodyTestFirst(Rule):
    """## What it does
    Finds `allof`/`anyof` lists where a `body` test comes before a header, address,
    envelope, exists or size test.

    ## Why is this bad?
    `allof` and `anyof` stop at the first test that decides them, so tests run left to right
    only as far as needed. A `body` test parses and decodes every text part of the message;
    put first, it runs on every message, even those a header test would have decided
    without touching the body.

    ## Example
    ```sieve
    if allof (body :contains "unsubscribe", header :contains "Precedence" "bulk") {
        fileinto "Bulk";
    }
    ```

    ## Use instead
    ```sieve
    if allof (header :contains "Precedence" "bulk", body :contains "unsubscribe") {
        fileinto "Bulk";
    }
    ```
    """

    code = "body-test-first"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        for test, _ in context.tests():
            if test.name not in ("allof", "anyof") or not isinstance(test.test, TestList):
                continue
            members = test.test.tests
            first_body = next((m for m in members if m.name in _EXPENSIVE), None)
            if first_body is None:
                continue
            after = members[members.index(first_body) + 1 :]
            cheap = next((m for m in after if _cheap(m)), None)
            # Reordering is only free when no test in the list has side effects.
            if cheap is None or not all(is_pure(m) for m in members):
                continue
            yield self.finding(
                first_body.name_span,
                f"the body test runs before the cheaper {cheap.name} test on line "
                f"{cheap.span.line}",
                f"put the {cheap.name} test first: {test.name} stops at the first test "
                "that decides it",
            )


def _cheap(test: Test) -> bool:
    return test.name in _CHEAP


RULE = BodyTestFirst()
