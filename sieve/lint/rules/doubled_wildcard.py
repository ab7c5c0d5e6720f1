"""Consecutive `*` in a `:matches` pattern."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.patterns import doubled_stars
from sieve.lint.rule import Rule


class DoubledWildcard(Rule):
    """## What it does
    Finds two or more `*` in a row in a `:matches` key, such as `"**<*>*"`.

    ## Why is this bad?
    `**` matches exactly what `*` matches, so the second star is redundant, but each star
    still sets a match variable (RFC 5229 §3.2): the first `*` always matches the empty
    string, and every later `${N}` is shifted by one. Oracle's greylisting example has this
    bug: with `"**<*>*"` the address is in `${3}`, not `${2}`.

    ## Example
    ```sieve
    if header :matches "From" "**<*>*" { set "from_addr" "${2}"; }
    ```

    ## Use instead
    ```sieve
    if header :matches "From" "*<*>*" { set "from_addr" "${2}"; }
    ```
    """

    code = "doubled-wildcard"
    tolerant = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        for test, _ in context.tests():
            if context.match_type(test) != "matches":
                continue
            for key in context.strings(context.positional(test, -1)):
                runs = doubled_stars(key.value)
                if not runs:
                    continue
                yield self.finding(
                    key,
                    f'the pattern "{key.value}" has {"**" if len(runs) == 1 else "several **"}:'
                    " a second * matches nothing more but shifts the numbering of ${N}",
                    "write a single * (and check which ${N} the script reads afterwards)",
                )


RULE = DoubledWildcard()
