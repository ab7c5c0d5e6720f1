"""Redirect back to the envelope sender or to the recipient."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.lint.rules.content_derived_target import RECIPIENT, SENDER, describe, target_uses


class RedirectToSender(Rule):
    """## What it does
    Finds `redirect` whose address comes from the sender (the envelope sender, `From`,
    `Sender`, `Reply-To`, `Return-Path`) or from the recipient (the envelope recipient,
    `To`, `Cc`, `Delivered-To`), through `:matches` captures and the variables set from
    them (`${from}` after `set "from" "${1}"`).

    ## Why is this bad?
    Sending a message back where it came from is how mail loops start: two such scripts,
    or one script and an auto-responder, pass a message back and forth until a hop limit
    stops them. Sender addresses are also forged in most spam, so the copies go to
    innocent third parties (backscatter). Redirecting to the recipient sends the message
    to the mailbox whose script is running, which runs the script again.

    ## Example
    ```sieve
    require ["envelope", "variables"];
    if envelope :matches "from" "*" { set "sender" "${1}"; }
    redirect "${sender}";
    ```

    ## Use instead
    ```sieve
    require ["reject"];
    reject "This address no longer accepts mail.";
    ```
    To answer the sender, use `vacation` (which never answers lists, bounces or itself,
    RFC 5230 §4.5) or refuse the message; to forward, use a fixed address.
    """

    code = "redirect-to-sender"

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        for command, _ in context.commands():
            if flow.name(command) != "redirect":
                continue
            for use in target_uses(context, command):
                back = use.origins & (SENDER | RECIPIENT)
                if not back:
                    continue
                who = "the sender" if back & SENDER else "the recipient"
                yield self.finding(
                    use.string,
                    f"redirects the message back to {who}: the address comes from"
                    f" {describe(back)} (through ${{{use.variable}}}), which loops or"
                    " sends mail to forged senders",
                    "redirect to a fixed address; to answer the sender use vacation or reject",
                )
                break


RULE = RedirectToSender()
