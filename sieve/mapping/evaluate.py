"""Mapping-table templates and lookups: how the MTA turns an input string into an output
string with one table.

Entries are tried top to bottom; the first whose pattern matches applies its template. A
template copies its text, substitutes `$0`…`$9` (the pattern's wildcards, from 0), calls
site-supplied routines (`$[image,routine,argument]`) and sets flags: `$Y`/`$N` (the
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

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from sieve.mapping.patterns import PatternError, compile_pattern, match, match_cost

if TYPE_CHECKING:
    from sieve.mapping.tables import Table

# A routine gets the comma-separated arguments after `image,routine` (with `$n`
# substituted) and returns its result string, or None when it fails.
Routine = Callable[[list[str]], str | None]

FLAGS = "CELNRY"
CONTROLS = "CELR"
_CLOSERS = {"|": "|", "#": "#", "]": "[", "}": "{", "?": "?"}
# A `$` printed as `S` before flag letters: the guide's `SYSE` for `$Y$E`.
_MANGLED = re.compile(r"(?:S[CELNRY]){2,}")
_MAX_TRACE = 2000


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


# Template parts.


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    index: int  # `$0` is 0


@dataclass(frozen=True, slots=True)
class Flag:
    letter: str


@dataclass(frozen=True, slots=True)
class Callout:
    """`$[image,routine,arg,…]`; `braces` when written `${…}` as the guide prints it."""

    image: str
    routine: str
    args: tuple[tuple[Text | Wildcard, ...], ...]
    braces: bool = False


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A real MTA substitution this evaluator does not offer: the entry fails on it."""

    text: str


Part = Text | Wildcard | Flag | Callout | Unsupported


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    severity: str  # "error": the MTA could not read it; "warning": it reads, but suspiciously
    message: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    parts: tuple[Part, ...]
    problems: tuple[TemplateProblem, ...] = ()


@lru_cache(maxsize=4096)
def parse_template(text: str) -> Template:
    """The parts of a template and what is wrong with it. Never raises: an unreadable
    piece becomes an `Unsupported` part (the entry fails there) and an error problem."""
    parts: list[Part] = []
    problems: list[TemplateProblem] = []
    literal: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        if literal:
            parts.append(Text("".join(literal)))
            literal.clear()

    while i < n:
        c = text[i]
        if c != "$":
            literal.append(c)
            i += 1
            continue
        if i + 1 >= n:
            problems.append(TemplateProblem("error", "a lone `$` ends the template", "write `$$`"))
            break
        d = text[i + 1]
        if d.isdigit() and d.isascii():
            flush()
            parts.append(Wildcard(int(d)))
            i += 2
        elif d in FLAGS:
            flush()
            parts.append(Flag(d))
            i += 2
        elif d in "[{":
            flush()
            i = _callout(text, i, parts, problems)
        elif d in _CLOSERS:
            flush()
            end = text.find(_CLOSERS[d], i + 2)
            piece = text[i : end + 1] if end >= 0 else text[i:]
            if end < 0:
                problems.append(TemplateProblem("error", f"`{piece}` is never closed"))
            else:
                problems.append(_unsupported(piece))
            parts.append(Unsupported(piece))
            i = n if end < 0 else end + 1
        elif d.isalpha() or d in ":;":
            flush()
            # `$:x` and `$;x` test a flag x; other letters are table-specific metacharacters.
            width = 3 if d in ":;" else 2
            piece = text[i : i + width]
            problems.append(_unsupported(piece))
            parts.append(Unsupported(piece))
            i += width
        else:
            literal.append(d)  # `$$`, `$ `, `$<tab>` and other quoted punctuation
            i += 2
    flush()
    for part in parts:
        if isinstance(part, Text) and (found := _MANGLED.search(part.text)):
            restored = "".join("$" + found[0][k + 1] for k in range(0, len(found[0]), 2))
            problems.append(
                TemplateProblem(
                    "warning",
                    f"`{found[0]}` looks like `{restored}` mangled (a `$` printed as `S`); "
                    "it is copied as text and sets no flag",
                    f"write `{restored}`",
                )
            )
    return Template(text, tuple(parts), tuple(problems))


def _unsupported(piece: str) -> TemplateProblem:
    return TemplateProblem(
        "warning",
        f"`{piece}` is not supported by this evaluator; the entry fails when it gets there",
    )


