"""`*` or `?` in a `:contains` key, where they are literal characters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule

# A "?" between two letters or digits ("v?agra") reads like a glob; "=?utf-8?B?" (an RFC
# 2047 encoded word) and "why?" do not.
_QUESTION_GLOB = re.compile(r"\w\?\w")


class WildcardInContains(Rule):
    """## What it does
    Finds `:contains` keys with a `*`, or with a `?` between letters, which look like
    `:matches` wildcards. Keys made only of stars, such as the SpamAssassin level
    `"*****"`, are fine.

    ## Why is this bad?
    `:contains` has no wildcards (RFC 5228 §2.7.1): `"free*money"` only matches the literal
    text `free*money`, so the test almost never fires.

    ## Example
    ```sieve
    if header :contains "Subject" "free*money" { discard; }
    ```

    ## Use instead
    ```sieve
    if header :matches "Subject" "*free*money*" { discard; }
    ```
    """

    code = "wildcard-in-contains"

    def check(self, context: LintContext) -> Iterator[Finding]:
        for test, _ in context.tests():
            if context.match_type(test) != "contains":
                continue
            for key in context.strings(context.positional(test, -1)):
                value = key.value
                star = "*" in value and value.strip().strip("*") != ""
                question = "=?" not in value and _QUESTION_GLOB.search(value) is not None
                if not (star or question):
                    continue
                which = "*" if star else "?"
                yield self.finding(
                    key,
                    f"'{which}' in a :contains key is a literal character, not a wildcard",
                    f'use :matches "*{value}*" if a wildcard was meant',
                )


RULE = WildcardInContains()
