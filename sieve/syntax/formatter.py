"""The canonical formatter: one layout for every script, whatever its author's habits.

`format_source()` parses a script and, when it has no errors, prints it in the canonical style;
`format_script()` prints a syntax tree. The style:

* 4 spaces of indentation per block level; one command per line: `name args;` or
  `name args {`, the block's commands, then `}` on a line of its own. An empty block is
  `{` and `}` on two lines.
* `elsif` and `else` are commands of their own (RFC 5228 §3.1), so they start their own line
  after the `}` of the block before them:

      if true {
          keep;
      }
      elsif false {
          stop;
      }

* Names and tags in lower case; numbers with their quantifier in upper case (`100K`); quoted
  strings re-quoted from their value with only `"` and `\\` escaped (RFC 5228 §2.4.2).
* A `text:` string is printed verbatim from its source (header line, body and the closing `.`
  line); because the `.` line must stand alone, the rest of the command (`;`, `{` or more
  arguments) continues on the next line.
* String lists `["a", "b"]` and test lists `anyof (a, b)` stay on one line when that line fits
  in 100 columns; otherwise they hold one item per line, aligned after the `[` or `(`.
  A command whose line does not fit breaks before each tag that is not its first argument,
  4 spaces further in (`vacation :days 7` / `    :subject "…"`); a test's arguments never
  break.
* Oracle dialect: a parenthesised test keeps its parentheses, a callout is `name("arg")`.
* Comments stay where they were, in source order: a comment on a line of its own stays on its
  own line at the current indentation (the inner lines of a `/* */` comment are kept as they
  are); a comment after code stays at the end of that line, two spaces after the code; a
  comment with code after it on its line stays just before that code. A comment between
  arguments stays between them; since a `#` comment runs to the end of its line, the
  arguments after it continue on the next line, 4 spaces further in. A comment between a
  list item and its comma is put after the comma.
* At most one blank line between commands (and comments between them), and only where the
  source had one; none at the start or end of a block or the script.
* No trailing spaces (except inside strings, whose text is never changed), exactly one line
  end at the end (an empty script stays empty). Line ends keep the file's style: a script
  whose first line ends in CRLF is written with CRLF throughout, any other with LF. So a
  string that runs over several lines keeps its value, and a Windows user's file stays a
  Windows file.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from enum import Enum

from sieve.diagnostics import Diagnostic
from sieve.syntax.ast import (
    Argument,
    Block,
    Callout,
    Command,
    Comment,
    Number,
    Script,
    String,
    StringList,
    Tag,
    Test,
    TestList,
)
from sieve.syntax.parser import parse
from sieve.syntax.source import Span

WIDTH = 100
INDENT = 4
_QUANTIFIERS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_NOWHERE = sys.maxsize
_DOT_AT_LINE_START = re.compile(r"^\.", re.MULTILINE)


@dataclass(slots=True)
class FormatResult:
    """The formatted text, or None when the script has errors (then see `diagnostics`)."""

    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def format_source(source: str | bytes, dialect: str = "standard") -> FormatResult:
    """Parses and formats a script; a script with any error is never formatted."""
    result = parse(source, dialect=dialect)
    if not result.ok or result.script is None or result.source is None:
        return FormatResult(None, result.diagnostics)
    text = result.source.text
    first_line_end = text.find("\n")
    crlf = first_line_end > 0 and text[first_line_end - 1] == "\r"
    if crlf:
        # Lay out in LF, then give the file its own line ends back. (A file of LF lines
        # keeps a CRLF inside a quoted string as it is: it is part of the string's value.)
        result = parse(text.replace("\r\n", "\n"), dialect=dialect)
        if not result.ok or result.script is None or result.source is None:
            return FormatResult(None, result.diagnostics)
        text = result.source.text
    formatted = format_script(result.script, source=text)
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    return FormatResult(formatted, result.diagnostics)


def format_script(script: Script, *, source: str | None = None) -> str:
    """The canonical text of a tree. `source`, the text the tree was parsed from, is only
    needed to place a comment that sits between a `(` and the name of a parenthesised test."""
    items = _Items(_NameFinder(script.comments, source))
    items.script(script)
    doc = _Weaver(script.comments).weave(items.items)
    text = _render(doc).strip("\n")
    return text + "\n" if text else ""


# Pass 1: the tree as a stream of tokens, separators and layout brackets.


@dataclass(frozen=True, slots=True)
class _At:
    """Where a token was in the source: its offset and its first and last line."""

    offset: int
    line: int
    end_line: int


_END = _At(_NOWHERE, _NOWHERE, _NOWHERE)


class _Sep(Enum):
    NONE = "none"  # nothing: `(a`, `a,`, `a;`
    SPACE = "space"  # one space, never a line break
    LINE = "line"  # a space, or a line break when the enclosing group breaks
    HARD = "hard"  # a line break
    STMT = "stmt"  # a line break, or a blank line where the source had one


@dataclass(slots=True)
class _Tok:
    text: str
    at: _At | None
    # A `text:` string: what follows must start on a new line.
    breaks_after: bool = False


@dataclass(slots=True)
class _Separator:
    kind: _Sep
    # The block's closing brace: comments stay inside the block, the break goes outside.
    closes_block: bool = False


@dataclass(slots=True)
class _Open:
    kind: str  # "group", "nest" or "align"


class _Close:
    pass


_Item = _Tok | _Separator | _Open | _Close


class _Items:
    """Flattens a tree into items; every pair of tokens gets exactly one separator."""

    def __init__(self, find_name: _NameFinder) -> None:
        self.items: list[_Item] = []
        self._find_name = find_name
        self._sep_due = False

    def tok(self, text: str, at: _At | None = None, breaks_after: bool = False) -> None:
        if self._sep_due:
            self.items.append(_Separator(_Sep.NONE))
        self.items.append(_Tok(text, at, breaks_after))
        self._sep_due = True

    def sep(self, kind: _Sep, closes_block: bool = False) -> None:
        self.items.append(_Separator(kind, closes_block))
        self._sep_due = False

    def open(self, kind: str) -> None:
        self.items.append(_Open(kind))

    def close(self) -> None:
        self.items.append(_Close())

    def script(self, script: Script) -> None:
        for command in script.commands:
            self.sep(_Sep.STMT)
            self.command(command)
        self.sep(_Sep.STMT)
        self.tok("", _END)

    def command(self, command: Command) -> None:
        self.open("group")
        self.tok(command.name.lower(), _first(command.name_span))
        self.open("nest")
        for index, argument in enumerate(command.arguments):
            self.sep(_Sep.LINE if index and isinstance(argument, Tag) else _Sep.SPACE)
            self.argument(argument)
        if command.test is not None:
            self.sep(_Sep.SPACE)
            self.test_or_list(command.test)
        self.close()
        if command.block is None:
            self.tok(";", _last(command.span))
            self.close()
        else:
            self.sep(_Sep.SPACE)
            self.tok("{", _first(command.block.span))
            self.close()
            self.block(command.block)

    def block(self, block: Block) -> None:
        self.open("nest")
        for index, command in enumerate(block.commands):
            self.sep(_Sep.STMT if index else _Sep.HARD)
            self.command(command)
        self.sep(_Sep.HARD, closes_block=True)
        self.close()
        self.tok("}", _last(block.span))

    def test_or_list(self, test: Test | TestList) -> None:
        if isinstance(test, TestList):
            self.test_list(test)
        else:
            self.test(test)

    def test(self, test: Test) -> None:
        if test.parenthesized:
            self.tok("(", _first(test.span))
        self.tok(test.name.lower(), self._find_name(test))
        for argument in test.arguments:
            self.sep(_Sep.SPACE)
            self.argument(argument)
        if test.test is not None:
            self.sep(_Sep.SPACE)
            self.test_or_list(test.test)
        if test.parenthesized:
            self.tok(")", _last(test.span))

    def test_list(self, tests: TestList) -> None:
        self.open("group")
        self.tok("(", _first(tests.span))
        self.open("align")
        for index, test in enumerate(tests.tests):
            if index:
                self.tok(",")
                self.sep(_Sep.LINE)
            self.open("nest")
            self.test(test)
            self.close()
        self.tok(")", _last(tests.span))
        self.close()
        self.close()

    def argument(self, argument: Argument) -> None:
        if isinstance(argument, String):
            self.string(argument)
        elif isinstance(argument, StringList):
            self.string_list(argument)
        elif isinstance(argument, Number):
            self.tok(_number(argument), _first(argument.span))
        elif isinstance(argument, Tag):
            self.tok(":" + argument.name.lower(), _first(argument.span))
        else:
            self.callout(argument)

    def string(self, string: String) -> None:
        raw = _text_raw(string)
        if raw is None:
            self.tok(_quoted(string.value), _whole(string.span))
        else:
            # RFC 5228 §2.4.2: the '.' line ends the string, so nothing may follow it.
            self.tok(raw.removesuffix("\n"), _whole(string.span), breaks_after=True)

    def string_list(self, strings: StringList) -> None:
        self.open("group")
        self.tok("[", _first(strings.span))
        self.open("align")
        for index, string in enumerate(strings.strings):
            if index:
                self.tok(",")
                self.sep(_Sep.LINE)
            self.string(string)
        self.tok("]", _last(strings.span))
        self.close()
        self.close()

    def callout(self, callout: Callout) -> None:
        # The Oracle lexer knows a callout by the '(' right after its name.
        self.tok(callout.name.lower() + "(", _first(callout.span))
        if isinstance(callout.argument, StringList):
            self.string_list(callout.argument)
        else:
            self.string(callout.argument)
        self.tok(")", _last(callout.span))


def _number(number: Number) -> str:
    quantifier = number.quantifier.upper()
    multiplier = _QUANTIFIERS.get(quantifier, 1)
    if multiplier == 1 or number.value % multiplier:
        return str(number.value)
    return f"{number.value // multiplier}{quantifier}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text_raw(string: String) -> str | None:
    """The source form of a `text:` string; a tree built by a program may lack it."""
    if not string.multiline:
        return None
    if string.raw:
        return string.raw if string.raw.endswith("\n") else string.raw + "\n"
    if string.value and not string.value.endswith("\n"):
        return None  # no `text:` string has this value; a quoted string keeps it
    # RFC 5228 §2.4.2: a line that starts with '.' is written with one more.
    return "text:\n" + _DOT_AT_LINE_START.sub("..", string.value) + ".\n"


def _known(span: Span) -> bool:
    return span.line > 0


def _first(span: Span) -> _At | None:
    return _At(span.start, span.line, span.line) if _known(span) else None


def _last(span: Span) -> _At | None:
    if not _known(span):
        return None
    return _At(span.end - 1, span.end_line, span.end_line)


def _whole(span: Span) -> _At | None:
    if not _known(span):
        return None
    # A `text:` string ends with the line end after its '.', at column 1 of the next line.
    ends_with_newline = span.end_column == 1 and span.end_line > span.line
    return _At(span.start, span.line, span.end_line - 1 if ends_with_newline else span.end_line)


class _NameFinder:
    """Finds where the name of a test is: its span starts there unless it is parenthesised,
    and then only the source text tells how far past the '(' the name is."""

    def __init__(self, comments: list[Comment], source: str | None) -> None:
        self._source = source
        self._comment_ends = {c.span.start: c.span.end for c in comments}

    def __call__(self, test: Test) -> _At | None:
        span = test.span
        if not _known(span):
            return None
        if not test.parenthesized:
            return _At(span.start, span.line, span.line)
        if self._source is None:
            return None
        offset = self._skip_to_name(span.start + 1, span.end)
        line = span.line + self._source.count("\n", span.start, offset)
        return _At(offset, line, line)

    def _skip_to_name(self, offset: int, end: int) -> int:
        text = self._source or ""
        while offset < end:
            if offset in self._comment_ends:
                offset = self._comment_ends[offset]
            elif text[offset].isspace() or text[offset] == "(":
                offset += 1
            else:
                break
        return offset


# Pass 2: comments woven into the separators, giving a document for the printer.


@dataclass(frozen=True, slots=True)
class _Line:
    """A break that is `flat` when its group fits on the line."""

    flat: str = " "


@dataclass(frozen=True, slots=True)
class _Hard:
    """A line break that no group can print flat; `blank` leaves an empty line before."""

    blank: bool = False


@dataclass(slots=True)
class _Box:
    """A group (printed flat if it fits), a nest (+4 after breaks) or an align (breaks go to
    the column where it starts)."""

    kind: str
    parts: list[DocPart]
    hard: bool = False


DocPart = str | _Line | _Hard | _Box
_HARD = _Hard()
_BLANK = _Hard(blank=True)


@dataclass(slots=True)
class _Gap:
    """The printed form of one separator and the comments found in it."""

    inside: list[DocPart] = field(default_factory=list)
    after: list[DocPart] = field(default_factory=list)


class _Weaver:
    """Puts every comment into the separator it was found in: comments that followed code on
    its line stay there, comments on lines of their own get their own lines, and comments
    with code after them on their line are printed just before that code."""

    def __init__(self, comments: list[Comment]) -> None:
        self._comments = sorted(comments, key=lambda c: c.span.start)
        self._next_comment = 0
        self._line = 0  # the source line where the last token or comment printed ends
        self._break_due = False  # the last token was a `text:` string
        self._opening = True  # the last token opens a bracket: no space before a comment

    def weave(self, items: list[_Item]) -> _Box:
        root = _Box("root", [])
        stack = [root]
        deferred: list[DocPart] | None = None
        for index, item in enumerate(items):
            if isinstance(item, _Tok):
                stack[-1].parts.append(item.text)
                self._passed(item)
            elif isinstance(item, _Separator):
                gap = self._gap(item, _next_token(items, index))
                stack[-1].parts.extend(gap.inside)
                if item.closes_block:
                    deferred = gap.after
                else:
                    stack[-1].parts.extend(gap.after)
            elif isinstance(item, _Open):
                stack.append(_Box(item.kind, []))
            else:
                box = stack.pop()
                stack[-1].parts.append(box)
                if deferred is not None:
                    stack[-1].parts.extend(deferred)
                    deferred = None
        _mark_hard(root)
        return root

    def _passed(self, token: _Tok) -> None:
        if token.at is not None:
            self._line = token.at.end_line
        self._break_due = token.breaks_after
        self._opening = token.text.endswith(("(", "["))

    def _gap(self, separator: _Separator, following: _Tok) -> _Gap:
        gap = _Gap()
        kind = separator.kind
        runs = self._runs(following.at)
        next_line = following.at.line if following.at else _NOWHERE
        leading = runs.pop() if runs and runs[-1][-1].span.end_line == next_line else []
        broken = self._break_due
        if runs and self._line and runs[0][0].span.line == self._line:
            trailing = runs.pop(0)
            gap.inside.append("  " + _joined(trailing))
            self._line = trailing[-1].span.end_line
            broken = True
        for run in runs:
            gap.inside.append(self._break(kind, run[0].span.line))
            gap.inside.append(_joined(run))
            self._line = run[-1].span.end_line
            broken = True
        first_line = leading[0].span.line if leading else next_line
        if broken:
            gap.after.append(self._break(kind, first_line))
        else:
            gap.after.extend(self._natural(kind, first_line, bool(leading)))
        if leading:
            closing = following.text.startswith((")", "]", ";"))
            gap.after.append(_joined(leading) + ("" if closing else " "))
            self._line = leading[-1].span.end_line
        self._break_due = False
        return gap

    def _runs(self, limit: _At | None) -> list[list[Comment]]:
        """The comments before `limit`, in runs of comments that share a line."""
        if limit is None:
            return []
        runs: list[list[Comment]] = []
        comments = self._comments
        while self._next_comment < len(comments):
            comment = comments[self._next_comment]
            if comment.span.start >= limit.offset:
                break
            if runs and comment.span.line == runs[-1][-1].span.end_line:
                runs[-1].append(comment)
            else:
                runs.append([comment])
            self._next_comment += 1
        return runs

    def _blank_before(self, line: int) -> bool:
        return self._line > 0 and line != _NOWHERE and line > self._line + 1

    def _break(self, kind: _Sep, line: int) -> _Hard:
        return _BLANK if kind is _Sep.STMT and self._blank_before(line) else _HARD

    def _natural(self, kind: _Sep, line: int, leading: bool) -> list[DocPart]:
        if kind in (_Sep.STMT, _Sep.HARD):
            return [self._break(kind, line)]
        if kind is _Sep.LINE:
            return [_Line()]
        if kind is _Sep.SPACE or (leading and not self._opening):
            return [" "]
        return []


def _next_token(items: list[_Item], index: int) -> _Tok:
    for following in range(index + 1, len(items)):
        item = items[following]
        if isinstance(item, _Tok):
            return item
    raise AssertionError("every separator comes before a token")


def _joined(run: list[Comment]) -> str:
    return " ".join(_comment_text(c) for c in run)


def _comment_text(comment: Comment) -> str:
    """The comment without trailing blanks on its lines (the only change made to it)."""
    lines = comment.text.split("\n")
    return "\n".join(line.rstrip(" \t\r") for line in lines)


def _mark_hard(box: _Box) -> bool:
    """Marks every box that holds a line break it cannot print flat."""
    hard = False
    for part in box.parts:
        if isinstance(part, _Box):
            hard = _mark_hard(part) or hard
        elif isinstance(part, _Hard):
            hard = True
    box.hard = hard
    return hard


# Pass 3: printing, in the manner of Wadler's "prettier printer".

_FLAT, _BREAK = True, False
_Frame = tuple[int, bool, DocPart]


def _render(doc: _Box) -> str:
    out: list[str] = []
    column = 0
    stack: list[_Frame] = [(0, _BREAK, doc)]
    while stack:
        indent, flat, part = stack.pop()
        if isinstance(part, str):
            out.append(part)
            column = _column_after(part, column)
        elif isinstance(part, _Box):
            if part.kind == "nest":
                indent += INDENT
            elif part.kind == "align":
                indent = column
            elif part.kind == "group" and not flat:
                flat = not part.hard and _fits(WIDTH - column, part, indent, stack)
            stack.extend((indent, flat, child) for child in reversed(part.parts))
        elif isinstance(part, _Line) and flat:
            out.append(part.flat)
            column += len(part.flat)
        else:
            _strip_trailing_spaces(out)
            out.append(("\n\n" if isinstance(part, _Hard) and part.blank else "\n") + " " * indent)
            column = indent
    _strip_trailing_spaces(out)
    return "".join(out)


def _fits(room: int, group: _Box, indent: int, rest: list[_Frame]) -> bool:
    """Whether the group printed flat, and what follows it up to the next line break, fit."""
    pending: list[_Frame] = [(indent, _FLAT, group)]
    rest_index = len(rest)
    while room >= 0:
        if not pending:
            if rest_index == 0:
                return True
            rest_index -= 1
            pending.append(rest[rest_index])
        _, flat, part = pending.pop()
        if isinstance(part, str):
            first, newline, _ = part.partition("\n")
            room -= len(first)
            if newline:
                return room >= 0
        elif isinstance(part, _Box):
            flat = flat and not part.hard
            pending.extend((indent, flat, child) for child in reversed(part.parts))
        elif isinstance(part, _Line) and flat:
            room -= len(part.flat)
        else:
            return True
    return False


def _column_after(text: str, column: int) -> int:
    newline = text.rfind("\n")
    return column + len(text) if newline < 0 else len(text) - newline - 1


def _strip_trailing_spaces(out: list[str]) -> None:
    while out:
        stripped = out[-1].rstrip(" ")
        if stripped:
            out[-1] = stripped
            return
        out.pop()
