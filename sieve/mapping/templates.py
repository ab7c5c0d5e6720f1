"""Mapping-table templates, read once: the text of an entry's right-hand side cut into its
parts (literal text, `$0`…`$9`, flags, case changes, routine calls, nested table lookups)
with what is wrong with it. Reading is separate from applying (sieve/mapping/evaluate.py)
because the mapping-file reader reports template problems at load time, long before any
lookup runs, and a template read once is applied many times (`parse_template` is cached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

FLAGS = "CELNRY"
_CLOSERS = {"|": "|", "#": "#", "]": "[", "}": "{", "?": "?"}
# A `$` printed as `S` before flag letters: the guide's `SYSE` for `$Y$E`.
_MANGLED = re.compile(r"(?:S[CELNRY]){2,}")


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
class Case:
    """`$\\` (lower), `$^` (upper) or `$_` (as it is): the case of the text that follows."""

    mode: str  # "lower", "upper" or "keep"


@dataclass(frozen=True, slots=True)
class Nested:
    """`$|table;argument|`: the argument looked up in another table of the file, whose
    output is substituted; the entry fails unless that lookup answers `$Y`."""

    table: str
    argument: tuple[Text | Wildcard, ...]


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A real MTA substitution this evaluator does not offer: the entry fails on it."""

    text: str


Part = Text | Wildcard | Flag | Case | Callout | Nested | Unsupported
_CASES = {"\\": "lower", "^": "upper", "_": "keep"}


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
        elif d in _CASES:
            flush()
            parts.append(Case(_CASES[d]))
            i += 2
        elif d == "|":
            flush()
            i = _nested(text, i, parts, problems)
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
        simple = _simple(arg, raw, "routine", problems)
        if simple is None:
            parts.append(Unsupported(piece))
            return end + 1
        args.append(simple)
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


def _nested(text: str, start: int, parts: list[Part], problems: list[TemplateProblem]) -> int:
    """Parses `$|table;argument|` at `start`; returns the index after it."""
    end = _closing(text, start + 2, "|")
    if end < 0:
        problems.append(
            TemplateProblem("error", f"`{text[start:]}` is never closed", "end it with `|`")
        )
        parts.append(Unsupported(text[start:]))
        return len(text)
    piece = text[start : end + 1]
    body = text[start + 2 : end]
    name, semicolon, raw = body.partition(";")
    argument = parse_template(raw)
    problems.extend(argument.problems)
    if not semicolon or not name.strip():
        problems.append(
            TemplateProblem("error", f"`{piece}` names no table", "write `$|table;argument|`")
        )
        parts.append(Unsupported(piece))
    elif (simple := _simple(argument, raw, "table", problems)) is None:
        parts.append(Unsupported(piece))
    else:
        parts.append(Nested(_plain(name.strip()), simple))
    return end + 1


def _simple(
    argument: Template, raw: str, what: str, problems: list[TemplateProblem]
) -> tuple[Text | Wildcard, ...] | None:
    """The parts of a routine or table argument, which may hold only text and `$0`…`$9`;
    None after an error when it holds more."""
    simple = tuple(p for p in argument.parts if isinstance(p, Text | Wildcard))
    if len(simple) != len(argument.parts):
        problems.append(
            TemplateProblem(
                "error", f"the {what} argument `{raw}` holds more than text and `$0`…`$9`"
            )
        )
        return None
    return simple


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
