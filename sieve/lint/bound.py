"""The worst case of one execution: how many messages of each kind (notifications,
redirects, vacations, rejects) and how many actions a script can create at most, and the
path that does it.

Each block is folded into a summary of how its paths leave it (falling through, `stop`,
`return`, `break`) with the largest weight of each way out, so branches take the max,
sequences add and loops multiply by the MIME-part limit (RFC 5703 §3.1). Paths are kept as
ropes so that joining them costs O(1). This is one job of its own, separate from the
control flow's structure (flow.py), which calls it from `ControlFlow.bound()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sieve.lint.statements import (
    FALL,
    LOOP,
    RETURN,
    STOP,
    Chain,
    Statement,
    all_commands,
    body_of,
    break_target,
)
from sieve.syntax.ast import Command, Script, Tag

if TYPE_CHECKING:
    from sieve.lint.flow import ControlFlow

# Outgoing messages, by the measure they count towards. RFC 5429 §2.2: reject sends an MDN
# to the sender; §2.1: ereject falls back to a DSN when it cannot refuse in the protocol.
OUTGOING = {
    "notify": "notifications",
    "redirect": "redirects",
    "vacation": "vacations",
    "reject": "rejects",
    "ereject": "rejects",
}
# Commands that add an action to the result (what the VM counts against max_actions).
_STORING = {"keep", "fileinto", "discard", "jettison"}
_EDITING = {"addheader", "deleteheader", "enclose", "replace", "addtag", "spamadjust"}
ACTIONS = frozenset(OUTGOING) | _STORING | _EDITING
# Actions that merge with an equal earlier one (sieve/runtime/actions.py `key`).
MERGING = frozenset({"keep", "fileinto", "redirect", "discard", "notify", "jettison", "addtag"})
MEASURES = ("notifications", "redirects", "vacations", "rejects", "total", "actions")


@dataclass(frozen=True, slots=True)
class Step:
    """A command on a path and how many times it runs there (loops multiply)."""

    command: Command
    times: int


@dataclass(slots=True)
class Bound:
    """The largest number of each kind of outgoing message one execution can create, each
    maximised over all paths (so two measures may come from different paths), counting
    every `foreverypart` iteration up to the MIME-part limit."""

    notifications: int
    redirects: int
    vacations: int
    rejects: int
    total: int  # outgoing messages of every kind on one path
    actions: int  # actions in the result, outgoing or not
    path: list[Command]  # the worst path for `total`
    # For each measure, the commands of its worst path with how often each runs.
    worst: dict[str, list[Step]] = field(default_factory=dict)
    # Reachable commands whose output cannot be counted: includes that could not be
    # resolved (counted as nothing) and `redirect :list` (counted as one).
    unknown: list[Command] = field(default_factory=list)

    def value(self, measure: str) -> int:
        return int(getattr(self, measure))


# A path as a rope, so that joining paths costs O(1): None is empty, a Command is itself,
# ("+", a, b) is a then b, ("*", n, a) is a run n times.
Rope = object
_Exit = tuple[int, Rope]
_Summary = dict[object, _Exit]


def _cat(a: Rope, b: Rope) -> Rope:
    if a is None:
        return b
    if b is None:
        return a
    return ("+", a, b)


def _times(count: int, rope: Rope) -> Rope:
    if rope is None or count == 0:
        return None
    return rope if count == 1 else ("*", count, rope)


def _better(old: _Exit | None, new: _Exit) -> bool:
    return old is None or new[0] > old[0]


def _merge_into(out: _Summary, summary: _Summary) -> None:
    for kind, exit_ in summary.items():
        if _better(out.get(kind), exit_):
            out[kind] = exit_


def _then(first: _Summary, second: _Summary) -> _Summary:
    """Paths through `first` and then `second` (only those that fall out of `first` go on)."""
    through = first.get(FALL)
    if through is None:
        return first
    out = {kind: exit_ for kind, exit_ in first.items() if kind != FALL}
    value, rope = through
    for kind, (more, tail) in second.items():
        candidate = (value + more, _cat(rope, tail))
        if _better(out.get(kind), candidate):
            out[kind] = candidate
    return out


def _prefix(command: Command, summary: _Summary) -> _Summary:
    return {kind: (value, _cat(command, rope)) for kind, (value, rope) in summary.items()}


def _flatten(rope: Rope) -> list[Step]:
    """The commands of a rope with their total multiplicity, in path order. Ropes share
    sub-ropes, so this works on the DAG (linear in its size), not on the unfolded tree."""
    if rope is None:
        return []
    seen: set[int] = set()
    pending: list[tuple[object, bool]] = [(rope, False)]
    post: list[object] = []
    while pending:
        node, done = pending.pop()
        if done:
            post.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        pending.append((node, True))
        if isinstance(node, tuple):
            children = node[1:] if node[0] == "+" else (node[2],)
            for child in reversed(children):
                pending.append((child, False))
    order = post[::-1]  # parents before children
    multiplier: dict[int, int] = {id(rope): 1}
    totals: dict[int, int] = {}
    commands: dict[int, Command] = {}
    for node in order:
        times = multiplier.get(id(node), 0)
        if isinstance(node, tuple):
            if node[0] == "+":
                for child in node[1:]:
                    multiplier[id(child)] = multiplier.get(id(child), 0) + times
            else:
                child = node[2]
                multiplier[id(child)] = multiplier.get(id(child), 0) + times * node[1]
        else:
            totals[id(node)] = totals.get(id(node), 0) + times
            commands[id(node)] = node  # type: ignore[assignment]
    # Path order: the order of first appearance in a left-to-right walk.
    steps: list[Step] = []
    listed: set[int] = set()
    stack: list[object] = [rope]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, tuple):
            children = node[1:] if node[0] == "+" else (node[2],)
            stack.extend(reversed(children))
        elif id(node) not in listed:
            listed.add(id(node))
            steps.append(Step(commands[id(node)], totals[id(node)]))
    return steps


def compute_bound(flow: ControlFlow) -> Bound:
    """The worst case over all paths of the flow's main script of each kind of outgoing
    message (and of actions): what `ControlFlow.bound()` computes once and keeps."""
    return _Bounds(flow).compute()


class _Bounds:
    """One computation of the bound: a bounder run per measure, sharing what the runs
    learn about the script and the commands they could not count."""

    def __init__(self, flow: ControlFlow) -> None:
        self.flow = flow
        self.unknown: dict[int, Command] = {}
        self.includes: bool | None = None
        self.weighed: list[Command] = []

    def compute(self) -> Bound:
        flow = self.flow
        values: dict[str, int] = {}
        worst: dict[str, list[Step]] = {}
        for measure in MEASURES:
            if measure == "actions":
                continue
            values[measure], rope = self.worst(self.weight(measure), flow.mime_part_limit)
            worst[measure] = _flatten(rope)
        # RFC 5228 §2.10.3: the same keep, fileinto, redirect... twice is one action, so a
        # constant one counts once however often a loop runs it; the others multiply.
        once, once_rope = self.worst(lambda c: int(flow.merges(c)), 1)
        repeated, repeated_rope = self.worst(
            lambda c: int(flow.name(c) in ACTIONS and not flow.merges(c)), flow.mime_part_limit
        )
        values["actions"] = once + repeated
        steps = _flatten(repeated_rope)
        listed = {id(step.command) for step in steps}
        steps += [step for step in _flatten(once_rope) if id(step.command) not in listed]
        worst["actions"] = sorted(steps, key=lambda step: step.command.span.start)
        return Bound(
            path=[step.command for step in worst["total"]],
            worst=worst,
            unknown=list(self.unknown.values()),
            **values,
        )

    def worst(self, weight: Callable[[Command], int], loop_factor: int) -> tuple[int, Rope]:
        """The largest weight of a path through the whole run, and that path."""
        flow = self.flow
        if self.includes is None:
            every = list(all_commands(flow.script.commands))
            self.includes = any(flow.name(c) == "include" for c in every)
            self.weighed = every
        if not self.includes and not any(weight(c) for c in self.weighed):
            return 0, None  # nothing in the script counts: no need to walk it
        summary = _Bounder(flow, weight, loop_factor, self.unknown).script(flow.script, 0)
        best: _Exit = (0, None)
        for kind in (FALL, STOP, RETURN):
            exit_ = summary.get(kind)
            if exit_ is not None and exit_[0] > best[0]:
                best = exit_
        return best

    def weight(self, measure: str) -> Callable[[Command], int]:
        name = self.flow.name

        def weight(command: Command) -> int:
            kind = OUTGOING.get(name(command))
            if kind is None:
                return 0
            return 1 if measure in ("total", kind) else 0

        return weight


class _Bounder:
    """Folds blocks into summaries: for each way out, the largest weight of a path."""

    def __init__(
        self,
        flow: ControlFlow,
        weight: Callable[[Command], int],
        loop_factor: int,
        unknown: dict[int, Command],
    ) -> None:
        self.flow = flow
        # Reachable commands whose output cannot be counted (see `Bound.unknown`).
        self.unknown = unknown
        self.weight = weight
        self.loop_factor = loop_factor
        self.scripts: dict[int, _Summary] = {}
        self.active: set[int] = set()

    def script(self, script: Script, depth: int) -> _Summary:
        return self.block(script.commands, depth)

    def block(self, commands: list[Command], depth: int) -> _Summary:
        summary: _Summary = {FALL: (0, None)}
        for statement in self.flow.block(commands):
            if FALL not in summary:
                break
            summary = _then(summary, self.statement(statement, depth))
        return summary

    def statement(self, statement: Statement, depth: int) -> _Summary:
        if isinstance(statement, Chain):
            out: _Summary = {} if statement.has_else else {FALL: (0, None)}
            for branch in statement.branches:
                _merge_into(out, _prefix(branch, self.block(body_of(branch), depth)))
            return out
        command = statement
        name = self.flow.name(command)
        if name == "stop":
            return {STOP: (0, command)}
        if name == "return":
            return {RETURN: (0, command)}
        if name == "break":
            return {("break", break_target(command)): (0, command)}
        if name == LOOP:
            return _prefix(command, self.loop(command, depth))
        if name == "include":
            return self.include(command, depth)
        if name == "redirect" and any(
            isinstance(a, Tag) and a.name == "list" for a in command.arguments
        ):
            self.unknown[id(command)] = command  # RFC 6134: one copy per list member
        return {FALL: (self.weight(command), command)}

    def loop(self, command: Command, depth: int) -> _Summary:
        """RFC 5703 §3.1: the body runs once per MIME part, at most `mime_part_limit` times;
        the worst path runs full iterations and then leaves in the last one."""
        limit = self.loop_factor
        if limit == 0:
            return {FALL: (0, None)}
        body = self.block(body_of(command), depth)
        name = break_target(command)
        full = body.get(FALL)
        # Everything but the last iteration falls through the body.
        before_last: _Exit = (
            (full[0] * (limit - 1), _times(limit - 1, full[1])) if full else (0, None)
        )
        out: _Summary = {FALL: (0, None)}  # a nested loop may find no parts at all
        if full is not None:
            _merge_into(out, {FALL: (full[0] * limit, _times(limit, full[1]))})
        for kind, (value, rope) in body.items():
            if kind == FALL:
                continue
            caught = isinstance(kind, tuple) and kind[1] in (None, name)
            leaves = FALL if caught else kind
            candidate = (before_last[0] + value, _cat(before_last[1], rope))
            if _better(out.get(leaves), candidate):
                out[leaves] = candidate
        return out

    def include(self, command: Command, depth: int) -> _Summary:
        included = self.flow.included(command) if depth < self.flow.max_include_depth else None
        if included is None or id(included) in self.active:
            # Not available (or including itself, which fails at run time): not counted.
            self.unknown[id(command)] = command
            return {FALL: (0, command)}
        summary = self.scripts.get(id(included))
        if summary is None:
            self.active.add(id(included))
            try:
                summary = self.script(included, depth + 1)
            finally:
                self.active.discard(id(included))
            self.scripts[id(included)] = summary
        out: _Summary = {}
        for kind, exit_ in summary.items():
            # RFC 6609 §3.3: return goes back to the includer; stop ends everything.
            if kind in (FALL, RETURN):
                _merge_into(out, {FALL: exit_})
            elif kind == STOP:
                out[STOP] = exit_
        return _prefix(command, out)
