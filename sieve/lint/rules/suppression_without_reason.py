"""A suppression comment that does not say why (the engine reports it)."""

from __future__ import annotations

from collections.abc import Iterable

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule


class SuppressionWithoutReason(Rule):
    """## What it does
    Reports a `# sieve-lint: ignore[CODE]` comment with no reason after the brackets.

    ## Why is this bad?
    A suppression hides a finding from every later review. Without a reason nobody can tell
    whether the finding was a false positive, an accepted risk or a shortcut, so nobody
    dares to remove it when the script changes.

    ## Example
    ```sieve
    # sieve-lint: ignore[doubled-wildcard]
    if header :matches "Received" "**(Forwarded-For: *)*" { set "ip" "${2}"; }
    ```

    ## Use instead
    ```sieve
    # sieve-lint: ignore[doubled-wildcard] the MTA's own scripts number ${2} this way
    if header :matches "Received" "**(Forwarded-For: *)*" { set "ip" "${2}"; }
    ```
    """

    code = "suppression-without-reason"

    def check(self, context: LintContext) -> Iterable[Finding]:
        # Suppressions are read and judged by the engine after every rule has run.
        return ()


RULE = SuppressionWithoutReason()
