"""The control flow of a checked script: which commands run on which paths, how often, and
how many messages one execution can send out at worst.

Sieve has no goto. Control is `if`/`elsif`/`else`, `stop` (ends the whole run), `return`
(ends an included script, RFC 6609 §3.3), `foreverypart` loops with `break` (RFC 5703 §3)
and `include` (RFC 6609 §3.2). So the graph is the syntax tree itself, and every analysis
here is one structured walk over it in time linear in the script:

- `bound()` folds each block into a summary of how its paths leave it (falling through,
  `stop`, `return`, `break`) with the largest count of each kind of outgoing message, so
  branches take the max, sequences add, loops multiply by the MIME-part limit;
- `reachable()` / `after_stop()` say which commands no path reaches;
- `paths()` enumerates concrete paths, lazily and up to a limit;
- `forward()` runs a data-flow analysis (tests seen on every path, where variable values
  come from) and gives the state before each command.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sieve.extensions.registry import Registry
from sieve.runtime.variables import VARIABLE_REF
from sieve.syntax.ast import (
    Argument,
    Callout,
    Command,
    Script,
    String,
    StringList,
    Tag,
    Test,
    TestList,
    split_arguments,
)

IncludeResolver = Callable[[str, bool], Script | None]

LOOP = "foreverypart"
_BRANCHES = ("if", "elsif", "else")
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
        if command.name not in _BRANCHES:
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


def _body(command: Command) -> list[Command]:
    return command.block.commands if command.block is not None else []


def _break_target(command: Command) -> str | None:
    """The loop name of `break :name "x"`, or None for the innermost loop."""
    arguments = command.arguments
    for index, argument in enumerate(arguments[:-1]):
        if isinstance(argument, Tag) and argument.name == "name":
            value = arguments[index + 1]
            if isinstance(value, String):
                return value.value
    return None


def _loop_name(command: Command) -> str | None:
    return _break_target(command)  # foreverypart takes the same `:name "x"` tag


# The worst-case bound.


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


# Paths, enumerated.


@dataclass(frozen=True, slots=True)
class Path:
    """One execution path: the commands run, in order (a loop body appears once, for
    one iteration), and how it ends: "end", "stop" or "return" (from the main script)."""

    commands: tuple[Command, ...]
    end: str


# Data-flow analyses.

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


class ControlFlow:
    """The control flow of one checked script. `mime_part_limit` is how many times a
    `foreverypart` body may run (the VM's max_mime_parts); `resolve_include(name, global_)`
    returns the checked tree of an included script, or None when it cannot."""

    def __init__(
        self,
        script: Script,
        registry: Registry,
        *,
        mime_part_limit: int,
        resolve_include: IncludeResolver | None = None,
        max_include_depth: int = 8,
    ) -> None:
        self.script = script
        self.registry = registry
        self.mime_part_limit = max(0, mime_part_limit)
        self.resolve_include = resolve_include
        self.max_include_depth = max_include_depth
        self._statements: dict[int, list[Statement]] = {}
        self._included: dict[tuple[str, bool], Script | None] = {}
        self._bound: Bound | None = None
        self._reach: dict[int, bool] | None = None
        self._dead_starts: list[Command] = []
        self._loops: dict[int, tuple[Command, ...]] = {}
        self._unknown: dict[int, Command] = {}
        self._origins: Facts[frozenset] | None = None
        self._includes: bool | None = None
        self._weighed: list[Command] = []
        self._tested: Facts[frozenset] | None = None

    # Names and structure.

    def name(self, command: Command) -> str:
        """The command's name, with a dialect's alias read as what it means (Oracle's
        `erejec` is `ereject`)."""
        alias = self.registry.aliases.get(command.name)
        return alias.means if alias is not None else command.name

    def block(self, commands: list[Command]) -> list[Statement]:
        key = id(commands)
        found = self._statements.get(key)
        if found is None:
            found = self._statements[key] = statements(commands)
        return found

    def included(self, command: Command) -> Script | None:
        """The tree of the script an `include` names, when the resolver can give it."""
        if self.resolve_include is None:
            return None
        name = next((a.value for a in command.arguments if isinstance(a, String)), None)
        if name is None:
            return None
        global_ = any(isinstance(a, Tag) and a.name == "global" for a in command.arguments)
        key = (name, global_)
        if key not in self._included:
            try:
                self._included[key] = self.resolve_include(name, global_)
            except Exception:  # a resolver that fails leaves the include unknown
                self._included[key] = None
        return self._included[key]

    def loops_around(self, command: Command) -> tuple[Command, ...]:
        """The `foreverypart` loops enclosing a command of the main script, outermost first."""
        self._reachability()
        return self._loops.get(id(command), ())

    def fan_out(self, command: Command) -> int:
        """How many times a command of the main script can run per execution because of
        the loops around it: the MIME-part limit per enclosing loop, multiplied."""
        return self.mime_part_limit ** len(self.loops_around(command))

    # The bound.

    def bound(self) -> Bound:
        """The worst case over all paths of each kind of outgoing message (and of actions)."""
        if self._bound is None:
            self._bound = self._compute_bound()
        return self._bound

    def outgoing_bound(self) -> Bound:
        """The same as `bound()` (the name the lint API gives it)."""
        return self.bound()

    def _compute_bound(self) -> Bound:
        values: dict[str, int] = {}
        worst: dict[str, list[Step]] = {}
        self._unknown = {}
        for measure in MEASURES:
            if measure == "actions":
                continue
            values[measure], rope = self._worst(self._weight(measure), self.mime_part_limit)
            worst[measure] = _flatten(rope)
        # RFC 5228 §2.10.3: the same keep, fileinto, redirect... twice is one action, so a
        # constant one counts once however often a loop runs it; the others multiply.
        once, once_rope = self._worst(lambda c: int(self.merges(c)), 1)
        repeated, repeated_rope = self._worst(
            lambda c: int(self.name(c) in ACTIONS and not self.merges(c)), self.mime_part_limit
        )
        values["actions"] = once + repeated
        steps = _flatten(repeated_rope)
        listed = {id(step.command) for step in steps}
        steps += [step for step in _flatten(once_rope) if id(step.command) not in listed]
        worst["actions"] = sorted(steps, key=lambda step: step.command.span.start)
        return Bound(
            path=[step.command for step in worst["total"]],
            worst=worst,
            unknown=list(self._unknown.values()),
            **values,
        )

    def _worst(self, weight: Callable[[Command], int], loop_factor: int) -> tuple[int, Rope]:
        """The largest weight of a path through the whole run, and that path."""
        if self._includes is None:
            every = list(_all_commands(self.script.commands))
            self._includes = any(self.name(c) == "include" for c in every)
            self._weighed = every
        if not self._includes and not any(weight(c) for c in self._weighed):
            return 0, None  # nothing in the script counts: no need to walk it
        summary = _Bounder(self, weight, loop_factor).script(self.script, 0)
        best: _Exit = (0, None)
        for kind in (FALL, STOP, RETURN):
            exit_ = summary.get(kind)
            if exit_ is not None and exit_[0] > best[0]:
                best = exit_
        return best

    def merges(self, command: Command) -> bool:
        """Whether running the command again adds no action: one of the kinds that merge
        with an equal one (as the VM and Pigeonhole merge them), with arguments that cannot
        change between runs."""
        return self.name(command) in MERGING and not any(
            isinstance(a, Callout) or "${" in s.value
            for a in command.arguments
            for s in strings_of(a)
        )

    def _weight(self, measure: str) -> Callable[[Command], int]:
        def weight(command: Command) -> int:
            kind = OUTGOING.get(self.name(command))
            if kind is None:
                return 0
            return 1 if measure in ("total", kind) else 0

        return weight

    # Reachability.

    def reachable(self, command: Command) -> bool:
        """Whether some path of the main script runs `command` (a command of another script,
        or one this flow does not know, counts as reachable)."""
        return self._reachability().get(id(command), True)

    def after_stop(self) -> list[Command]:
        """The first command of each run of commands that no path reaches, because every
        path before them ends (`stop`, `return`, `break`, or branches that all do)."""
        self._reachability()
        return list(self._dead_starts)

    def unreachable(self) -> list[Command]:
        """Every command of the main script that no path reaches."""
        return [c for c in _all_commands(self.script.commands) if not self.reachable(c)]

    def _reachability(self) -> dict[int, bool]:
        if self._reach is None:
            self._reach = {}
            self._dead_starts = []
            self._loops = {}
            self._mark(self.script.commands, True, ())
        return self._reach

    def _mark(self, commands: list[Command], live: bool, loops: tuple[Command, ...]) -> bool:
        """Marks a block's commands live or dead and returns whether the block can fall
        through to what follows it. A run of dead commands after live ones is recorded once,
        at its first command; a block that is dead as a whole is not."""
        assert self._reach is not None
        previous_live = live
        for statement in self.block(commands):
            first = statement.branches[0] if isinstance(statement, Chain) else statement
            if previous_live and not live:
                self._dead_starts.append(first)
            previous_live = live
            if isinstance(statement, Chain):
                falls = not statement.has_else
                for branch in statement.branches:
                    self._reach[id(branch)] = live
                    self._loops[id(branch)] = loops
                    falls = self._mark(_body(branch), live, loops) or falls
                live = live and falls
                continue
            command = statement
            self._reach[id(command)] = live
            self._loops[id(command)] = loops
            name = self.name(command)
            if name == LOOP:
                # A nested loop may find no parts and run zero times: after it is reachable.
                self._mark(_body(command), live, (*loops, command))
            elif name in ("stop", "return", "break"):
                live = False
        return live

    # Paths.

    def paths(self, limit: int = 1000) -> Iterator[Path]:
        """Concrete paths through the main script, depth first, at most `limit` of them:
        each if/elsif/else chain takes each branch, each loop runs its body once or not at
        all, resolved includes are followed. Memory stays proportional to one path."""
        # A continuation is a tuple of frames: ("seq", statements, index), ("loop", name)
        # for the end of a loop body, ("include",) for the end of an included script.
        top = (("seq", self.block(self.script.commands), 0),)
        todo: list[tuple[tuple, int, Command | None]] = [(top, 0, None)]
        path: list[Command] = []
        produced = 0
        while todo and produced < limit:
            continuation, length, taken = todo.pop()
            del path[length:]
            if taken is not None:
                path.append(taken)
            ended = self._run_path(continuation, path, todo)
            yield Path(tuple(path), ended)
            produced += 1

    def _run_path(self, continuation: tuple, path: list[Command], todo: list) -> str:
        """Follows one path to its end, pushing the alternatives it passes onto `todo`."""
        while continuation:
            frame = continuation[-1]
            if frame[0] != "seq":
                continuation = continuation[:-1]
                continue
            _, items, index = frame
            if index >= len(items):
                continuation = continuation[:-1]
                continue
            statement = items[index]
            continuation = (*continuation[:-1], ("seq", items, index + 1))
            if isinstance(statement, Chain):
                options = [
                    (continuation + (("seq", self.block(_body(b)), 0),), b)
                    for b in statement.branches
                ]
                if not statement.has_else:
                    options.append((continuation, None))
                for alternative, branch in reversed(options[1:]):
                    todo.append((alternative, len(path), branch))
                continuation = options[0][0]
                path.append(statement.branches[0])
                continue
            command = statement
            path.append(command)
            name = self.name(command)
            if name == "stop":
                return STOP
            if name == "return":
                while continuation and continuation[-1][0] != "include":
                    continuation = continuation[:-1]
                if not continuation:
                    return RETURN
                continue
            if name == "break":
                continuation = _unwind(continuation, _break_target(command))
                continue
            if name == LOOP:
                todo.append((continuation, len(path), None))
                continuation = (
                    *continuation,
                    ("loop", _loop_name(command)),
                    ("seq", self.block(_body(command)), 0),
                )
                continue
            depth = sum(1 for f in continuation if f[0] == "include")
            if name == "include" and depth < self.max_include_depth:
                included = self.included(command)
                if included is not None:
                    continuation = (
                        *continuation,
                        ("include",),
                        ("seq", self.block(included.commands), 0),
                    )
        return "end"

    # Data flow.

    def value_origins(self) -> Facts[frozenset]:
        """Where each variable's value may come from, before each command (shared by the
        rules about targets built from message content)."""
        if self._origins is None:
            self._origins = self.forward(ValueOrigins(self.registry))
        return self._origins

    def tested(self) -> Facts[frozenset]:
        """What the tests seen on every path to a command read (`facts_of`), shared by
        the rules that look for a guard: lower-cased header names, "envelope:from",
        "test:duplicate"; "*" after an include that is not followed."""
        if self._tested is None:
            registry = self.registry
            self._tested = self.forward(SeenOnEveryPath(lambda t: facts_of(t, registry)))
        return self._tested

    def forward(self, analysis: Analysis[S], budget: int | None = None) -> Facts[S]:
        """Runs `analysis` forward over the main script and returns the state before each
        reachable command (joined over every way there, loop iterations included). Loops
        are iterated until their state settles or `budget` command visits are spent (by
        default 20 per command), which keeps hostile nesting linear."""
        runner = _Forward(self, analysis, budget)
        runner.run(self.script.commands)
        return Facts(runner.states)


def _unwind(continuation: tuple, target: str | None) -> tuple:
    """RFC 5703 §3.2: break leaves the innermost loop, or the innermost one of that name."""
    frames = list(continuation)
    while frames:
        frame = frames.pop()
        if frame[0] == "loop" and (target is None or frame[1] == target):
            return tuple(frames)
        if frame[0] == "include":
            break  # break cannot leave an included script; the checker forbids it
    return tuple(frames)


def _all_commands(commands: list[Command]) -> Iterator[Command]:
    pending = list(reversed(commands))
    while pending:
        command = pending.pop()
        yield command
        pending.extend(reversed(_body(command)))


class _Bounder:
    """Folds blocks into summaries: for each way out, the largest weight of a path."""

    def __init__(
        self, flow: ControlFlow, weight: Callable[[Command], int], loop_factor: int
    ) -> None:
        self.flow = flow
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
                _merge_into(out, _prefix(branch, self.block(_body(branch), depth)))
            return out
        command = statement
        name = self.flow.name(command)
        if name == "stop":
            return {STOP: (0, command)}
        if name == "return":
            return {RETURN: (0, command)}
        if name == "break":
            return {("break", _break_target(command)): (0, command)}
        if name == LOOP:
            return _prefix(command, self.loop(command, depth))
        if name == "include":
            return self.include(command, depth)
        if name == "redirect" and any(
            isinstance(a, Tag) and a.name == "list" for a in command.arguments
        ):
            self.flow._unknown[id(command)] = command  # RFC 6134: one copy per list member
        return {FALL: (self.weight(command), command)}

    def loop(self, command: Command, depth: int) -> _Summary:
        """RFC 5703 §3.1: the body runs once per MIME part, at most `mime_part_limit` times;
        the worst path runs full iterations and then leaves in the last one."""
        limit = self.loop_factor
        if limit == 0:
            return {FALL: (0, None)}
        body = self.block(_body(command), depth)
        name = _loop_name(command)
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
            self.flow._unknown[id(command)] = command
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


class _Forward(Generic[S]):
    def __init__(self, flow: ControlFlow, analysis: Analysis[S], budget: int | None) -> None:
        self.flow = flow
        self.analysis = analysis
        self.states: dict[int, S] = {}
        self.loops: list[_LoopFrame] = []
        if budget is None:
            budget = 20 * sum(1 for _ in _all_commands(flow.script.commands)) + 100
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
                    out = self.join(out, self.block(_body(branch), current))
                    current = None
                    continue
                taken = analysis.condition(branch, branch.test, current, True)
                out = self.join(out, self.block(_body(branch), taken))
                current = analysis.condition(branch, branch.test, current, False)
            return self.join(out, current)
        command = statement
        self.record(command, state)
        name = self.flow.name(command)
        if name in ("stop", "return"):
            return None
        if name == "break":
            target = _break_target(command)
            for frame in reversed(self.loops):
                if target is None or frame.name == target:
                    frame.exits.append(state)
                    break
            return None
        if name == LOOP:
            return self.loop(command, state)
        return analysis.command(command, state)

    def loop(self, command: Command, state: S) -> S | None:
        frame = _LoopFrame(_loop_name(command))
        self.loops.append(frame)
        entry: S = state
        try:
            while True:
                end = self.block(_body(command), entry)
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


# Reading tests and arguments, for the analyses of the rules.


def leaf_tests(test: Test | TestList | None) -> Iterator[Test]:
    """Every test of a condition that looks at something (not `allof`/`anyof`/`not`)."""
    if test is None:
        return
    pending: list[Test | TestList] = [test]
    while pending:
        node = pending.pop()
        if isinstance(node, TestList):
            pending.extend(reversed(node.tests))
            continue
        if node.name in ("allof", "anyof", "not"):
            if node.test is not None:
                pending.append(node.test)
            continue
        yield node


def outcomes(test: Test | TestList, outcome: bool | None) -> Iterator[tuple[Test, bool | None]]:
    """The leaf tests of a condition in evaluation order, each with whether it surely
    succeeded (True), surely failed (False) or may have either (None), given the outcome
    of the whole condition."""
    if isinstance(test, TestList):
        for member in test.tests:
            yield from outcomes(member, outcome)
        return
    if test.name == "not":
        if test.test is not None:
            yield from outcomes(test.test, None if outcome is None else not outcome)
        return
    if test.name in ("allof", "anyof"):
        # allof is true only if every member is; anyof is false only if every member is.
        sure = outcome if outcome == (test.name == "allof") else None
        if test.test is not None:
            yield from outcomes(test.test, sure)
        return
    yield test, outcome


def arguments(node: Command | Test, registry: Registry) -> tuple[dict[str, Argument | None], list]:
    """A command's or test's tags (name → value, None for flags) and positionals, read
    with the registry's signature as the compiler reads them."""
    table = registry.commands if isinstance(node, Command) else registry.tests
    provided = table.get(node.name)
    valued = registry.valued_tags(provided.spec) if provided is not None else frozenset()
    tags, positionals = split_arguments(node.arguments, valued)
    return {tag.name: value for tag, value in tags}, positionals


