"""The MTA's mapping file: named tables of `pattern  template` entries.

Layout: a table name starts in column 1; its entries follow on indented lines, pattern and
template separated by spaces or tabs (spaces inside either are quoted as `$ `). `!` in
column 1 starts a comment; a line ending in `\\` continues on the next; blank lines are
ignored; `<file` in column 1 includes another file at that point, relative to the file
that names it.

What is an error (raises MappingError with `strict=True`; collected with `strict=False`):
what the MTA could not read or would read as something else than meant — an entry
outside a table, an unindented entry, a pattern without a template (recovered, when the
next line holds the template alone, by reading the two lines as one entry), an unquoted
space inside a template, a malformed pattern or routine call, a duplicate table name
(the first one is kept), an include that cannot be read, loops or nests too deeply.
What is a warning (never raises): text the MTA reads but probably not as meant — the
guide's `${image,routine,…}` spelling of a routine call (read as `$[…]`), `SYSE` for
`$Y$E`, an indented `!`, a substitution this evaluator does not offer, an empty table.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sieve.diagnostics import ERROR, WARNING
from sieve.mapping.patterns import PatternError, compile_pattern
from sieve.mapping.templates import Nested, parse_template

MAX_INCLUDE_DEPTH = 8
MAX_INCLUDES = 256
MAX_FILE_BYTES = 16 * 1024 * 1024

WRAPPED_HINT = (
    "a pattern without a template — was the template wrapped onto the next line? "
    "put it on the same line or end the line with \\"
)
INDENT_HINT = "entries are indented: start the line with a space or a tab"
# A line that holds only a template starts with a substitution or a flag.
_TEMPLATE_START = re.compile(r"\$[0-9CELNRY\[{|#]")


class MappingError(Exception):
    """A mapping file the MTA could not use as written. `str()` is `file:line: reason`."""

    def __init__(
        self,
        file: str,
        line: int,
        reason: str,
        hint: str = "",
        diagnostics: list[MappingDiagnostic] | None = None,
    ) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason
        self.hint = hint
        self.diagnostics = diagnostics or []


@dataclass(frozen=True)
class MappingDiagnostic:
    file: str
    line: int
    severity: str  # "error" or "warning"
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.severity}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


@dataclass(frozen=True)
class Entry:
    pattern: str
    template: str
    file: str
    line: int


@dataclass(frozen=True)
class Table:
    name: str
    entries: tuple[Entry, ...]
    file: str = ""
    line: int = 0


@dataclass
class MappingFile:
    tables: dict[str, Table] = field(default_factory=dict)  # keyed by upper-case name
    diagnostics: list[MappingDiagnostic] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        """Table names compare case-insensitively, as in the MTA."""
        return self.tables.get(name.upper())

    def closest(self, name: str) -> str | None:
        """The table a misspelt name most likely meant, for "did you mean …?". Sieve
        callouts name `FILTER_` tables without the prefix, so that is tried both ways."""
        wanted = name.upper()
        best, best_score = None, 0.6
        for key, table in self.tables.items():
            bare = key.removeprefix("FILTER_")
            score = max(
                difflib.SequenceMatcher(None, wanted, key).ratio(),
                difflib.SequenceMatcher(None, wanted, bare).ratio(),
            )
            if score > best_score:
                best, best_score = table.name, score
        return best

    @property
    def errors(self) -> list[MappingDiagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


@dataclass(frozen=True, slots=True)
class _Line:
    """A logical line: continuations joined, numbered by its first physical line. A line
    may instead carry a problem found while reading (an include that failed), so problems
    are reported in reading order."""

    file: str
    number: int
    text: str
    problem: MappingDiagnostic | None = None


@dataclass
class _Reader:
    """Reads a file and its includes into logical lines."""

    includes: int = 0

    @staticmethod
    def problem(file: str, line: int, severity: str, message: str, hint: str = "") -> _Line:
        return _Line(file, line, "", MappingDiagnostic(file, line, severity, message, hint))

    def lines(
        self, text: str, file: str, base: Path | None, stack: tuple[Path, ...]
    ) -> list[_Line]:
        out: list[_Line] = []
        physical = text.removeprefix("\ufeff").split("\n")
        i = 0
        while i < len(physical):
            number, line = i + 1, physical[i].rstrip("\r")
            i += 1
            if line.startswith("!"):
                continue  # comments never continue
            pieces: list[str] = []  # joined once: no quadratic re-copying of long lines
            while _continues(stripped := line.rstrip(" \t")):
                pieces.append(stripped[:-1])
                if i >= len(physical):
                    out.append(self.problem(file, number, WARNING, "the last line ends with `\\`"))
                    line = ""
                    break
                line = physical[i].rstrip("\r").lstrip(" \t")
                i += 1
            line = "".join(pieces) + line
            if line.startswith("<"):
                out.extend(self.include(line[1:].strip(), file, number, base, stack))
            else:
                out.append(_Line(file, number, line))
        return out

    def include(
        self, name: str, file: str, number: int, base: Path | None, stack: tuple[Path, ...]
    ) -> list[_Line]:
        """The lines of an included file, or one problem line saying why there are none."""
        if not name:
            return [self.problem(file, number, ERROR, "`<` names no file to include")]
        if "\x00" in name:  # no file name holds NUL; the OS would refuse it with ValueError
            return [self.problem(file, number, ERROR, f"cannot include {name!r}: NUL in the name")]
        if base is None and not Path(name).is_absolute():
            return [
                self.problem(
                    file,
                    number,
                    ERROR,
                    f"cannot include {name!r}: no directory to resolve it from",
                    "load the file with load_mappings, or pass base=",
                )
            ]
        path = (base / name if base is not None else Path(name)).resolve()
        if path in stack:
            return [self.problem(file, number, ERROR, f"{name!r} includes itself (via {file})")]
        if len(stack) >= MAX_INCLUDE_DEPTH:
            message = f"includes nest deeper than {MAX_INCLUDE_DEPTH}"
            return [self.problem(file, number, ERROR, message)]
        self.includes += 1
        if self.includes > MAX_INCLUDES:
            return [self.problem(file, number, ERROR, f"more than {MAX_INCLUDES} includes")]
        text, why = read_text(path)
        if text is None:
            return [self.problem(file, number, ERROR, f"cannot include {name!r}: {why}")]
        return self.lines(text, str(path), path.parent, (*stack, path))


def _continues(line: str) -> bool:
    """A final `\\` continues the line, unless `$` quotes it."""
    if not line.endswith("\\"):
        return False
    dollars = len(line) - 1 - len(line[:-1].rstrip("$"))
    return dollars % 2 == 0


def read_text(path: Path) -> tuple[str | None, str]:
    """A mapping file's text, or None and why not. Only regular files, and not huge ones:
    an include of `/dev/zero` must not hang the loader."""
    try:
        if not path.is_file():
            return None, "not a regular file" if path.exists() else "no such file"
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        return None, getattr(error, "strerror", None) or type(error).__name__
    if len(data) > MAX_FILE_BYTES:
        return None, f"larger than {MAX_FILE_BYTES} bytes"
    return data.decode("utf-8", errors="replace"), ""


def _columns(text: str) -> list[str]:
    """Splits on unquoted spaces and tabs; `$` quotes the character after it."""
    columns: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "$" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if c in " \t":
            if current:
                columns.append("".join(current))
                current = []
        else:
            current.append(c)
        i += 1
    if current:
        columns.append("".join(current))
    return columns


class _Builder:
    """Turns logical lines into tables."""

    def __init__(self, diagnostics: list[MappingDiagnostic]) -> None:
        self.diagnostics = diagnostics
        self.tables: dict[str, Table] = {}
        self.name: str | None = None  # the table being read; None before the first
        self.origin: tuple[str, int] = ("", 0)
        self.entries: list[Entry] = []
        self.duplicate = False
        # `$|table;argument|` references, checked once every table is known.
        self.references: list[tuple[_Line, str]] = []

    def note(self, line: _Line, severity: str, message: str, hint: str = "") -> None:
        self.diagnostics.append(MappingDiagnostic(line.file, line.number, severity, message, hint))

    def build(self, lines: list[_Line]) -> dict[str, Table]:
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if line.problem is not None:
                self.diagnostics.append(line.problem)
                continue
            if not line.text.strip():
                continue
            if line.text[0] not in " \t":
                self.start_table(line)
                continue
            columns = _columns(line.text)
            if self.name is None:
                self.note(line, ERROR, "an entry before any table name", "start with a table name")
                continue
            if columns[0].startswith("!"):
                self.note(
                    line,
                    WARNING,
                    "`!` starts a comment only in column 1; this indented line is an entry",
                )
            if len(columns) == 1:
                i = self.no_template(line, columns[0], lines, i)
                continue
            if len(columns) > 2:
                rest = " ".join(columns[2:])
                self.note(
                    line,
                    ERROR,
                    f"unquoted space in the template: `{rest}` follows it",
                    "quote spaces in a template as `$ `; the text after the space is ignored",
                )
            self.add(line, columns[0], columns[1], line)
        self.finish()
        for line, name in self.references:
            if name.upper() not in self.tables:
                self.note(
                    line,
                    WARNING,
                    f"`$|{name};…|` names a table this file does not have: the entry fails",
                    "define the table, or correct its name",
                )
        return self.tables

    def start_table(self, line: _Line) -> None:
        self.finish()
        columns = _columns(line.text)
        name = columns[0]
        if not name[0].isalpha():
            self.note(line, ERROR, f"a table name must start with a letter: `{name}`", INDENT_HINT)
            self.name, self.duplicate = None, False
            return
        if len(columns) > 1:
            self.note(line, ERROR, f"text after the table name `{name}`", INDENT_HINT)
        self.name, self.origin, self.entries = name, (line.file, line.number), []
        self.duplicate = name.upper() in self.tables
        if self.duplicate:
            first = self.tables[name.upper()]
            self.note(
                line,
                ERROR,
                f"table `{name}` is defined twice (first at {first.file}:{first.line})",
                "merge the two; the first one is used",
            )

    def finish(self) -> None:
        if self.name is None or self.duplicate:
            return
        if not self.entries:
            file, number = self.origin
            self.diagnostics.append(
                MappingDiagnostic(file, number, WARNING, f"table `{self.name}` has no entries")
            )
        self.tables[self.name.upper()] = Table(self.name, tuple(self.entries), *self.origin)
        self.name = None

    def no_template(self, line: _Line, pattern: str, lines: list[_Line], i: int) -> int:
        """A pattern alone. When the next line holds a template alone, the guide's lines
        were wrapped: read them as one entry (after reporting it). Returns the next index."""
        following = lines[i] if i < len(lines) else None
        wrapped = (
            following is not None
            and following.text[:1] in (" ", "\t")
            and len(_columns(following.text)) == 1
            and _TEMPLATE_START.match(_columns(following.text)[0]) is not None
        )
        if not wrapped or following is None:
            self.note(line, ERROR, f"the pattern `{pattern}` has no template", WRAPPED_HINT)
            return i
        self.note(
            line,
            ERROR,
            f"the pattern `{pattern}` has no template; line {following.number} holds one alone "
            "(read here as one entry)",
            WRAPPED_HINT,
        )
        self.add(line, pattern, _columns(following.text)[0], following)
        return i + 1

    def add(self, line: _Line, pattern: str, template: str, template_line: _Line) -> None:
        try:
            compile_pattern(pattern)
        except PatternError as error:
            self.note(line, ERROR, f"pattern `{pattern}`: {error.reason}", error.hint)
        parsed = parse_template(template)
        for problem in parsed.problems:
            self.note(template_line, problem.severity, problem.message, problem.hint)
        self.references += [
            (template_line, part.table) for part in parsed.parts if isinstance(part, Nested)
        ]
        if not self.duplicate:
            self.entries.append(Entry(pattern, template, line.file, line.number))


def parse_mappings(
    text: str, file: str = "<mappings>", *, base: Path | None = None, strict: bool = True
) -> MappingFile:
    """Reads mapping tables from text; `base` is the directory `<file` includes are
    relative to. Raises MappingError for the first error when `strict`."""
    return _parse(text, file, base, (), strict)


def load_mappings(path: str | Path, *, strict: bool = True) -> MappingFile:
    """Reads a mapping file and what it includes (relative to the file)."""
    path = Path(path)
    text, problem = read_text(path)
    if text is None:
        diagnostic = MappingDiagnostic(str(path), 0, ERROR, f"cannot read the file: {problem}")
        return _result(MappingFile({}, [diagnostic]), strict)
    return _parse(text, str(path), path.parent, (path.resolve(),), strict)


def _parse(
    text: str, file: str, base: Path | None, stack: tuple[Path, ...], strict: bool
) -> MappingFile:
    diagnostics: list[MappingDiagnostic] = []
    lines = _Reader().lines(text, file, base, stack)
    tables = _Builder(diagnostics).build(lines)
    return _result(MappingFile(tables, diagnostics), strict)


def _result(mappings: MappingFile, strict: bool) -> MappingFile:
    errors = mappings.errors
    if strict and errors:
        first = errors[0]
        raise MappingError(first.file, first.line, first.message, first.hint, mappings.diagnostics)
    return mappings
