"""The shape of a script that several rules share: which block holds each command, which
`if`/`elsif`/`else` chain it belongs to, whether two commands can run in one execution, and
which commands always end the script. Built once per context from the syntax tree alone
(the control-flow graph in `flow.py` answers the harder questions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sieve.lint.statements import BRANCHES
from sieve.syntax.ast import Command, Script, Test, TestList

# RFC 5228 §3.3: stop ends all processing; RFC 6609 §3.3: return ends the included script.
_ENDS = {"stop", "return"}


@dataclass(slots=True)
class Structure:
    """Where every command stands. Keys are `id(command)`; the tree outlives this object."""

    # The list of commands (a block or the script) holding the command, and its index there.
    place: dict[int, tuple[list[Command], int]] = field(default_factory=dict)
    # The enclosing commands, outermost first.
    parents: dict[int, tuple[Command, ...]] = field(default_factory=dict)
    # For if/elsif/else: the `if` command that opens the chain.
    chain: dict[int, Command] = field(default_factory=dict)
    # For each command list (by id): whether a command at or after each index always ends
    # the script; worked out on first use.
    _ends_from: dict[int, list[bool]] = field(default_factory=dict)
    _ends: dict[int, bool] = field(default_factory=dict)

    def ends(self, command: Command) -> bool:
        """`always_ends(command)`, remembered."""
        found = self._ends.get(id(command))
        if found is None:
            found = self._ends[id(command)] = always_ends(command, self)
        return found

    def ends_after(self, command: Command) -> bool:
        """Whether a later command in the same block always ends the script."""
        siblings, index = self.place[id(command)]
        table = self._ends_from.get(id(siblings))
        if table is None:
            table = [False] * (len(siblings) + 1)
            for position in range(len(siblings) - 1, -1, -1):
                table[position] = table[position + 1] or self.ends(siblings[position])
            self._ends_from[id(siblings)] = table
        return table[index + 1]

    def branches(self, command: Command) -> list[Command]:
        """The if/elsif/else commands of the chain `command` belongs to, in order."""
        head = self.chain.get(id(command))
        if head is None:
            return []
        siblings, index = self.place[id(head)]
        found = [head]
        for later in siblings[index + 1 :]:
            if later.name not in ("elsif", "else"):
                break
            found.append(later)
        return found

    def exclusive(self, first: Command, second: Command) -> bool:
        """True when no single execution runs both commands: they sit in different branches
        of one if-chain, or the earlier one is always followed by the end of the script."""
        chain_a = (*self.parents.get(id(first), ()), first)
        chain_b = (*self.parents.get(id(second), ()), second)
        depth = 0
        while depth < min(len(chain_a), len(chain_b)) and chain_a[depth] is chain_b[depth]:
            depth += 1
        if depth == len(chain_a) or depth == len(chain_b):
            return False  # one encloses the other
        x, y = chain_a[depth], chain_b[depth]
        head_x, head_y = self.chain.get(id(x)), self.chain.get(id(y))
        if head_x is not None and head_x is head_y:
            return True
        earlier = chain_a if self._before(x, y) else chain_b
        return self._ends_after(earlier, depth)

    def _before(self, x: Command, y: Command) -> bool:
        return self.place[id(x)][1] < self.place[id(y)][1]

    def _ends_after(self, chain: tuple[Command, ...], depth: int) -> bool:
        """Whether, after the last command of `chain`, the script certainly ends before
        control returns to the block at `depth` (a stop follows at some deeper level)."""
        return any(self.ends_after(chain[level]) for level in range(len(chain) - 1, depth, -1))


def build_structure(script: Script) -> Structure:
    structure = Structure()
    _visit(script.commands, (), structure)
    return structure


def _visit(commands: list[Command], parents: tuple[Command, ...], out: Structure) -> None:
    head: Command | None = None
    for index, command in enumerate(commands):
        key = id(command)
        out.place[key] = (commands, index)
        out.parents[key] = parents
        if command.name == "if":
            head = command
        if command.name in BRANCHES and head is not None:
            out.chain[key] = head
        if command.name not in ("elsif", "else", "if"):
            head = None
        if command.block is not None:
            _visit(command.block.commands, (*parents, command), out)


def always_ends(command: Command, structure: Structure) -> bool:
    """Whether running `command` certainly ends the script: `stop`, or an if-chain with an
    `else` whose every branch certainly ends. Called on the chain's `if`; elsif/else are
    judged through their `if`."""
    if command.name in _ENDS:
        return True
    if command.name != "if":
        return False
    branches = structure.branches(command)
    if not branches or branches[-1].name != "else":
        return False
    return all(block_ends(branch, structure) for branch in branches)


def block_ends(command: Command, structure: Structure) -> bool:
    """Whether a command's block certainly ends the script (False for one without a block)."""
    if command.block is None:
        return False
    return any(structure.ends(inner) for inner in command.block.commands)


# Tests that only read the message, the envelope or the script's state: evaluating them
# twice, or not at all, changes nothing. `duplicate` records the message (RFC 7352 §3) and
# Oracle's mapping callouts count towards throttles, so they are not here.
PURE_TESTS = frozenset(
    {
        "address", "allof", "anyof", "body", "currentdate", "date", "envelope",
        "environment", "exists", "false", "hasflag", "header", "ihave", "mailboxexists",
        "metadata", "metadataexists", "not", "notify_method_capability", "servermetadata",
        "servermetadataexists", "size", "spamtest", "string", "true", "valid_ext_list",
        "valid_notify_method", "virustest",
    }
)  # fmt: skip


def is_pure(test: Test | TestList | None) -> bool:
    """Whether evaluating the test has no effect beyond its truth value."""
    if test is None:
        return True
    if isinstance(test, TestList):
        return all(is_pure(member) for member in test.tests)
    return test.name in PURE_TESTS and is_pure(test.test)
