"""Vacation (or a notify that answers the sender) that may reply to lists and robots."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.rule import Rule
from sieve.lint.rules.content_derived_target import SENDER, target_uses

# RFC 2369/2919 list fields, RFC 3834 Auto-Submitted, the de-facto Precedence and the
# fields robots and Exchange set.
AUTOMATIC_MAIL_HEADERS = frozenset(
    {
        "list-id",
        "list-unsubscribe",
        "list-post",
        "list-help",
        "list-subscribe",
        "list-owner",
        "list-archive",
        "mailing-list",
        "x-mailing-list",
        "precedence",
        "auto-submitted",
        "x-auto-response-suppress",
        "x-autoreply",
        "x-autorespond",
    }
)


def tests_for_automatic_mail(facts: frozenset) -> bool:
    return "*" in facts or any(
        fact in AUTOMATIC_MAIL_HEADERS or fact.startswith("list-") for fact in facts
    )


class VacationAnswersLists(Rule):
    """## What it does
    Finds `vacation`, and `notify` whose recipient comes from the sender, with no test of
    `List-Id` (or another `List-*` field), `Precedence` or `Auto-Submitted` on every path
    to it.

    ## Why is this bad?
    An auto-reply to a mailing list goes to every subscriber; an auto-reply to another
    auto-responder starts a loop. RFC 5230 §4.5 asks servers not to answer such mail,
    and our VM and Pigeonhole refuse it, but not every server does, and the script may
    move. Reported as information, since a conforming server already protects you.

    ## Example
    ```sieve
    require ["vacation"];
    vacation :days 7 "I am away until Monday.";
    ```

    ## Use instead
    ```sieve
    require ["vacation"];
    if not anyof (exists "List-Id",
                  header :is "Precedence" ["bulk", "list", "junk"],
                  header :contains "Auto-Submitted" "auto-") {
        vacation :days 7 "I am away until Monday.";
    }
    ```
    """

    code = "vacation-answers-lists"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        tested = flow.tested()
        for command, _ in context.commands():
            name = flow.name(command)
            if name == "vacation":
                answers = "vacation"
            elif name == "notify" and any(
                use.origins & SENDER and not use.query for use in target_uses(context, command)
            ):
                answers = "this notify goes to the sender, and"
            else:
                continue
            facts = tested.before(command)
            if facts is None or tests_for_automatic_mail(facts):
                continue
            yield self.finding(
                command.name_span,
                f"{answers} can answer mailing lists and automatic mail: no path to it tests"
                " List-Id, Precedence or Auto-Submitted",
                'guard it: if not anyof (exists "List-Id", header :is "Precedence"'
                ' ["bulk", "list", "junk"], header :contains "Auto-Submitted" "auto-") {...}',
            )


RULE = VacationAnswersLists()
