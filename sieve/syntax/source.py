"""Script text as the front end sees it: decoded, validated UTF-8 and a map from offsets to
line and column, so every later stage can speak in positions a person can find."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_NEWLINE = re.compile("\n")
_BOM = "\ufeff"


class Span(tuple):
    """A region of the source: `start` and `end` are character offsets (end exclusive);
    line and column (1-based) of both ends are worked out only when someone asks. A tuple
    `(source, start, end)` underneath, because the parser makes hundreds of these per
    script and a tuple is the cheapest object Python builds. Spans compare by offsets."""

    __slots__ = ()

    def __new__(cls, source: SourceMap | None, start: int, end: int) -> Span:
        return tuple.__new__(cls, (source, start, end))

    @property
    def source(self) -> SourceMap | None:
        return self[0]

    @property
    def start(self) -> int:
        return self[1]

    @property
    def end(self) -> int:
        return self[2]

    @property
    def line(self) -> int:
        # The compiler asks every instruction's line, so this skips `position`.
        source = self[0]
        if source is None:
            return 0
        return bisect.bisect_right(source._starts or source._line_starts, self[1])

    @property
    def column(self) -> int:
        return self[0].position(self[1])[1] if self[0] else 0

    @property
    def end_line(self) -> int:
        return self[0].position(self[2])[0] if self[0] else 0

    @property
    def end_column(self) -> int:
        return self[0].position(self[2])[1] if self[0] else 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and self[1:] == other[1:]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[1:])

    def __repr__(self) -> str:
        return f"Span({self.line}:{self.column}-{self.end_line}:{self.end_column})"


# `new_span(Span, (source, start, end))` builds a Span at C speed, skipping `Span.__new__`;
# the lexer and the grammar use it on their hot paths.
new_span = tuple.__new__


class SourceMap:
    """Turns character offsets into (line, column); columns count characters, not bytes."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None  # found on first use: most parses never ask

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _NEWLINE.finditer(self.text)]
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._line_starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        return tuple.__new__(Span, (self, start, end))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line end ('' past the end)."""
        if line < 1 or line > len(self._line_starts):
            return ""
        begin = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[begin:end].rstrip("\r\n")


@dataclass(frozen=True, slots=True)
class DecodeProblem:
    """One invalid UTF-8 sequence: where it is in bytes and in the decoded text."""

    byte_offset: int
    text_offset: int
    bad_bytes: bytes


def decode_script(data: bytes | str, max_problems: int = 20) -> tuple[str, list[DecodeProblem]]:
    """Decodes a script as UTF-8 (RFC 5228 §2.1), reporting every invalid sequence by byte
    offset and going on with U+FFFD in its place, so later errors are still found."""
    if isinstance(data, str):
        return data.removeprefix(_BOM), []
    problems: list[DecodeProblem] = []
    pieces: list[str] = []
    position = 0
    decoded_length = 0
    while True:
        if len(problems) >= max_problems:
            # Past the cap, decoding the rest in one go keeps hostile input linear.
            pieces.append(data[position:].decode("utf-8", "replace"))
            break
        try:
            piece = data[position:].decode("utf-8")
        except UnicodeDecodeError as error:
            good = data[position : position + error.start].decode("utf-8")
            pieces.append(good)
            decoded_length += len(good)
            bad = data[position + error.start : position + error.end]
            problems.append(DecodeProblem(position + error.start, decoded_length, bad))
            pieces.append("\ufffd")
            decoded_length += 1
            position += error.end
            continue
        pieces.append(piece)
        break
    text = "".join(pieces)
    if text.startswith(_BOM):
        # A byte-order mark from a Windows editor is not part of the script.
        text = text[1:]
        problems = [DecodeProblem(p.byte_offset, p.text_offset - 1, p.bad_bytes) for p in problems]
    return text, problems
