"""Commands after `stop` (or after anything that always stops)."""

from __future__ import annotations

from collections.abc import Iterator

from sieve.lint.context import LintContext
from sieve.lint.finding import Finding
from sieve.lint.rule import Rule
from sieve.syntax.ast import Command

# RFC 5703 §3: break leaves the innermost foreverypart; the commands after it in that block
# never run.
_LOOP_EXITS = {"break"}


class UnreachableCode(Rule):
    """## What it does
    Finds commands that can never run: after `stop` (RFC 5228 §3.3), after `return`
    (RFC 6609), after `break` in a `foreverypart` (RFC 5703 §3), or after an
    `if`/`elsif`/`else` chain whose every branch stops.

    ## Why is this bad?
    The author expected these commands to run. Typically a `fileinto` or `addflag` was added
    below a `stop` and silently has no effect; or the last branch of a chain was made to stop
    and the script's tail went dead with it.

    ## Example
    ```sieve
    if header :contains "Subject" "[SPAM]" {
        stop;
        fileinto "Junk";
    }
    ```

    ## Use instead
    ```sieve
    if header :contains "Subject" "[SPAM]" {
        fileinto "Junk";
        stop;
    }
    ```
    """

    code = "unreachable-code"

    def check(self, context: LintContext) -> Iterator[Finding]:
        flow = context.flow
        if flow is None:
            return
        structure = context.structure
        # The control flow records the first command of each dead run once: one report per
        # block, the rest of it is dead for the same reason.
        for dead in flow.after_stop():
            siblings, index = structure.place[id(dead)]
            if index == 0:
                continue
            command = siblings[index - 1]
            chain_head = structure.chain.get(id(command))
            if chain_head is not None:
                # An if-chain whose branches all leave: it ends the script unless some
                # branch only leaves the loop.
                leaves_loop = not structure.ends(chain_head)
            else:
                leaves_loop = flow.name(command) in _LOOP_EXITS
            what = _describe(command, chain_head)
            yield self.finding(
                dead.name_span,
                f"this command never runs: {what} before it always "
                f"{'leaves the loop' if leaves_loop else 'ends the script'}",
                "move it before that point, or delete it",
            )


def _describe(command: Command, chain_head: Command | None) -> str:
    if chain_head is not None:
        return f"the if on line {chain_head.span.line}, whose every branch stops,"
    return f"the {command.name} on line {command.span.line}"


RULE = UnreachableCode()
