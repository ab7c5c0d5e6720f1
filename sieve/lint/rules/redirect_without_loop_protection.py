"""Redirect with no check against mail loops."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.reading import arguments
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, string_nodes

# Header fields that mark a message as already forwarded or looping: RFC 5322 §3.6.6
# resent fields, the de-facto X-Loop and Delivered-To, what common MTAs and Sieve
# implementations add when they redirect, and a count of Received fields (a hop limit,
# RFC 5321 §6.3).
LOOP_HEADERS = frozenset(
    {
        "x-loop",
        "delivered-to",
        "x-sieve-redirected-from",
        "x-forwarded-to",
        "x-forwarded-for",
        "x-been-there",
        "x-beenthere",
        "resent-from",
        "resent-to",
        "resent-sender",
        "resent-message-id",
        "count:received",
    }
)


def added_headers(context: LintContext) -> set[str]:
    """The header fields the script adds itself (RFC 5293 `addheader name value`, or
    Oracle's one-argument `addheader "Name: value"`), lower-cased."""
    names: set[str] = set()
    for command, _ in context.commands():
        if command.name != "addheader":
            continue
        _, positionals = arguments(command, context.registry)
        values = [s.value for p in positionals[:1] for s in string_nodes(p)]
        for value in values:
            name = value.split(":", 1)[0] if len(positionals) == 1 else value
            names.add(name.strip().lower())
    return names


class RedirectWithoutLoopProtection(Rule):
    """## What it does
    Finds `redirect` that no path guards with a check against loops: a test of a header
    field the script itself adds before redirecting (`addheader`, RFC 5293), of an
    `X-Loop`-style field (`X-Loop`, `Delivered-To`, `Resent-*`, `Received` counts...), or
    a `duplicate` test (RFC 7352).

    ## Why is this bad?
    If the target forwards back (a second account of the same person, a colleague with
    the same rule, a list), the message goes round until a hop limit stops it, and each
    round delivers another copy. Pigeonhole and our VM keep records of redirects to stop
    this; many servers do not, and the script cannot tell which server runs it. It is
    reported as information: a redirect to a fixed address is usually fine.

    ## Example
    ```sieve
    redirect "me@mobile.example.net";
    ```

    ## Use instead
    ```sieve
    require ["editheader"];
    if not header :contains "X-Loop" "me@example.com" {
        addheader "X-Loop" "me@example.com";
        redirect "me@mobile.example.net";
    }
    ```
    """

    code = "redirect-without-loop-protection"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        redirects = [c for c, _ in context.commands() if flow.name(c) == "redirect"]
        if not redirects:
            return
        guards = LOOP_HEADERS | added_headers(context) | {"*", "test:duplicate"}
        tested = flow.tested()
        for command in redirects:
            facts = tested.before(command)
            if facts is None or facts & guards:
                continue
            yield self._finding(context, command)

    def _finding(self, context: LintContext, command: Command) -> Finding:
        return self.finding(
            command.name_span,
            "redirect with no loop protection: no path to it tests X-Loop, Delivered-To, a"
            " header this script adds, or duplicate; if the target forwards back, the"
            " message loops",
            'mark and test: if not header :contains "X-Loop" "me@example.com"'
            ' { addheader "X-Loop" "me@example.com"; redirect ...; }',
        )


RULE = RedirectWithoutLoopProtection()
