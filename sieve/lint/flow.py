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

This module holds the control flow itself (structure, reachability, paths) and the entry
points above; the parts with a job of their own live beside it: statements.py (chains and
the shared structure), bound.py (the worst-case bound), dataflow.py (the forward engine),
analyses.py (the analyses the rules share) and reading.py (reading tests and arguments).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sieve.extensions.registry import Registry
from sieve.lint.analyses import SeenOnEveryPath, ValueOrigins
from sieve.lint.bound import MERGING, Bound, compute_bound
from sieve.lint.dataflow import Analysis, Facts, S, run_forward
from sieve.lint.reading import facts_of
from sieve.lint.statements import (
    LOOP,
    RETURN,
    STOP,
    Chain,
    Statement,
    all_commands,
    body_of,
    break_target,
    statements,
)
from sieve.syntax.ast import Callout, Command, Script, String, Tag, string_nodes

IncludeResolver = Callable[[str, bool], Script | None]


# A path, as `ControlFlow.paths()` enumerates them.


@dataclass(frozen=True, slots=True)
class Path:
    """One execution path: the commands run, in order (a loop body appears once, for
    one iteration), and how it ends: "end", "stop" or "return" (from the main script)."""

    commands: tuple[Command, ...]
    end: str


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
        self._origins: Facts[frozenset] | None = None
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
            self._bound = compute_bound(self)
        return self._bound

    def outgoing_bound(self) -> Bound:
        """The same as `bound()` (the name the lint API gives it)."""
        return self.bound()

    def merges(self, command: Command) -> bool:
        """Whether running the command again adds no action: one of the kinds that merge
        with an equal one (as the VM and Pigeonhole merge them), with arguments that cannot
        change between runs."""
        return self.name(command) in MERGING and not any(
            isinstance(a, Callout) or "${" in s.value
            for a in command.arguments
            for s in string_nodes(a)
        )

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
        return [c for c in all_commands(self.script.commands) if not self.reachable(c)]

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
                    falls = self._mark(body_of(branch), live, loops) or falls
                live = live and falls
                continue
            command = statement
            self._reach[id(command)] = live
            self._loops[id(command)] = loops
            name = self.name(command)
            if name == LOOP:
                # A nested loop may find no parts and run zero times: after it is reachable.
                self._mark(body_of(command), live, (*loops, command))
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
                    (continuation + (("seq", self.block(body_of(b)), 0),), b)
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
                continuation = _unwind(continuation, break_target(command))
                continue
            if name == LOOP:
                todo.append((continuation, len(path), None))
                continuation = (
                    *continuation,
                    ("loop", break_target(command)),
                    ("seq", self.block(body_of(command)), 0),
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
        return run_forward(self, analysis, budget)


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
