"""Reject, which sends a notice to a sender that may be forged."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule

# Fields in which a receiving server records that it checked the sender (RFC 8601, RFC
# 8617, RFC 7208 §9.1) or that the sender logged in.
AUTHENTICATION_HEADERS = frozenset(
    {
        "authentication-results",
        "arc-authentication-results",
        "received-spf",
        "x-authenticated-user",
        "x-authenticated-sender",
        "x-original-authentication-results",
    }
)


def _about_spam(facts: frozenset) -> bool:
    return any(
        fact in ("test:spamtest", "test:virustest") or fact.startswith(("x-spam", "x-virus"))
        for fact in facts
    )


class RejectBackscatter(Rule):
    """## What it does
    Finds `reject` (RFC 5429 §2.2) on a path that does not test whether the sender is
    genuine (an `Authentication-Results`, `ARC-Authentication-Results` or `Received-SPF`
    field, or a field recording an authenticated submitter).

    ## Why is this bad?
    `reject` accepts the message first and then mails a refusal to its envelope sender.
    Spam and viruses carry forged senders, so the refusal goes to an innocent third party
    (backscatter), and the server is listed as a spam source for sending it. A forwarded
    message is refused to its original sender, who cannot fix anything. Oracle's guide
    advises refusing in the SMTP dialogue, discarding, or keeping a quarantine instead.

    ## Example
    ```sieve
    require ["reject"];
    if header :contains "X-Spam-Flag" "YES" {
        reject "Spam is not welcome here.";
    }
    ```

    ## Use instead
    ```sieve
    require ["ereject", "fileinto"];
    if header :contains "X-Spam-Flag" "YES" {
        fileinto "Quarantine";
    }
    if header :contains "X-Virus-Status" "infected" {
        ereject "Infected mail is refused.";
    }
    ```
    `ereject` (RFC 5429 §2.1) refuses while the sending server is still connected, so
    no refusal is mailed; `discard` and a quarantine folder send nothing at all.
    """

    code = "reject-backscatter"

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        rejects = [c for c, _ in context.commands() if flow.name(c) == "reject"]
        if not rejects:
            return
        tested = flow.tested()
        for command in rejects:
            facts = tested.before(command)
            if facts is None or "*" in facts or facts & AUTHENTICATION_HEADERS:
                continue
            why = (
                "spam and viruses almost always carry forged senders"
                if _about_spam(facts)
                else "the sender may be forged, or the mail forwarded"
            )
            yield self.finding(
                command.name_span,
                f"reject mails a refusal to the envelope sender after accepting the message;"
                f" {why}, so the refusal is backscatter",
                "refuse during SMTP with ereject, or discard, or file into a quarantine folder",
            )


RULE = RejectBackscatter()
