"""A long literal key list that belongs in an external list."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import INFO, Finding
from sieve.lint.rule import Rule
from sieve.syntax.ast import StringList


class LongKeyList(Rule):
    """## What it does
    Finds key lists with more literal strings than `long-key-list` (20 by default).

    ## Why is this bad?
    Every key is compared with every header value on every message, and a long list in a
    script is edited by hand, duplicated between users and re-uploaded for every change.
    An external list (RFC 6134 `extlists`, `:list "tag:…"`) is kept once on the server,
    looked up efficiently, and changed without touching the script.

    ## Example
    ```sieve
    if address :is "from" ["a@spam.example", "b@spam.example", … 40 more …] { discard; }
    ```

    ## Use instead
    ```sieve
    require "extlists";
    if address :list "from" "tag:blocked-senders" { discard; }
    ```
    """

    code = "long-key-list"
    severity = INFO

    def check(self, context: LintContext) -> Iterator[Finding]:
        limit = context.config.long_key_list
        for test, _ in context.tests():
            spec = context.spec(test)
            if spec is None or context.match_type(test) == "list":
                continue
            keys = context.positional(test, -1)
            if not isinstance(keys, StringList) or len(keys.strings) <= limit:
                continue
            if "${" in "".join(s.value for s in keys.strings):
                continue
            yield self.finding(
                keys,
                f"{len(keys.strings)} literal keys (the limit is {limit})",
                'keep them in an external list: require "extlists" and use :list',
            )


RULE = LongKeyList()
