"""Header fields: the RFC 5322 field syntax, the header block split, the field list with its
name index, and the header-reading mixin shared by `Message` and `Part`.

Separate from the MIME structure and from `Message` because both of them read header blocks
the same way (the top-level header and every body part's header), and because this is the
hot path: `Message.parse` and every header test run only this code, so it stays small and
free of anything the body needs.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sieve.runtime.addresses import Address, parse_address_list
from sieve.runtime.encoded_words import decode_encoded_words, utf8_or_latin1

# RFC 5322 §2.2: a field name, optional WSP (obs-optional, §4.5), a colon, then the value
# with its continuation lines. A line matching nothing is not a field and is skipped.
_FIELD_PATTERN = r"^([^\x00-\x20\x7f:]+)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)"
_FIELD = re.compile(_FIELD_PATTERN.encode(), re.MULTILINE)
_FIELD_ASCII = re.compile(_FIELD_PATTERN, re.MULTILINE)  # same offsets as the bytes
_BLANK_LINE = re.compile(rb"\n\r?\n")


class HeaderField:
    """One header field; the decoded value and the addresses are computed on first use."""

    __slots__ = ("name", "key", "value", "start", "end", "_decoded", "_addresses")

    def __init__(self, name: str, value: str, start: int = -1, end: int = -1) -> None:
        self.name = name
        self.key = name.lower()
        self.value = value
        self.start = start  # byte range of the field in the source; -1 for an added field
        self.end = end
        self._decoded: str | None = None
        self._addresses: tuple[Address, ...] | None = None

    @property
    def decoded(self) -> str:
        if self._decoded is None:
            self._decoded = decode_encoded_words(self.value)
        return self._decoded

    def addresses(self) -> tuple[Address, ...]:
        if self._addresses is None:
            self._addresses = tuple(
                replace(a, display=decode_encoded_words(a.display))
                if a.display and "=?" in a.display
                else a
                for a in parse_address_list(self.value)
            )
        return self._addresses


def parse_fields(data: bytes, start: int, end: int, defects: list[str]) -> list[HeaderField]:
    """The fields of the header block data[start:end], unfolded (RFC 5322 §2.2.3).

    A field's byte range runs to the next field, so lines that are not fields stay with
    the field before them when the message is written out again."""
    block = data[start:end]
    ascii_only = block.isascii()  # the common case: match on str, no per-field decoding
    matches = _FIELD_ASCII.finditer(block.decode("ascii")) if ascii_only else _FIELD.finditer(block)
    fields: list[HeaderField] = []
    expected = 0
    for match in matches:
        at = match.start()
        if at != expected and block[expected:at].strip():
            defects.append("header line without a field name")
        name, value = match.groups()
        if not ascii_only:
            name, value = utf8_or_latin1(name), utf8_or_latin1(value)
        if "\n" in value:  # a newline inside the match is always a fold: remove it
            value = value.replace("\r\n", "").replace("\n", "")
        if fields:
            fields[-1].end = start + at
        fields.append(HeaderField(name, value.strip(" \t\r\n"), start + at))
        expected = match.end() + 1
    if expected < len(block) and block[expected:].strip():
        defects.append("header line without a field name")
    if fields:
        fields[-1].end = end
    return fields


def split_header(data: bytes, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body) within data[start:end]."""
    if data.startswith(b"\n", start, end):
        return start, start + 1
    if data.startswith(b"\r\n", start, end):
        return start, start + 2
    blank = _BLANK_LINE.search(data, start, end)
    if blank is None:
        return end, end
    return blank.start() + 1, blank.end()


def cut_header(data: bytes, start: int, end: int, limit: int) -> int:
    """Where to stop reading a header block longer than `limit`: after the last whole field."""
    cut = data.rfind(b"\n", start, min(start + limit, end))
    while cut >= start and data[cut + 1 : cut + 2] in (b" ", b"\t"):
        cut = data.rfind(b"\n", start, cut)
    return cut + 1 if cut >= start else start


class HeaderFields:
    """An ordered field list with a name index. Edits replace the list, never mutate it,
    so forks and MIME parts can share it safely."""

    __slots__ = ("fields", "_index")

    def __init__(self, fields: list[HeaderField]) -> None:
        self.fields = fields
        self._index: dict[str, list[HeaderField]] | None = None

    def get(self, name: str) -> list[HeaderField]:
        index = self._index
        if index is None:
            index = {}
            for field in self.fields:
                index.setdefault(field.key, []).append(field)
            self._index = index
        return index.get(name.lower(), [])

    def replace_fields(self, fields: list[HeaderField]) -> None:
        self.fields = fields
        self._index = None

    def share(self) -> HeaderFields:
        copy = HeaderFields(self.fields)
        copy._index = self._index
        return copy


class HeaderAccess:
    """Header reading shared by `Message` and `Part`."""

    __slots__ = ()
    _headers: HeaderFields

    def header(self, name: str) -> list[str]:
        """Every field named `name` (any case), in order: unfolded, trimmed, RFC 2047 decoded."""
        return [field.decoded for field in self._headers.get(name)]

    def raw_header(self, name: str) -> list[str]:
        """Like `header`, without RFC 2047 decoding."""
        return [field.value for field in self._headers.get(name)]

    def has_header(self, name: str) -> bool:
        return bool(self._headers.get(name))

    def addresses(self, name: str) -> list[Address]:
        """Every address in every field named `name` (see `sieve.runtime.addresses`)."""
        found: list[Address] = []
        for field in self._headers.get(name):
            found.extend(field.addresses())
        return found


def first_line_is_field(data: bytes, start: int, end: int) -> bool:
    match = _FIELD.match(data, start, end)
    return match is not None