def strings_of(argument: Argument | None) -> list[String]:
    if isinstance(argument, String):
        return [argument]
    if isinstance(argument, StringList):
        return list(argument.strings)
    if isinstance(argument, Callout):
        return strings_of(argument.argument)
    return []


def positional_roles(node: Command | Test, registry: Registry) -> list[tuple[str | None, Argument]]:
    """Each positional argument with its declared role ("header-name", "variable-name"...)."""
    table = registry.commands if isinstance(node, Command) else registry.tests
    provided = table.get(node.name)
    _, positionals = arguments(node, registry)
    if provided is None:
        return [(None, argument) for argument in positionals]
    declared = provided.spec.signature.positionals  # type: ignore[union-attr]
    required = sum(not p.optional for p in declared)
    surplus = len(positionals) - required
    roles: list[str | None] = []
    for positional in declared:
        if positional.optional:
            if surplus <= 0:
                continue
            surplus -= 1
        roles.append(positional.role)
    roles.extend([None] * (len(positionals) - len(roles)))
    return list(zip(roles, positionals, strict=False))


def header_names(test: Test, registry: Registry) -> list[str]:
    """The header fields a test reads, lower-cased (from the arguments whose role is a
    header name: header, address, exists, date, and :mime variants)."""
    names: list[str] = []
    for role, argument in positional_roles(test, registry):
        if role == "header-name":
            names.extend(s.value.strip().lower() for s in strings_of(argument))
    if test.name == "duplicate":
        tags, _ = arguments(test, registry)
        names.extend(s.value.strip().lower() for s in strings_of(tags.get("header")))
    return names


