"""Long lists of blocked senders kept in a user's own script."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.reading import arguments, envelope_parts, header_names, match_type
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command, Test, TestList, string_nodes

_BLOCKING = frozenset({"discard", "reject", "ereject", "jettison"})
_SENDER_FIELDS = frozenset({"from", "sender", "reply-to", "return-path"})
_LITERAL_MATCHES = frozenset({"is", "contains", "matches"})
DEFAULT_THRESHOLD = 10


class PersonalSpamBlocking(Rule):
    """## What it does
    Counts the sender addresses and domains a script blocks itself: the keys of
    `address`, `header` and `envelope` tests of the sender (`From`, `Sender`, `Reply-To`,
    `Return-Path`, envelope `from`) with `:is`, `:contains` or `:matches` that lead to
    `discard`, `reject`, `ereject` or `jettison`. From 10 keys on (setting
    `blocked-senders-threshold`) it suggests server-side filtering. Scripts linted with
    the setting `filter-level = "channel"` or `"system"` are not user scripts and are
    not reported.

    ## Why is this bad?
    Spammers change sender addresses faster than anyone edits a script, so a personal
    block list grows without end, costs every message a long comparison, and still lets
    the next address through. Oracle's guide discourages personal spam filtering in
    favour of the server's anti-spam service, which sees all users' mail.

    ## Example
    ```sieve
    if address :is "From" ["a@spam.example", "b@spam.example", "c@spam.example",
                           "d@spam.example", "e@spam.example", "f@spam.example",
                           "g@spam.example", "h@spam.example", "i@spam.example",
                           "j@spam.example"] {
        discard;
    }
    ```

    ## Use instead
    ```sieve
    require ["fileinto"];
    if header :is "X-Spam-Flag" "YES" {
        fileinto "Junk";
    }
    ```
    Report the senders to the server's spam filter and file what it flags; for a list
    that must stay, an external list (`:list`, RFC 6134) kept on the server.
    """

    code = "personal-spam-blocking"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        if str(context.config.option("filter-level", "user")).lower() in ("channel", "system"):
            return
        threshold = _number(context.config.option("blocked-senders-threshold", None))
        flow = context.flow
        found: dict[int, tuple[Test, int]] = {}
        for command, ancestors in context.commands():
            name = flow.name(command) if flow is not None else command.name
            if name not in _BLOCKING or (flow is not None and not flow.reachable(command)):
                continue
            for ancestor in ancestors:
                if not isinstance(ancestor, Command) or ancestor.test is None:
                    continue
                for test in _positive_tests(ancestor.test):
                    keys = _sender_keys(context, test)
                    if keys:
                        found[id(test)] = (test, keys)
        total = sum(keys for _, keys in found.values())
        if total < threshold or not found:
            return
        tests = sorted((test for test, _ in found.values()), key=lambda t: t.span.start)
        lines = ", ".join(str(t.span.line) for t in tests[:10])
        more = f" and {len(tests) - 10} more" if len(tests) > 10 else ""
        yield self.finding(
            tests[0].name_span,
            f"this script blocks {total} senders itself (tests at lines {lines}{more}):"
            " personal block lists grow without end and miss the next address",
            "leave spam to the server's filter (file what it flags into Junk), or keep the"
            " list on the server as an external list (:list)",
        )


def _number(value: object) -> int:
    try:
        return int(value) if value is not None else DEFAULT_THRESHOLD  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD


def _positive_tests(test: Test | TestList) -> Iterator[Test]:
    """The tests of a condition whose success leads into the block (not under `not`)."""
    pending: list[Test | TestList] = [test]
    while pending:
        node = pending.pop()
        if isinstance(node, TestList):
            pending.extend(node.tests)
        elif node.name in ("allof", "anyof"):
            if node.test is not None:
                pending.append(node.test)
        elif node.name != "not":
            yield node


def _sender_keys(context: LintContext, test: Test) -> int:
    """How many literal sender keys a test compares with (0 if it is no sender test)."""
    registry = context.registry
    if test.name in ("address", "header"):
        if not set(header_names(test, registry)) & _SENDER_FIELDS:
            return 0
    elif test.name != "envelope" or "from" not in envelope_parts(test, registry):
        return 0
    if match_type(test, registry) not in _LITERAL_MATCHES:
        return 0
    _, positionals = arguments(test, registry)
    return len(string_nodes(positionals[-1])) if positionals else 0


RULE = PersonalSpamBlocking()