def _callout(text: str, start: int, parts: list[Part], problems: list[TemplateProblem]) -> int:
    """Parses `$[…]` (or the guide's `${…}`) at `start`; returns the index after it."""
    braces = text[start + 1] == "{"
    close = "}" if braces else "]"
    end = _closing(text, start + 2, close)
    if end < 0:
        problems.append(
            TemplateProblem(
                "error",
                f"`{text[start : start + 2]}` opens a routine call that is never closed",
                f"end it with `{close}`",
            )
        )
        parts.append(Unsupported(text[start:]))
        return len(text)
    piece = text[start : end + 1]
    fields = _split_args(text[start + 2 : end])
    if len(fields) < 2:
        if braces:  # a real general-database substitution, not a misprinted callout
            problems.append(_unsupported(piece))
        else:
            problems.append(
                TemplateProblem(
                    "error",
                    f"`{piece}` names no routine",
                    "write `$[image,routine,argument]`",
                )
            )
        parts.append(Unsupported(piece))
        return end + 1
    args: list[tuple[Text | Wildcard, ...]] = []
    for raw in fields[2:]:
        arg = parse_template(raw)
        problems.extend(arg.problems)
        if not all(isinstance(p, Text | Wildcard) for p in arg.parts):
            problems.append(
                TemplateProblem(
                    "error",
                    f"the routine argument `{raw}` holds more than text and `$0`…`$9`",
                )
            )
            parts.append(Unsupported(piece))
            return end + 1
        args.append(tuple(p for p in arg.parts if isinstance(p, Text | Wildcard)))
    image, routine = _plain(fields[0]), _plain(fields[1])
    if braces:
        problems.append(
            TemplateProblem(
                "warning",
                f"`${{{fields[0]},{fields[1]},…}}` is read as the routine call "
                f"`$[{fields[0]},{fields[1]},…]`; in the MTA `${{…}}` is a database lookup",
                "write `$[…]` (the guide misprints the brackets as braces)",
            )
        )
    parts.append(Callout(image, routine, tuple(args), braces))
    return end + 1


def _closing(text: str, at: int, close: str) -> int:
    """The index of the first unquoted `close` from `at`, or -1."""
    while at < len(text):
        if text[at] == "$":
            at += 2
        elif text[at] == close:
            return at
        else:
            at += 1
    return -1


def _split_args(body: str) -> list[str]:
    """Splits on unquoted commas (`$,` is a literal comma)."""
    fields, current, i = [], [], 0
    while i < len(body):
        if body[i] == "$" and i + 1 < len(body):
            current.append(body[i : i + 2])
            i += 2
        elif body[i] == ",":
            fields.append("".join(current))
            current, i = [], i + 1
        else:
            current.append(body[i])
            i += 1
    fields.append("".join(current))
    return fields


def _plain(raw: str) -> str:
    parts = parse_template(raw).parts
    return "".join(p.text if isinstance(p, Text) else "" for p in parts)


# Lookups.


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
    max_passes: int = 10,
    max_steps: int = 10_000,
    max_length: int = 65_536,
) -> LookupResult:
    """Maps `value` through `table`. Never raises: routines that fail, raise or are not
    registered make their entry fail, and running out of `max_steps` stops the lookup
    with `limited` set and nothing found."""
    budget = _Budget(max_steps)
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
        outcome = _apply(parse_template(entry.template), captures, routines, budget, max_length)
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
    template: Template,
    captures: tuple[str, ...],
    routines: Routines,
    budget: _Budget,
    max_length: int,
) -> _Outcome | None:
    """Applies a template left to right; None when the step budget runs out."""
    outcome = _Outcome()
    out: list[str] = []
    size = 0
    for part in template.parts:
        if not budget.charge(1 + size // 1024):
            return None
        if isinstance(part, Flag):
            outcome.flags.append(part.letter)
            continue
        if isinstance(part, Unsupported):
            outcome.failed = f"{_show(part.text)} is not supported"
            return outcome
        if isinstance(part, Callout):
            piece = _call(part, captures, routines, budget)
            if piece is None:
                outcome.failed = f"routine {part.routine!r} failed"
                return outcome
        else:
            piece = _substitute((part,), captures, budget)
        size += len(piece)
        if size > max_length:
            outcome.failed = f"output longer than {max_length} characters"
            return outcome
        out.append(piece)
    outcome.output = "".join(out)
    return outcome


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
