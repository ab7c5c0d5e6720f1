"""The statements of a Sieve block and the structural facts every walk over the control flow
needs: which commands form one if/elsif/else chain, a command's body, the loop a `break`
leaves, and how paths leave a block.

Sieve has no goto (RFC 5228 §3), so the control-flow graph is the syntax tree itself. This
module is that shared vocabulary, kept apart so that the control flow (flow.py), the
worst-case bound (bound.py) and the data-flow engine (dataflow.py) can all read the tree the
same way without importing one another.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sieve.syntax.ast import Command, tag_string

LOOP = "foreverypart"
BRANCHES = ("if", "elsif", "else")

# How paths leave a block: falling off its end, or one of these.
FALL = "fall"
STOP = "stop"
RETURN = "return"


# Statements: commands, with an if/elsif/else chain taken as one.


@dataclass(frozen=True, slots=True)
class Chain:
    """`if` with its `elsif`s and `else`: exactly one branch runs, or none without else."""

    branches: tuple[Command, ...]

    @property
    def has_else(self) -> bool:
        return self.branches[-1].name == "else"


Statement = Command | Chain


def statements(commands: list[Command]) -> list[Statement]:
    """Groups a block's commands into statements (a stray elsif/else, which the checker
    rejects, starts a chain of its own rather than failing)."""
    found: list[Statement] = []
    index = 0
    while index < len(commands):
        command = commands[index]
        index += 1
        if command.name not in BRANCHES:
            found.append(command)
            continue
        branches = [command]
        while (
            branches[-1].name != "else"
            and index < len(commands)
            and commands[index].name in ("elsif", "else")
        ):
            branches.append(commands[index])
            index += 1
        found.append(Chain(tuple(branches)))
    return found


def body_of(command: Command) -> list[Command]:
    """The commands of a command's block (none for a command without one)."""
    return command.block.commands if command.block is not None else []


def break_target(command: Command) -> str | None:
    """The loop name of `break :name "x"` (or of `foreverypart :name "x"`), or None for the
    innermost loop."""
    return tag_string(command.arguments, "name")


def all_commands(commands: list[Command]) -> Iterator[Command]:
    """Every command of a block and of the blocks inside it, in source order."""
    pending = list(reversed(commands))
    while pending:
        command = pending.pop()
        yield command
        pending.extend(reversed(body_of(command)))