def envelope_parts(test: Test, registry: Registry) -> list[str]:
    """The envelope parts an `envelope` test reads ("from", "to"), lower-cased."""
    if test.name != "envelope":
        return []
    _, positionals = arguments(test, registry)
    return [s.value.lower() for s in strings_of(positionals[0])] if positionals else []


def match_type(node: Command | Test, registry: Registry) -> str:
    tags, _ = arguments(node, registry)
    members = registry.group_tags.get("match-type", {})
    return next((name for name in tags if name in members), "is")


def facts_of(test: Test, registry: Registry) -> set[str]:
    """What one test looks at: "test:<name>", the header names it reads,
    "envelope:<part>" for the envelope parts, and "count:<name>" when it counts fields."""
    facts = {f"test:{test.name}"}
    if test.name in registry.tests:
        names = header_names(test, registry)
        facts.update(names)
        facts.update(f"envelope:{part}" for part in envelope_parts(test, registry))
        if match_type(test, registry) == "count":
            facts.update(f"count:{name}" for name in names)
    return facts


# Analysis: what the script has tested on every path (a must analysis).


class SeenOnEveryPath(Analysis[frozenset]):
    """Facts established by the tests evaluated on every path to a command: `facts(test)`
    names what one test establishes (say, the header names it reads). Includes that are
    not followed add the fact "*" (anything may have been tested there)."""

    def __init__(self, facts: Callable[[Test], Iterable[str]]) -> None:
        self.facts = facts

    def start(self) -> frozenset:
        return frozenset()

    def join(self, first: frozenset, second: frozenset) -> frozenset:
        return first & second

    def command(self, command: Command, state: frozenset) -> frozenset:
        if command.name == "include":
            return state | {"*"}
        return state

    def condition(
        self, command: Command, test: Test | TestList, state: frozenset, outcome: bool
    ) -> frozenset:
        found = set(state)
        for leaf in leaf_tests(test):
            found.update(self.facts(leaf))
        return frozenset(found)


