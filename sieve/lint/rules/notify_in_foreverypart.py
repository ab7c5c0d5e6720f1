"""Notify, redirect or vacation inside a foreverypart loop."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.bound import OUTGOING
from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule

_FANNING = {"notify": "notifications", "redirect": "redirects", "vacation": "vacation replies"}


class NotifyInForeverypart(Rule):
    """## What it does
    Finds `notify`, `redirect` and `vacation` inside a `foreverypart` loop (RFC 5703 §3),
    and says how many messages that one command can create for one incoming message: one
    per MIME part, up to the MIME-part limit (`max_mime_parts`), multiplied for nested
    loops.

    ## Why is this bad?
    The sender decides how many parts a message has. A message with a thousand tiny
    attachments turns one notify into a thousand notifications: the script becomes an
    amplifier, and the run stops at the server's limit (MAX_NOTIFYS, the redirect limit)
    with a half-done result.

    ## Example
    ```sieve
    require ["foreverypart", "mime", "enotify"];
    foreverypart {
        if header :mime :subtype "Content-Type" "pdf" {
            notify "mailto:me@example.com";
        }
    }
    ```

    ## Use instead
    ```sieve
    require ["foreverypart", "mime", "enotify", "variables"];
    foreverypart {
        if header :mime :subtype "Content-Type" "pdf" {
            set "pdf" "yes";
            break;
        }
    }
    if string :is "${pdf}" "yes" { notify "mailto:me@example.com"; }
    ```
    Remember what the loop found in a variable, and act once after the loop.
    """

    code = "notify-in-foreverypart"

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        for command, _ in context.commands():
            name = flow.name(command)
            if name not in _FANNING or name not in OUTGOING or not flow.reachable(command):
                continue
            loops = flow.loops_around(command)
            if not loops:
                continue
            times = flow.fan_out(command)
            lines = ", ".join(str(loop.span.line) for loop in loops)
            where = "the foreverypart loop" if len(loops) == 1 else "nested foreverypart loops"
            yield self.finding(
                command.name_span,
                f"{name} inside {where} (line {lines}) runs once per MIME part: up to"
                f" {times} {_FANNING[name]} from this command for one message",
                "remember what the loop found in a variable (set ...; break;) and"
                f" {name} once after the loop",
            )


RULE = NotifyInForeverypart()
