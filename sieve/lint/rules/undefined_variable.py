"""A variable read but never set."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.lint.variables import variable_uses


class UndefinedVariable(Rule):
    """## What it does
    Finds `${name}` references (and flag variables of `hasflag`) to variables that no `set`,
    `extracttext` or flag command of the script ever sets, and that are not `global`.

    ## Why is this bad?
    An unset variable expands to the empty string (RFC 5229 §3), silently: a misspelt name
    turns `fileinto "${folder}"` into a delivery to an empty mailbox name, and a test against
    `"${sender}"` compares with nothing.

    ## Example
    ```sieve
    require ["variables", "fileinto"];
    if header :matches "List-Id" "*<*>*" { set "list" "${2}"; }
    fileinto "lists/${lsit}";
    ```

    ## Use instead
    ```sieve
    require ["variables", "fileinto"];
    if header :matches "List-Id" "*<*>*" { set "list" "${2}"; }
    fileinto "lists/${list}";
    ```
    """

    code = "undefined-variable"

    def check(self, context: LintContext) -> Iterator[Finding]:
        if "variables" not in context.required:
            return
        uses = variable_uses(context)
        for name, where in uses.reads.items():
            if name in uses.sets or name in uses.globals:
                continue
            close = context.registry.closest(name, list(uses.sets))
            yield self.finding(
                where,
                f"the variable '{name}' is read but never set, so it is always empty",
                f"did you mean '{close}'?" if close else "set it before reading it",
            )


RULE = UndefinedVariable()
