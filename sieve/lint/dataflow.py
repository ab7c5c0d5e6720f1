"""The forward data-flow engine over the control flow: an `Analysis` says what the state
is at the start, how two ways in join and what a command or a condition does to it; the
engine walks the main script once, iterating loops until their state settles (or a budget
runs out), and gives the state before each reachable command as `Facts`.

It is separate from the concrete analyses (analyses.py) so that they can build on it
without importing the control flow (flow.py), which in turn runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from sieve.lint.statements import (
    LOOP,
    Chain,
    Statement,
    all_commands,
    body_of,
    break_target,
)
from sieve.syntax.ast import Command, Test, TestList

if TYPE_CHECKING:
    from sieve.lint.flow import ControlFlow

S = TypeVar("S")


class Analysis(Generic[S]):
    """A forward data-flow analysis over the control flow. States are immutable values
    with `==`; None stands for "no path gets here" and is never passed in."""

    def start(self) -> S:
        raise NotImplementedError

    def join(self, first: S, second: S) -> S:
        raise NotImplementedError

    def command(self, command: Command, state: S) -> S:
        """The state after a command that is not control flow (include is one of these)."""
        return state

    def condition(self, command: Command, test: Test | TestList, state: S, outcome: bool) -> S:
        """The state after the condition of `command` (if/elsif) evaluates to `outcome`."""
        return state


class Facts(Generic[S]):
    """The result of `ControlFlow.forward`: the state before each reachable command."""

    def __init__(self, states: dict[int, S]) -> None:
        self._states = states

    def before(self, command: Command) -> S | None:
        return self._states.get(id(command))


@dataclass(slots=True)
class _LoopFrame:
    name: str | None
    exits: list[object] = field(default_factory=list)


class _Forward(Generic[S]):
    def __init__(self, flow: ControlFlow, analysis: Analysis[S], budget: int | None) -> None:
        self.flow = flow
        self.analysis = analysis
        self.states: dict[int, S] = {}
        self.loops: list[_LoopFrame] = []
        if budget is None:
            budget = 20 * sum(1 for _ in all_commands(flow.script.commands)) + 100
        self.budget = budget

    def run(self, commands: list[Command]) -> None:
        self.block(commands, self.analysis.start())

    def join(self, first: S | None, second: S | None) -> S | None:
        if first is None:
            return second
        if second is None:
            return first
        return self.analysis.join(first, second)

    def record(self, command: Command, state: S) -> None:
        self.budget -= 1
        old = self.states.get(id(command))
        self.states[id(command)] = state if old is None else self.analysis.join(old, state)

    def block(self, commands: list[Command], state: S | None) -> S | None:
        for statement in self.flow.block(commands):
            if state is None:
                return None
            state = self.statement(statement, state)
        return state

    def statement(self, statement: Statement, state: S) -> S | None:
        analysis = self.analysis
        if isinstance(statement, Chain):
            out: S | None = None
            current: S | None = state
            for branch in statement.branches:
                if current is None:
                    break
                self.record(branch, current)
                if branch.name == "else" or branch.test is None:
                    out = self.join(out, self.block(body_of(branch), current))
                    current = None
                    continue
                taken = analysis.condition(branch, branch.test, current, True)
                out = self.join(out, self.block(body_of(branch), taken))
                current = analysis.condition(branch, branch.test, current, False)
            return self.join(out, current)
        command = statement
        self.record(command, state)
        name = self.flow.name(command)
        if name in ("stop", "return"):
            return None
        if name == "break":
            target = break_target(command)
            for frame in reversed(self.loops):
                if target is None or frame.name == target:
                    frame.exits.append(state)
                    break
            return None
        if name == LOOP:
            return self.loop(command, state)
        return analysis.command(command, state)

    def loop(self, command: Command, state: S) -> S | None:
        frame = _LoopFrame(break_target(command))
        self.loops.append(frame)
        entry: S = state
        try:
            while True:
                end = self.block(body_of(command), entry)
                following = self.join(entry, end)
                if following == entry or self.budget <= 0:
                    break
                entry = following  # type: ignore[assignment]
        finally:
            self.loops.pop()
        after: S | None = entry
        for exit_state in frame.exits:
            after = self.join(after, exit_state)  # type: ignore[arg-type]
        return after


def run_forward(flow: ControlFlow, analysis: Analysis[S], budget: int | None) -> Facts[S]:
    """Runs `analysis` forward over the flow's main script (see `ControlFlow.forward`)."""
    runner = _Forward(flow, analysis, budget)
    runner.run(flow.script.commands)
    return Facts(runner.states)
