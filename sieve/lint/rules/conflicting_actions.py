"""Actions that cannot run together on one path (reject with keep or fileinto)."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command

# RFC 5228 §4.2, RFC 5429 §2.1: refusing the message excludes delivering it; RFC 5230 §4.7:
# vacation also answers the sender, so it excludes reject too, and runs once.
_REFUSE = {"reject", "ereject"}
_DELIVER = {"keep", "fileinto", "redirect"}
# Enough pairs to find every real conflict; a hostile script cannot make this quadratic.
_MAX_ANCHORS = 64


class ConflictingActions(Rule):
    """## What it does
    Finds two actions that one execution can reach but cannot carry out together: `reject`
    or `ereject` with `keep`, `fileinto` or `redirect`; two `reject`s; `vacation` with
    `reject`; two `vacation`s.

    ## Why is this bad?
    The message cannot be both refused and delivered (RFC 5429 §2.1). The server stops the
    script with a run-time error at the second action, and the implicit keep files the
    message, so neither action the author wanted happens.

    ## Example
    ```sieve
    require ["reject", "fileinto"];
    if header :contains "Subject" "casino" {
        fileinto "Junk";
        reject "No gambling here.";
    }
    ```

    ## Use instead
    ```sieve
    require ["reject"];
    if header :contains "Subject" "casino" {
        reject "No gambling here.";
        stop;
    }
    ```
    """

    code = "conflicting-actions"

    def check(self, context: LintContext) -> Iterator[Finding]:
        actions = [c for c, _ in context.commands() if c.name in _REFUSE | _DELIVER | {"vacation"}]
        anchors = [a for a in actions if a.name in _REFUSE | {"vacation"}][:_MAX_ANCHORS]
        structure = context.structure
        reported: set[int] = set()
        for anchor in anchors:
            for other in actions:
                if other is anchor or id(other) in reported or not _conflict(anchor, other):
                    continue
                if other.name in _REFUSE | {"vacation"} and other.span.start < anchor.span.start:
                    continue  # that pair is reported from the other side
                if structure.exclusive(anchor, other):
                    continue
                reported.add(id(other))
                later, earlier = (
                    (other, anchor) if other.span.start > anchor.span.start else (anchor, other)
                )
                yield self.finding(
                    later.name_span,
                    f"{later.name} and the {earlier.name} on line {earlier.span.line} can run "
                    "in one execution, and they conflict",
                    _hint(anchor, other),
                )


def _conflict(anchor: Command, other: Command) -> bool:
    names = {anchor.name, other.name}
    if anchor.name in _REFUSE:
        return other.name in _DELIVER | _REFUSE | {"vacation"}
    return bool(names == {"vacation"} or names & _REFUSE)


def _hint(anchor: Command, other: Command) -> str:
    if {anchor.name, other.name} & _DELIVER:
        return "put a stop after the reject, or move one of them into a separate branch"
    return "keep only one of them on each path (an elsif, or a stop after the first)"


RULE = ConflictingActions()
