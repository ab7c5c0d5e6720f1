"""A variable set but never read."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.lint.variables import variable_uses


class UnusedVariable(Rule):
    """## What it does
    Finds variables that the script sets (with `set`, `extracttext` or a flag command) but
    never reads, and that are not `global`.

    ## Why is this bad?
    Work is done for nothing, and more often a later reference is misspelt, so the value
    the author meant to use never arrives where it was meant to.

    ## Example
    ```sieve
    require ["variables", "fileinto"];
    if header :matches "List-Id" "*<*>*" { set "list" "${2}"; }
    fileinto "lists";
    ```

    ## Use instead
    ```sieve
    require ["variables", "fileinto"];
    if header :matches "List-Id" "*<*>*" { set "list" "${2}"; }
    fileinto "lists/${list}";
    ```
    """

    code = "unused-variable"

    def check(self, context: LintContext) -> Iterator[Finding]:
        if "variables" not in context.required:
            return
        uses = variable_uses(context)
        for name, node in uses.sets.items():
            if name in uses.reads or name in uses.globals:
                continue
            yield self.finding(
                node.name_span,
                f"the variable '{name}' is set here but never read",
                "remove the assignment, or check the spelling where it should be read",
            )


RULE = UnusedVariable()
