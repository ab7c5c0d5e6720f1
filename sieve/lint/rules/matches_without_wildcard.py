""":matches with a pattern that has no wildcard."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding, Fix
from sieve.lint.patterns import literal_text
from sieve.lint.rule import Rule

# RFC 4790 comparators for which a wildcard-free :matches is exactly :is (RFC 5228 §2.7.1).


class MatchesWithoutWildcard(Rule):
    """## What it does
    Finds `:matches` tests none of whose keys has a `*` or `?`.

    ## Why is this bad?
    Without wildcards `:matches` compares for equality, exactly like `:is`, but runs the
    glob matcher and sets match variables. `:is` says what is meant and is cheaper; the
    pattern may also have lost the `*` its author intended.

    ## Example
    ```sieve
    if header :matches "List-Id" "<announce.example.org>" { fileinto "Announce"; }
    ```

    ## Use instead
    ```sieve
    if header :is "List-Id" "<announce.example.org>" { fileinto "Announce"; }
    ```
    """

    code = "matches-without-wildcard"
    fixable = True
    tolerant = True

    def check(self, context: LintContext) -> Iterator[Finding]:
        for _test, tag, keys in context.glob_tests():
            literals = [literal_text(key.value) for key in keys]
            if any(value is None for value in literals):
                continue
            if "variables" in context.required and any("${" in key.value for key in keys):
                continue  # a variable may bring the wildcard at run time
            if context.reads_match_variables:
                continue  # RFC 5229 §3.2: ${0} may be read; :is would not set it
            fixes = ()
            # Escaped characters would need rewriting.
            if all("\\" not in k.value for k in keys):
                fixes = (Fix(tag.span.start, tag.span.end, ":is", "use :is"),)
            yield self.finding(
                tag,
                ":matches without a wildcard compares for equality",
                "use :is (or add the * the pattern was meant to have)",
                fixes,
            )


RULE = MatchesWithoutWildcard()
