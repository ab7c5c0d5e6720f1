"""A suppression comment that suppresses nothing (the engine reports it)."""

from __future__ import annotations

from collections.abc import Iterable

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.rule import Rule


class UnusedSuppression(Rule):
    """## What it does
    Reports a `# sieve-lint: ignore[CODE] reason` comment when no finding of `CODE` stands on
    its line or the next one, or when no rule has that code.

    ## Why is this bad?
    A stale suppression outlives the code it was written for and silently hides the next
    real finding that lands on that line. A misspelt code suppresses nothing at all.

    ## Example
    ```sieve
    # sieve-lint: ignore[doubled-wildcards] the guide's pattern   (the code is misspelt)
    if header :matches "Received" "**(Forwarded-For: *)*" { set "ip" "${2}"; }
    ```

    ## Use instead
    ```sieve
    # sieve-lint: ignore[doubled-wildcard] the guide's pattern
    if header :matches "Received" "**(Forwarded-For: *)*" { set "ip" "${2}"; }
    ```
    """

    code = "unused-suppression"
    severity = INFO

    def check(self, context: LintContext) -> Iterable[Finding]:
        # Only the engine knows which findings a suppression caught.
        return ()


RULE = UnusedSuppression()
