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
        yield from self._block(context, context.script.commands)

    def _block(self, context: LintContext, commands: list[Command]) -> Iterator[Finding]:
        structure = context.structure
        for index, command in enumerate(commands):
            if command.block is not None:
                yield from self._block(context, command.block.commands)
            if command.name in ("if", "elsif"):
                continue  # a chain is judged at its end, where its branches are known
            chain_head = structure.chain.get(id(command))
            ends = command.name in _LOOP_EXITS or structure.ends(chain_head or command)
            rest = commands[index + 1 :]
            if not ends or not rest or (chain_head is None and command.name == "else"):
                continue
            if rest[0].name in ("elsif", "else"):
                continue
            what = _describe(command, chain_head)
            yield self.finding(
                rest[0].name_span,
                f"this command never runs: {what} before it always "
                f"{'leaves the loop' if command.name in _LOOP_EXITS else 'ends the script'}",
                "move it before that point, or delete it",
            )
            return  # one report per block: the rest is dead for the same reason


def _describe(command: Command, chain_head: Command | None) -> str:
    if chain_head is not None:
        return f"the if on line {chain_head.span.line}, whose every branch stops,"
    return f"the {command.name} on line {command.span.line}"


RULE = UnreachableCode()
