"""Vacation with no :days or :seconds, or a zero period."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.reading import arguments
from sieve.lint.rule import Rule
from sieve.syntax.ast import Number


class VacationWithoutPeriod(Rule):
    """## What it does
    Finds `vacation` without `:days` (RFC 5230 §4.1) or `:seconds` (RFC 6131), and
    `vacation` with a period of 0, which RFC 6131 §2 defines as "answer every message".

    ## Why is this bad?
    Without a period the server's default decides how often a sender is answered, and
    defaults differ between servers (and may be changed by the administrator). With a
    period of 0, two auto-responders, or a responder and a ticket system that confirms
    every message, answer each other without end.

    ## Example
    ```sieve
    require ["vacation"];
    vacation "I am away until Monday.";
    ```

    ## Use instead
    ```sieve
    require ["vacation"];
    vacation :days 7 "I am away until Monday.";
    ```
    """

    code = "vacation-without-period"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        for command, _ in context.commands():
            name = flow.name(command) if flow is not None else command.name
            if name != "vacation":
                continue
            tags, _ = arguments(command, context.registry)
            period = tags.get("days", tags.get("seconds"))
            if "days" not in tags and "seconds" not in tags:
                yield self.finding(
                    command.name_span,
                    "vacation without :days or :seconds: how often a sender is answered"
                    " is left to the server's default",
                    "say it: vacation :days 7 ...",
                )
            elif isinstance(period, Number) and period.value == 0:
                unit = "days" if "days" in tags else "seconds"
                yield self.finding(
                    period,
                    f"vacation :{unit} 0 answers every message: two responders (or a"
                    " responder and a ticket system) answer each other without end",
                    "give a period of at least a day, or test Auto-Submitted first",
                )


RULE = VacationWithoutPeriod()
