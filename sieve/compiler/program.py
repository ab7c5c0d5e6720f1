"""The compiled form of a script: a flat list of instructions with jump targets, a pool of
constants, a table of command and test calls, and the line each instruction came from.

The VM runs it (one condition flag, no value stack):

| op | operands | meaning |
|---|---|---|
| CALL_TEST | call | run a test; its result becomes the condition flag |
| CALL_COMMAND | call | run a command (an action, `set`, `include`, ...) |
| NOT | | invert the flag |
| JUMP | target | go to instruction `target` |
| JUMP_IF_FALSE | target | go to `target` if the flag is false |
| JUMP_IF_TRUE | target | go to `target` if the flag is true |
| LOOP_BEGIN | name, exit | RFC 5703 foreverypart over the MIME parts; `name` a constant or -1 |
| LOOP_NEXT | begin | next part, back to the instruction after `begin`; after the last, go on |
| BREAK | name, exit | leave the loop (`name` as in LOOP_BEGIN) by jumping to `exit` |
| STOP | | end the script (RFC 5228 §3.3) |

A call is `(name, tags, positionals)`: tags map a tag name to a constant index (or -1 for a
tag without a value), positionals are constant indices, in the order the signature lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple


class Op(IntEnum):
    CALL_TEST = 1
    CALL_COMMAND = 2
    NOT = 3
    JUMP = 4
    JUMP_IF_FALSE = 5
    JUMP_IF_TRUE = 6
    LOOP_BEGIN = 7
    LOOP_NEXT = 8
    BREAK = 9
    STOP = 10


# How many operands each op takes, and which of them are instruction indices.
OPERANDS: dict[Op, int] = {
    Op.CALL_TEST: 1,
    Op.CALL_COMMAND: 1,
    Op.NOT: 0,
    Op.JUMP: 1,
    Op.JUMP_IF_FALSE: 1,
    Op.JUMP_IF_TRUE: 1,
    Op.LOOP_BEGIN: 2,
    Op.LOOP_NEXT: 1,
    Op.BREAK: 2,
    Op.STOP: 0,
}
JUMP_OPERANDS: dict[Op, tuple[int, ...]] = {
    Op.JUMP: (0,),
    Op.JUMP_IF_FALSE: (0,),
    Op.JUMP_IF_TRUE: (0,),
    Op.LOOP_BEGIN: (1,),
    Op.LOOP_NEXT: (0,),
    Op.BREAK: (1,),
}
CALL_OPERAND = {Op.CALL_TEST, Op.CALL_COMMAND}
NO_VALUE = -1


# Instructions, constants and calls are named tuples: a program holds hundreds of them and
# loading a compiled file must build them fast.


class Instruction(NamedTuple):
    op: Op
    operands: tuple[int, ...]
    line: int


class Constant(NamedTuple):
    """A string, string list or number from the script. `has_variables` tells the VM
    whether `${…}` expansion can change it."""

    value: str | tuple[str, ...] | int
    has_variables: bool = False
    # Oracle dialect: the value is the result of looking `value` up in this mapping table.
    callout: str | None = None


class Call(NamedTuple):
    name: str
    tags: tuple[tuple[str, int], ...]
    positionals: tuple[int, ...]
    # Oracle dialect: a test that looks a string up in a mapping table.
    callout: bool = False


@dataclass(frozen=True, slots=True)
class Program:
    capabilities: tuple[str, ...]
    constants: tuple[Constant, ...]
    calls: tuple[Call, ...]
    instructions: tuple[Instruction, ...]
    dialect: str = "standard"
    name: str = ""