# Analysis: where the values of variables come from (a may analysis, def-use over `set`).

# Origins: "header:<name>", "envelope:from", "envelope:to", "body"; "+url" is appended
# when the value went through `set :encodeurl` (RFC 5435 §6), which makes it safe inside
# a URI's query but still attacker-chosen.
URL_SAFE = "+url"
# Variable names are case-insensitive (RFC 5229 §3); match variables are "0" ... "9".
_MATCH_VARIABLES = tuple(str(n) for n in range(10))
_NAMESPACED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.")

Origins = frozenset  # of (variable, origin) pairs


class ValueOrigins(Analysis[frozenset]):
    """For each variable, which parts of the message its value may come from: `set`
    copies the origins of the variables it reads (RFC 5229 §4), a constant clears them, a
    successful `:matches`/`:regex` sets the match variables from what the test read
    (RFC 5229 §3.2; a failed one leaves them, so the old origins stay as well)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def start(self) -> frozenset:
        return frozenset()

    def join(self, first: frozenset, second: frozenset) -> frozenset:
        return first | second

    def of_text(self, text: str, state: frozenset) -> frozenset[str]:
        """The origins of the variables a string with `${…}` reads."""
        if "${" not in text:
            return frozenset()
        names = {_variable_key(m.group(1)) for m in VARIABLE_REF.finditer(text)}
        return frozenset(origin for variable, origin in state if variable in names)

    def of_argument(self, argument: Argument | None, state: frozenset) -> frozenset[str]:
        found: set[str] = set()
        for string in strings_of(argument):
            found.update(self.of_text(string.value, state))
        return frozenset(found)

    def command(self, command: Command, state: frozenset) -> frozenset:
        if command.name == "set":
            tags, positionals = arguments(command, self.registry)
            if len(positionals) < 2 or not isinstance(positionals[0], String):
                return state
            target = _variable_key(positionals[0].value)
            origins = self.of_argument(positionals[1], state)
            if "length" in tags:
                origins = frozenset()  # a number says nothing an attacker could aim
            elif "encodeurl" in tags:
                origins = frozenset(o if o.endswith(URL_SAFE) else o + URL_SAFE for o in origins)
            return _assign(state, target, origins)
        if command.name == "extracttext":
            _, positionals = arguments(command, self.registry)
            if positionals and isinstance(positionals[0], String):
                return _assign(state, _variable_key(positionals[0].value), frozenset({"body"}))
        return state

    def condition(
        self, command: Command, test: Test | TestList, state: frozenset, outcome: bool
    ) -> frozenset:
        for leaf, succeeded in outcomes(test, outcome):
            if succeeded is False:
                continue
            origins = self.captured(leaf, state)
            if origins is None:
                continue
            added = {(variable, origin) for variable in _MATCH_VARIABLES for origin in origins}
            if succeeded:
                # RFC 5229 §3.2: a successful match replaces all match variables.
                state = frozenset(pair for pair in state if pair[0] not in _MATCH_VARIABLES)
            state = state | added
        return state

    def captured(self, test: Test, state: frozenset) -> frozenset[str] | None:
        """The origins of what a test's match variables capture, or None if it sets none."""
        registry = self.registry
        if test.name not in registry.tests:
            # An Oracle mapping callout used as a test sets ${0} from the table's answer,
            # which may echo its argument.
            return frozenset().union(*(self.of_argument(a, state) for a in test.arguments))
        if match_type(test, registry) not in ("matches", "regex"):
            return None
        found: set[str] = {f"header:{name}" for name in header_names(test, registry)}
        found.update(f"envelope:{part}" for part in envelope_parts(test, registry))
        if test.name == "body":
            found.add("body")
        elif test.name == "string":
            _, positionals = arguments(test, registry)
            if positionals:
                found.update(self.of_argument(positionals[0], state))
        return frozenset(found)


def _variable_key(name: str) -> str:
    name = name.strip().lower()
    return str(int(name)) if name.isdigit() else name


def _assign(state: frozenset, variable: str, origins: frozenset[str]) -> frozenset:
    kept = {pair for pair in state if pair[0] != variable}
    kept.update((variable, origin) for origin in origins)
    return frozenset(kept)


def references(text: str) -> Iterator[tuple[int, str]]:
    """Each `${name}` of a string: where it starts and the variable's key."""
    for match in VARIABLE_REF.finditer(text):
        if _NAMESPACED.match(match.group(1)) and not match.group(1).isdigit():
            continue  # ${env.x}, ${vnd.x}: not variables a script sets
        yield match.start(), _variable_key(match.group(1))
