"""Linking: a compiled Program's calls resolved to their implementations, once per program.

Finds the Behaviour of every extension module and binds each CALL instruction to the
function that implements it, with its arguments resolved (`Args`). Separate from the VM
because it runs once per program, not once per message, and needs nothing of a run but
the `Run` type its bound functions take."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import sieve.extensions as extensions_package
from sieve.compiler.program import NO_VALUE, Call, Constant, Op, Program
from sieve.runtime.behaviour import Behaviour, Implementation
from sieve.runtime.control import RunStop
from sieve.runtime.result import FAILED

if TYPE_CHECKING:
    from sieve.runtime.vm import Run


@dataclass(slots=True)
class Args:
    """A command's or test's arguments, resolved once per program: present tags by name
    (None for a tag without a value) and the positional constants in signature order.
    `cache` holds what an implementation precomputes from constants (a compiled Matcher)."""

    name: str
    tags: dict[str, Constant | None]
    positionals: tuple[Constant, ...]
    cache: dict[Any, Any] = field(default_factory=dict)
    # No tag that changes where header values come from (:mime, :index): the fast path.
    plain: bool = True

    def has(self, tag: str) -> bool:
        return tag in self.tags

    def tag(self, tag: str) -> Constant | None:
        return self.tags.get(tag)

    def positional(self, index: int) -> Constant | None:
        return self.positionals[index] if index < len(self.positionals) else None


@cache
def behaviours() -> dict[str, Behaviour]:
    """Every extension module's run-time behaviour, by module name."""
    found: dict[str, Behaviour] = {}
    for module in pkgutil.iter_modules(extensions_package.__path__):
        if module.name in ("registry", "spec") or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{extensions_package.__name__}.{module.name}")
        behaviour = getattr(loaded, "BEHAVIOUR", None)
        if behaviour is not None:
            found[module.name] = behaviour
    return found


@cache
def implementations(dialect: str) -> tuple[dict[str, Implementation], dict[str, Implementation]]:
    """Commands and tests by name; a dialect's own modules win over standard ones (Oracle's
    one-argument addheader over editheader's), as in the registry."""
    from sieve.extensions.registry import all_extensions

    commands: dict[str, Implementation] = {}
    tests: dict[str, Implementation] = {}
    declared = all_extensions()
    modules = behaviours()
    by_capability = {
        extension.capability: name
        for name in modules
        for extension in [importlib.import_module(f"sieve.extensions.{name}").EXTENSION]
    }
    ordered = sorted(
        (ext for ext in declared.values() if ext.dialects is None or dialect in ext.dialects),
        key=lambda ext: (ext.dialects is not None, ext.capability),
    )
    for extension in ordered:
        module = by_capability.get(extension.capability)
        if module is not None:
            commands.update(modules[module].commands)
            tests.update(modules[module].tests)
    return commands, tests


@dataclass(slots=True)
class Linked:
    """A program ready to run: instructions as plain tuples, calls bound to functions."""

    program: Program
    code: list[tuple[int, int, int, int]]
    calls: list[tuple[Implementation, Args]]
    capabilities: frozenset[str]


def link(program: Program) -> Linked:
    commands, tests = implementations(program.dialect)
    calls: list[tuple[Implementation, Args]] = []
    bound: dict[tuple[int, int], int] = {}
    code: list[tuple[int, int, int, int]] = []
    for instruction in program.instructions:
        op = int(instruction.op)
        operands = instruction.operands
        first = operands[0] if operands else 0
        second = operands[1] if len(operands) > 1 else 0
        if op in (Op.CALL_TEST, Op.CALL_COMMAND):
            # A test and a command may share a call record; each gets its own binding.
            position = bound.get((op, first))
            if position is None:
                call = program.calls[first]
                table = tests if op == Op.CALL_TEST else commands
                function = _callout_test if call.callout else table.get(call.name)
                calls.append((function or _unsupported(call.name), _args(call, program.constants)))
                position = bound[(op, first)] = len(calls) - 1
            first = position
        code.append((op, first, second, instruction.line))
    return Linked(program, code, calls, frozenset(program.capabilities))


def _args(call: Call, constants: Sequence[Constant]) -> Args:
    tags = {name: (constants[index] if index != NO_VALUE else None) for name, index in call.tags}
    positionals = tuple(constants[index] for index in call.positionals)
    plain = not tags.keys() & {"mime", "anychild", "index"}
    return Args(call.name, tags, positionals, plain=plain)


def _unsupported(name: str) -> Implementation:
    def unsupported(run: Run, args: Args) -> bool:
        raise RunStop(FAILED, "unsupported", f"'{name}' is not supported by this interpreter")

    return unsupported


def _callout_test(run: Run, args: Args) -> bool:
    """Oracle dialect: `NAME "string"` looks the string up in a mapping table; true when
    the answer carries $Y, and ${0} then holds its output."""
    value = run.string(args.positionals[0]) if args.positionals else ""
    answer = run.callout(args.name, value)
    if answer is None or not answer.success:
        return False
    run.set_match((answer.output,))
    return True
