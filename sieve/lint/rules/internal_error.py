"""A rule that crashed (the engine reports it)."""

from __future__ import annotations

from collections.abc import Iterable

from sieve.lint.context import LintContext
from sieve.lint.finding import ERROR, Finding
from sieve.lint.rule import Rule


class InternalError(Rule):
    """## What it does
    Reports that a lint rule failed with an exception on this script. The other rules still
    ran; only the failed rule's findings are missing.

    ## Why is this bad?
    It is a bug in `sieve lint`, not in the script, but a CI run must not pass silently when
    a check did not happen.

    ## Example
    Any script that triggers the bug.

    ## Use instead
    Report the script to the sieve maintainers; meanwhile `--ignore` the failing rule.
    """

    code = "internal-error"
    severity = ERROR

    def check(self, context: LintContext) -> Iterable[Finding]:
        return ()


RULE = InternalError()
