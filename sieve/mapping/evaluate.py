"""Mapping-table templates and lookups: how the MTA turns an input string into an output
string with one table.

Entries are tried top to bottom; the first whose pattern matches applies its template. A
template copies its text, substitutes `$0`…`$9` (the pattern's wildcards, from 0), calls
site-supplied routines (`$[image,routine,argument]`), looks the argument up in another table
of the file (`$|table;argument|`, which must answer `$Y`), changes the case of what follows
(`$\\` lower, `$^` upper, `$_` as it is) and sets flags: `$Y`/`$N` (the
answer is yes/no), `$E` (end, the default), `$C` (go on with the next entry, this output as
the new input), `$L` (like `$C`, and one more pass from the top if nothing else matches),
`$R` (start again from the top with this output). Templates are read left to right, so a
flag written before a routine that fails is seen, one written after it is not. An entry
whose routine fails "fails": the input goes on unchanged, and the mapping ends unless a
`$C`, `$L` or `$R` came before the failure.

The routines are Python callables registered by name (`Routines`); the image path in the
template is kept for compatibility only. Every lookup is bounded: `max_passes` restarts
that do not shrink the input (the MTA's loop guard), `max_steps` units of work in all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sieve.mapping.patterns import PatternError, compile_pattern, match, match_cost
from sieve.mapping.templates import (
    Callout,
    Case,
    Flag,
    Nested,
    Template,
    Text,
    Unsupported,
    Wildcard,
    parse_template,
)

if TYPE_CHECKING:
    from sieve.mapping.tables import Table

# A routine gets the comma-separated arguments after `image,routine` (with `$n`
# substituted) and returns its result string, or None when it fails.
Routine = Callable[[list[str]], str | None]

CONTROLS = "CELR"
_MAX_TRACE = 2000
# `$|table;argument|` inside a table that another one called: a table that calls itself
# (directly or not) stops here instead of recursing without end.
MAX_NESTING = 8

# Finds the other tables of the mapping file by name, for `$|table;argument|`.
Tables = Callable[[str], "Table | None"]


class Routines:
    """Site-supplied routines by name (compared case-insensitively)."""

    def __init__(self, routines: Mapping[str, Routine] | None = None) -> None:
        self._routines: dict[str, Routine] = {}
        for name, routine in (routines or {}).items():
            self.register(name, routine)

    def register(self, name: str, routine: Routine) -> None:
        self._routines[name.lower()] = routine

    def get(self, name: str) -> Routine | None:
        return self._routines.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._routines


@dataclass(frozen=True)
class LookupResult:
    found: bool  # some entry matched and its template completed (not failed)
    output: str  # the final output string ("" when not found)
    flags: frozenset[str]  # the flag letters of the last template applied, e.g. {"Y", "E"}
    trace: tuple[str, ...] = ()  # one line per step, for --trace
    limited: bool = False  # stopped by max_steps: the lookup did not finish

    @property
    def success(self) -> bool:
        """What a Sieve callout test needs: the mapping answered with `$Y`."""
        return self.found and "Y" in self.flags


@dataclass
class _Outcome:
    """One template applied: its output, the flags seen and whether it failed on the way."""

    output: str = ""
    flags: list[str] = field(default_factory=list)
    failed: str = ""  # why, when it failed

    @property
    def control(self) -> str:
        """The C/E/L/R flag that decides what happens next: the last one written."""
        controls = [f for f in self.flags if f in CONTROLS]
        return controls[-1] if controls else ""

    def flag_set(self) -> frozenset[str]:
        # `$Y` and `$N` answer the same question: the later one wins.
        seen: set[str] = set()
        for f in self.flags:
            seen.discard({"Y": "N", "N": "Y"}.get(f, ""))
            seen.add(f)
        return frozenset(seen)


class _Budget:
    def __init__(self, max_steps: int) -> None:
        self.left = max_steps
        self.trace: list[str] = []

    def charge(self, units: int) -> bool:
        self.left -= units
        return self.left >= 0

    def note(self, line: str) -> None:
        if len(self.trace) < _MAX_TRACE:
            self.trace.append(line)
        elif len(self.trace) == _MAX_TRACE:
            self.trace.append("… (trace truncated)")


def _show(value: str, limit: int = 120) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def lookup(
    table: Table,
    value: str,
    routines: Routines,
    *,
    tables: Tables | None = None,
    max_passes: int = 10,
    max_steps: int = 10_000,
    max_length: int = 65_536,
) -> LookupResult:
    """Maps `value` through `table`. Never raises: routines that fail, raise or are not
    registered make their entry fail, and running out of `max_steps` stops the lookup
    with `limited` set and nothing found. `tables` finds the tables that
    `$|table;argument|` names (without it, such an entry fails); nested lookups share the
    step budget and nest at most MAX_NESTING deep."""
    context = _Context(routines, tables, _Budget(max_steps), max_passes, max_length)
    return _lookup(table, value, context, 0)


@dataclass(slots=True)
class _Context:
    """What every lookup of one call shares, nested ones included."""

    routines: Routines
    tables: Tables | None
    budget: _Budget
    max_passes: int
    max_length: int


def _lookup(table: Table, value: str, context: _Context, depth: int) -> LookupResult:
    budget, max_passes = context.budget, context.max_passes
    entries = table.entries
    current, pass_input = value, value
    quiet_passes = 0  # restarts in a row whose input did not shrink
    extra_pass = False  # a `$L` asked for one more pass if nothing else matches
    last: _Outcome | None = None
    index = 0
    budget.note(f"{table.name}: input {_show(value)}")
    while True:
        if index >= len(entries):
            if not extra_pass:
                budget.note("end of table")
                break
            extra_pass = False
            # `$L`: one more pass from the top when the table runs out without a match.
            if not _restart(budget, "$L", current, pass_input, quiet_passes, max_passes):
                break
            quiet_passes = _quiet(current, pass_input, quiet_passes)
            pass_input, index = current, 0
            continue
        entry = entries[index]
        where = f"entry {index + 1} (line {entry.line})"
        try:
            pattern = compile_pattern(entry.pattern)
        except PatternError as error:
            budget.note(f"{where}: pattern {_show(entry.pattern)} unusable: {error.reason}")
            index += 1
            continue
        if not budget.charge(match_cost(pattern, current)):
            return _limited(budget)
        captures = match(pattern, current)
        if captures is None:
            budget.note(f"{where}: {_show(entry.pattern)} does not match")
            index += 1
            continue
        shown = ", ".join(_show(c, 60) for c in captures)
        budget.note(f"{where}: {_show(entry.pattern)} matches, wildcards [{shown}]")
        outcome = _apply(parse_template(entry.template), captures, context, depth)
        if outcome is None:
            return _limited(budget)
        control = outcome.control or "E"
        if outcome.failed:
            if control == "E":
                budget.note(f"{where}: entry fails ({outcome.failed}); the mapping ends")
                break
            budget.note(
                f"{where}: entry fails ({outcome.failed}); ${control} came before the failure,"
                " so the mapping goes on with the input unchanged"
            )
        else:
            last = outcome
            budget.note(
                f"{where}: output {_show(outcome.output)}, flags "
                + ("".join(f"${f}" for f in outcome.flags) or "none")
            )
            current = outcome.output
            if control == "E":
                break
        if control == "R":
            extra_pass = False
            if not _restart(budget, "$R", current, pass_input, quiet_passes, max_passes):
                break
            quiet_passes = _quiet(current, pass_input, quiet_passes)
            pass_input, index = current, 0
            continue
        # `$C` goes on with the next entry; a later `$C` cancels a pending `$L` pass.
        extra_pass = control == "L" or (extra_pass and control != "C")
        index += 1
    if last is None:
        budget.note("not found")
        return LookupResult(False, "", frozenset(), tuple(budget.trace))
    flags = last.flag_set()
    budget.note(f"result {_show(last.output)}, flags {''.join(sorted(flags)) or 'none'}")
    return LookupResult(True, last.output, flags, tuple(budget.trace))


def _quiet(new: str, previous: str, count: int) -> int:
    # The MTA's loop guard counts passes that start with an input no shorter than the
    # previous pass's, and forgets them when the input shrinks.
    return 0 if len(new) < len(previous) else count + 1


def _restart(
    budget: _Budget, why: str, new: str, previous: str, count: int, max_passes: int
) -> bool:
    if _quiet(new, previous, count) > max_passes:
        budget.note(
            f"loop guard: {why} refused after {max_passes} passes that did not shrink the input"
        )
        return False
    budget.note(f"{why}: new pass from the top with {_show(new)}")
    return True


def _limited(budget: _Budget) -> LookupResult:
    budget.note("step limit reached: lookup abandoned")
    return LookupResult(False, "", frozenset(), tuple(budget.trace), limited=True)


def _apply(
    template: Template, captures: tuple[str, ...], context: _Context, depth: int
) -> _Outcome | None:
    """Applies a template left to right; None when the step budget runs out."""
    budget = context.budget
    outcome = _Outcome()
    out: list[str] = []
    size = 0
    case = "keep"
    for part in template.parts:
        if not budget.charge(1 + size // 1024):
            return None
        if isinstance(part, Flag):
            outcome.flags.append(part.letter)
            continue
        if isinstance(part, Case):
            case = part.mode
            continue
        if isinstance(part, Unsupported):
            outcome.failed = f"{_show(part.text)} is not supported"
            return outcome
        if isinstance(part, Callout):
            piece = _call(part, captures, context.routines, budget)
            if piece is None:
                outcome.failed = f"routine {part.routine!r} failed"
                return outcome
        elif isinstance(part, Nested):
            nested = _nested(part, captures, context, depth)
            if nested is None:
                return None
            if isinstance(nested, _Failure):
                outcome.failed = nested.why
                return outcome
            piece = nested
        else:
            piece = _substitute((part,), captures, budget)
        if case == "lower":
            piece = piece.lower()
        elif case == "upper":
            piece = piece.upper()
        size += len(piece)
        if size > context.max_length:
            outcome.failed = f"output longer than {context.max_length} characters"
            return outcome
        out.append(piece)
    outcome.output = "".join(out)
    return outcome


@dataclass(frozen=True, slots=True)
class _Failure:
    why: str


def _nested(
    part: Nested, captures: tuple[str, ...], context: _Context, depth: int
) -> str | _Failure | None:
    """`$|table;argument|`: the other table's output when it answers `$Y`; a failure of
    the entry otherwise; None when the shared step budget ran out."""
    budget = context.budget
    argument = _substitute(part.argument, captures, budget)
    found = context.tables(part.table) if context.tables is not None else None
    if found is None:
        budget.note(f"$|{part.table};…|: no table {part.table!r} in the mapping file")
        return _Failure(f"no table {part.table!r}")
    if depth + 1 > MAX_NESTING:
        budget.note(f"$|{part.table};…|: tables nest deeper than {MAX_NESTING}")
        return _Failure(f"tables nest deeper than {MAX_NESTING}")
    result = _lookup(found, argument, context, depth + 1)
    if result.limited:
        return None
    if not result.success:
        return _Failure(f"table {part.table!r} did not answer $Y")
    return result.output


def _substitute(
    parts: Iterable[Text | Wildcard], captures: tuple[str, ...], budget: _Budget
) -> str:
    pieces: list[str] = []
    for part in parts:
        if isinstance(part, Text):
            pieces.append(part.text)
        elif isinstance(part, Wildcard):
            if part.index < len(captures):
                pieces.append(captures[part.index])
            else:
                budget.note(f"${part.index}: the pattern has no such wildcard; substituted ''")
    return "".join(pieces)


def _call(
    part: Callout, captures: tuple[str, ...], routines: Routines, budget: _Budget
) -> str | None:
    """Runs a routine; its result, or None when it is unknown, fails or raises."""
    args = [_substitute(arg, captures, budget) for arg in part.args]
    routine = routines.get(part.routine)
    shown = ", ".join(_show(arg, 60) for arg in args)
    label = f"routine {_show(part.routine)} (image {_show(part.image)}) args [{shown}]"
    if routine is None:
        budget.note(f"{label}: unknown routine")
        return None
    try:
        result = routine(args)
    except Exception as error:  # a routine's bug must not escape the lookup
        budget.note(f"{label}: raised {type(error).__name__}")
        return None
    if not isinstance(result, str):
        budget.note(f"{label}: failed")
        return None
    budget.note(f"{label}: returned {_show(result)}")
    return result
