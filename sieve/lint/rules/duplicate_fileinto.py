"""`fileinto` the same mailbox twice on one path."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, String

_MAX_PER_MAILBOX = 64


class DuplicateFileinto(Rule):
    """## What it does
    Finds two `fileinto` actions with the same mailbox that one execution can reach.

    ## Why is this bad?
    The message is filed once anyway: duplicate actions are merged (RFC 5228 §2.10.3). The
    second `fileinto` is either dead weight or a copy-paste slip where another mailbox was
    meant, and flags given to the second are lost in the merge.

    ## Example
    ```sieve
    require "fileinto";
    if header :contains "From" "boss@example.com" { fileinto "Work"; }
    if header :contains "Subject" "urgent" { fileinto "Work"; }
    ```

    ## Use instead
    ```sieve
    require "fileinto";
    if anyof (header :contains "From" "boss@example.com",
              header :contains "Subject" "urgent") {
        fileinto "Work";
    }
    ```
    """

    code = "duplicate-fileinto"
    severity = "info"

    def check(self, context: LintContext) -> Iterator[Finding]:
        by_mailbox: dict[str, list[Command]] = {}
        for command, _ in context.commands():
            if command.name != "fileinto":
                continue
            mailbox = context.positional(command, 0)
            if not isinstance(mailbox, String) or "${" in mailbox.value:
                continue
            # RFC 3501 §5.1: INBOX is case-insensitive, other names are not.
            key = "INBOX" if mailbox.value.upper() == "INBOX" else mailbox.value
            by_mailbox.setdefault(key, []).append(command)
        structure = context.structure
        for mailbox, commands in by_mailbox.items():
            commands = commands[:_MAX_PER_MAILBOX]
            for index, later in enumerate(commands[1:], start=1):
                earlier = next(
                    (c for c in commands[:index] if not structure.exclusive(c, later)), None
                )
                if earlier is None:
                    continue
                yield self.finding(
                    later.name_span,
                    f'fileinto "{mailbox}" again: the one on line {earlier.span.line} can '
                    "run in the same execution, and the two are merged into one",
                    "join the conditions with anyof, or remove one of them",
                )


RULE = DuplicateFileinto()
