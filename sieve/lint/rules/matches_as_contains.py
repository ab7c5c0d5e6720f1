""":matches "*text*", which is :contains "text"."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding, Fix
from sieve.lint.patterns import contains_form, quote
from sieve.lint.rule import Rule


class MatchesAsContains(Rule):
    """## What it does
    Finds `:matches` tests whose every key is `"*text*"` with no other wildcard.

    ## Why is this bad?
    `"*text*"` asks whether the text occurs anywhere, which is what `:contains` does
    (RFC 5228 §2.7.1) with a simple substring search instead of the backtracking glob
    matcher, and without setting match variables.

    ## Example
    ```sieve
    if header :matches "Subject" "*invoice*" { fileinto "Bills"; }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "invoice" { fileinto "Bills"; }
    ```
    """

    code = "matches-as-contains"
    fixable = True
    tolerant = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        for _test, tag, keys in context.glob_tests():
            middles = [contains_form(key.value) for key in keys]
            if not keys or any(middle is None for middle in middles):
                continue
            if "variables" in context.required and any("${" in key.value for key in keys):
                continue
            if context.reads_match_variables:
                continue  # RFC 5229 §3.2: the stars may be there to fill ${1}, ${2}
            fixes: tuple[Fix, ...] = ()
            if not any(k.multiline for k in keys):
                fixes = (
                    Fix(tag.span.start, tag.span.end, ":contains", "use :contains"),
                    *(
                        Fix(key.span.start, key.span.end, quote(middle), "drop the stars")
                        for key, middle in zip(keys, middles, strict=True)
                        if middle is not None
                    ),
                )
            shown = f'"{middles[0]}"' if len(keys) == 1 else "the text between the stars"
            yield self.finding(
                tag,
                ':matches "*…*" only asks whether the text occurs',
                f"use :contains {shown}",
                fixes,
            )


RULE = MatchesAsContains()
