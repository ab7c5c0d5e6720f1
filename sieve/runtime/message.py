"""The message a script runs against: header fields, addresses, body and MIME parts.

The VM reads a message only through `Message` and `Part`. Everything is lazy because the
model sits in a mail pipeline: `Message.parse` splits the header block and nothing else,
RFC 2047 decoding and address parsing happen per field on first use, and the MIME tree is
built only when a body test or a MIME loop asks for it.

Input is untrusted. No accessor raises on any bytes; every pass over the data is linear
(the MIME tree costs at most `max_depth` passes), and limits on header bytes, MIME parts and
nesting depth turn what would be runaway work into flags and `defects`.

The header block and MIME boundaries are split by hand over bytes, which is faster than the
`email` parser and lets `max_parts` stop the work early; `email` is used to flatten an
`email.message.Message` given as input.
"""

from __future__ import annotations

import binascii
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from email.generator import BytesGenerator
from email.message import Message as StdlibMessage
from urllib.parse import unquote_to_bytes

from sieve.runtime.addresses import Address, parse_address_list
from sieve.runtime.encoded_words import (
    codec_for,
    decode_bytes,
    decode_encoded_words,
    encode_words,
    to_bytes,
    utf8_or_latin1,
)
from sieve.runtime.html_text import html_to_text

__all__ = ["MAX_DEPTH", "Address", "Message", "Part", "decode_encoded_words", "encode_words"]

MAX_DEPTH = 100
"""MIME parts nested deeper than this are kept as leaves (as Dovecot does by default)."""

_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})

# ---------------------------------------------------------------------------------------
# Header fields

# RFC 5322 §2.2: a field name, optional WSP (obs-optional, §4.5), a colon, then the value
# with its continuation lines. A line matching nothing is not a field and is skipped.
_FIELD_PATTERN = r"^([^\x00-\x20\x7f:]+)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)"
_FIELD = re.compile(_FIELD_PATTERN.encode(), re.MULTILINE)
_FIELD_ASCII = re.compile(_FIELD_PATTERN, re.MULTILINE)  # same offsets as the bytes
_BLANK_LINE = re.compile(rb"\n\r?\n")


class _Field:
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


def _parse_fields(data: bytes, start: int, end: int, defects: list[str]) -> list[_Field]:
    """The fields of the header block data[start:end], unfolded (RFC 5322 §2.2.3).

    A field's byte range runs to the next field, so lines that are not fields stay with
    the field before them when the message is written out again."""
    block = data[start:end]
    ascii_only = block.isascii()  # the common case: match on str, no per-field decoding
    matches = _FIELD_ASCII.finditer(block.decode("ascii")) if ascii_only else _FIELD.finditer(block)
    fields: list[_Field] = []
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
        fields.append(_Field(name, value.strip(" \t\r\n"), start + at))
        expected = match.end() + 1
    if expected < len(block) and block[expected:].strip():
        defects.append("header line without a field name")
    if fields:
        fields[-1].end = end
    return fields


def _split_header(data: bytes, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body) within data[start:end]."""
    if data.startswith(b"\n", start, end):
        return start, start + 1
    if data.startswith(b"\r\n", start, end):
        return start, start + 2
    blank = _BLANK_LINE.search(data, start, end)
    if blank is None:
        return end, end
    return blank.start() + 1, blank.end()


def _cut_header(data: bytes, start: int, end: int, limit: int) -> int:
    """Where to stop reading a header block longer than `limit`: after the last whole field."""
    cut = data.rfind(b"\n", start, min(start + limit, end))
    while cut >= start and data[cut + 1 : cut + 2] in (b" ", b"\t"):
        cut = data.rfind(b"\n", start, cut)
    return cut + 1 if cut >= start else start


class _Headers:
    """An ordered field list with a name index. Edits replace the list, never mutate it,
    so forks and MIME parts can share it safely."""

    __slots__ = ("fields", "_index")

    def __init__(self, fields: list[_Field]) -> None:
        self.fields = fields
        self._index: dict[str, list[_Field]] | None = None

    def get(self, name: str) -> list[_Field]:
        index = self._index
        if index is None:
            index = {}
            for field in self.fields:
                index.setdefault(field.key, []).append(field)
            self._index = index
        return index.get(name.lower(), [])

    def replace_fields(self, fields: list[_Field]) -> None:
        self.fields = fields
        self._index = None

    def share(self) -> _Headers:
        copy = _Headers(self.fields)
        copy._index = self._index
        return copy


class _HeaderAccess:
    """Header reading shared by `Message` and `Part`."""

    __slots__ = ()
    _headers: _Headers

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


# ---------------------------------------------------------------------------------------
# MIME structure (RFC 2045, RFC 2046, RFC 2231)

_TYPE = re.compile(r"[ \t\r\n]*([^\s/;]+)[ \t\r\n]*/[ \t\r\n]*([^\s;]+)")
_DISPOSITION = re.compile(r"[ \t\r\n]*([^\s;]+)")
_PARAM = re.compile(
    r';[ \t\r\n]*([^\s=;"]+)[ \t\r\n]*=[ \t\r\n]*(?:"((?:[^"\\]|\\.)*)"?|([^;]*))', re.DOTALL
)
_SPECIAL_IN_COMMENTS = re.compile(r'["()\\]')
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_BASE64_BODY = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _strip_comments(text: str) -> str:
    """RFC 2045 §5.1 allows comments in MIME fields; drop them, leaving quoted strings alone."""
    if "(" not in text:
        return text
    out: list[str] = []
    depth, in_quote, last, skip_to = 0, False, 0, 0
    for match in _SPECIAL_IN_COMMENTS.finditer(text):
        i, char = match.start(), match.group()
        if i < skip_to:
            continue
        if char == "\\":
            skip_to = i + 2
        elif in_quote:
            in_quote = char != '"'
        elif depth == 0:
            if char == '"':
                in_quote = True
            elif char == "(":
                out.append(text[last:i])
                depth = 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                out.append(" ")
                last = i + 1
    if depth == 0:
        out.append(text[last:])
    return "".join(out)


def parse_mime_field(
    value: str, disposition: bool = False
) -> tuple[str, str, dict[str, str]] | None:
    """A Content-Type (`type/subtype; params`) or, with `disposition`, a
    Content-Disposition (`kind; params`) value: its type, subtype ("" for a disposition)
    and RFC 2231-decoded parameters, case kept; None when it does not parse."""
    text = _strip_comments(value)
    parsed = (_DISPOSITION if disposition else _TYPE).match(text)
    if parsed is None:
        return None
    subtype = "" if disposition else parsed.group(2)
    return parsed.group(1), subtype, _parse_params(text, parsed.end())


def _parse_params(text: str, start: int) -> dict[str, str]:
    """Parameters after `start`, lower-case names; RFC 2231 continuations and charsets decoded.

    Senders that break RFC 2231 by writing RFC 2047 words in quoted values get them decoded."""
    simple: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for match in _PARAM.finditer(text, start):
        name = match.group(1).lower()
        quoted = match.group(2)
        value = (
            _ESCAPED.sub(r"\1", quoted) if quoted is not None else match.group(3).strip(" \t\r\n")
        )
        if "*" not in name:
            simple.setdefault(name, value)
            continue
        # RFC 2231 §3-4: name*=charset'lang'value, name*0=..., name*1*=...
        base, _, rest = name.partition("*")
        extended = rest.endswith("*") or rest == ""
        number = rest.rstrip("*") or "0"
        if base and number.isascii() and number.isdigit() and len(number) <= 4:
            sections.setdefault(base, {}).setdefault(int(number), (value, extended))
    for name, value in simple.items():
        if name != "boundary" and "=?" in value:
            simple[name] = decode_encoded_words(value)
    for base, parts in sections.items():
        charset = None
        octets = bytearray()
        for expected, number in enumerate(sorted(parts)):
            if number != expected:
                break  # a missing section ends the value
            value, extended = parts[number]
            if extended:
                if number == 0 and value.count("'") >= 2:
                    charset, _, value = value.split("'", 2)
                    charset = charset or None
                octets += unquote_to_bytes(value)
            else:
                octets += to_bytes(value)
        simple[base] = decode_bytes(bytes(octets), codec_for(charset) if charset else None)
    return simple


class Part(_HeaderAccess):
    """A MIME part; `Message.parts()[0]` is the message itself."""

    __slots__ = (
        "index",
        "depth",
        "parent",
        "children",
        "content_type",
        "params",
        "disposition",
        "disposition_params",
        "is_multipart",
        "_headers",
        "_data",
        "_header_range",
        "_body_range",
        "_preamble",
        "_epilogue",
        "_encoding",
        "_content",
        "_text",
        "_defects",
        "_reported",
    )

    def __init__(
        self,
        data: bytes,
        header_range: tuple[int, int],
        body_range: tuple[int, int],
        headers: _Headers,
        default_type: str,
        defects: list[str],
    ) -> None:
        self.index = 0
        self.depth = 0
        self.parent: int | None = None
        self.children: list[int] = []
        self._headers = headers
        self._data = data
        self._header_range = header_range
        self._body_range = body_range
        self._preamble: tuple[int, int] | None = None
        self._epilogue: tuple[int, int] | None = None
        self._content: str | None = None
        self._text: str | None = None
        self._defects = defects
        self._reported: set[str] = set()  # each defect of the content is reported once
        self._read_mime_fields(default_type, defects)

    def _read_mime_fields(self, default_type: str, defects: list[str]) -> None:
        content_types = self._headers.get("content-type")
        self.content_type, self.params = default_type, {}
        if content_types:
            text = _strip_comments(content_types[0].value)
            match = _TYPE.match(text)
            if match:
                self.content_type = f"{match.group(1)}/{match.group(2)}".lower()
                self.params = _parse_params(text, match.end())
            else:
                # RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii.
                self.content_type = "text/plain"
                defects.append(f"invalid Content-Type: {content_types[0].value[:80]!r}")
        self.is_multipart = self.content_type.startswith("multipart/")
        self.disposition, self.disposition_params = "", {}
        dispositions = self._headers.get("content-disposition")
        if dispositions:
            text = _strip_comments(dispositions[0].value)
            match = _DISPOSITION.match(text)
            if match:
                self.disposition = match.group(1).lower()
                self.disposition_params = _parse_params(text, match.end())
        encodings = self._headers.get("content-transfer-encoding")
        self._encoding = _strip_comments(encodings[0].value).strip().lower() if encodings else ""

    def _with_headers(self, headers: _Headers) -> Part:
        """This part reading another header list: the message's root part after edits."""
        twin = object.__new__(Part)
        for slot in Part.__slots__:
            setattr(twin, slot, getattr(self, slot))
        twin._headers = headers
        return twin

    def _body(self) -> bytes:
        start, end = self._body_range
        return self._data[start:end]

    def _defect(self, what: str) -> None:
        if what not in self._reported:
            self._reported.add(what)
            self._defects.append(f"part {self.index}: {what}")

    def _decoded_body(self) -> bytes:
        """The body with its Content-Transfer-Encoding removed (RFC 2045 §6)."""
        raw = self._body()
        if self._encoding == "base64":
            if _base64_is_broken(raw):
                self._defect("invalid base64")
            return _decode_base64(raw)
        if self._encoding == "quoted-printable":
            return binascii.a2b_qp(raw)
        return raw

    def _decoded_text(self) -> str:
        """Text parts in their charset; other leaves as UTF-8 with replacement characters."""
        if self._content is None:
            body = self._decoded_body()
            charset = self.params.get("charset") if self.content_type.startswith("text/") else None
            codec = codec_for(charset) if charset else None
            if codec is None and charset and charset.lower() not in ("us-ascii", "ascii"):
                self._defect(f"unknown charset {charset[:40]!r}")
            try:
                self._content = body.decode(codec or "utf-8")
            except UnicodeDecodeError:
                if self.content_type.startswith("text/"):
                    self._defect(f"text not valid {codec or 'utf-8'}")
                    self._content = decode_bytes(body, codec)
                else:
                    self._content = body.decode("utf-8", "replace")
            except Exception:  # a codec that fails strictly in some other way
                self._content = decode_bytes(body, codec)
        return self._content

    def payload(self) -> bytes:
        """The content as octets, transfer encoding removed (for hosts: hashing, saving)."""
        return self._decoded_body()

    def header_text(self) -> str:
        """The header block as written (RFC 5173 §5.2 matches a nested message by it)."""
        start, end = self._header_range
        return utf8_or_latin1(self._data[start:end])

    def text(self) -> str:
        """The content as text, for RFC 5703 extracttext: HTML reduced to its text, other
        leaves decoded; "" for multipart and message parts. Matches Pigeonhole."""
        if self._text is None:
            if self.is_multipart or self.content_type in _MESSAGE_TYPES:
                self._text = ""
            elif self.content_type == "text/html":
                self._text = html_to_text(self._decoded_text())
            else:
                self._text = self._decoded_text()
        return self._text

    def __repr__(self) -> str:
        return f"<Part {self.index} {self.content_type} depth={self.depth}>"


def _decode_base64(raw: bytes) -> bytes:
    """Lenient base64: characters outside the alphabet are skipped, a broken tail dropped."""
    try:
        return binascii.a2b_base64(raw)
    except binascii.Error:
        clean = _NOT_BASE64.sub(b"", raw)
        if len(clean) % 4 == 1:
            clean = clean[:-1]
        try:
            return binascii.a2b_base64(clean + b"=" * (-len(clean) % 4))
        except binascii.Error:
            return b""


def _base64_is_broken(raw: bytes) -> bool:
    compact = raw.translate(None, b" \t\r\n")
    return len(compact) % 4 != 0 or _BASE64_BODY.fullmatch(compact) is None


def _first_line_is_field(data: bytes, start: int, end: int) -> bool:
    match = _FIELD.match(data, start, end)
    return match is not None


class _Splitter:
    """RFC 2046 §5.1.1 boundary lines within one multipart body."""

    def __init__(self, data: bytes, start: int, end: int, boundary: bytes) -> None:
        self.data, self.start, self.end = data, start, end
        self.delimiter = b"--" + boundary
        self.preamble: tuple[int, int] = (start, end)
        self.epilogue: tuple[int, int] | None = None
        self.children: list[tuple[int, int]] = []
        self.closed = self.found = self.more = False

    def split(self, budget: int) -> None:
        """Find up to `budget` body parts; `more` tells whether there were others."""
        data, end, delimiter = self.data, self.end, self.delimiter
        current: int | None = None
        search = self.start
        first = data.startswith(delimiter, self.start, end)
        while True:
            if first:
                hit, first = self.start, False
            else:
                newline = data.find(b"\n" + delimiter, search, end)
                if newline < 0:
                    break
                hit = newline + 1
            after = hit + len(delimiter)
            close = data.startswith(b"--", after, end)
            line_end = data.find(b"\n", after, end)
            line_end = end if line_end < 0 else line_end
            # Only transport padding may follow the boundary; else it is another line.
            if data[after + 2 if close else after : line_end].strip(b" \t\r"):
                search = hit
                continue
            # RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary.
            content_end = hit
            if hit > self.start:
                content_end = hit - 1
                if data[content_end - 1 : content_end] == b"\r":
                    content_end -= 1
            if current is None:
                self.found = True
                self.preamble = (self.start, max(self.start, content_end))
            else:
                self.children.append((current, max(current, content_end)))
            next_start = min(line_end + 1, end)
            if close:
                self.closed = True
                self.epilogue = (next_start, end)
                return
            if len(self.children) >= budget:
                self.more = True
                return
            current, search = next_start, line_end
        if current is not None:
            self.children.append((current, end))


class _Source:
    """What every fork of a message shares: the bytes and the lazily built MIME tree."""

    __slots__ = (
        "data",
        "start",
        "header_end",
        "body_start",
        "fields",
        "prefix_end",
        "cut",
        "max_parts",
        "max_depth",
        "max_header_bytes",
        "tree",
        "truncated_parts",
        "defects",
        "_body_raw",
    )

    def __init__(self, data: bytes, start: int) -> None:
        self.data = data
        self.start = start
        self.tree: list[Part] | None = None
        self.truncated_parts = False
        self.defects: list[str] = []
        self._body_raw: str | None = None

    def body_raw(self) -> str:
        if self._body_raw is None:
            self._body_raw = utf8_or_latin1(self.data[self.body_start :])
        return self._body_raw

    def build_tree(self) -> list[Part]:
        """Every part, depth-first pre-order, stopping at `max_parts` and `max_depth`."""
        if self.tree is not None:
            return self.tree
        defects = self.defects
        root = Part(
            self.data,
            (self.start, self.header_end),
            (self.body_start, len(self.data)),
            _Headers(self.fields),
            "text/plain",
            defects,
        )
        parts: list[Part] = []
        stack: list[tuple[Part, int, int | None]] = [(root, 0, None)]
        while stack:
            part, depth, parent = stack.pop()
            if len(parts) >= self.max_parts:
                self.truncated_parts = True
                break
            part.index, part.depth, part.parent = len(parts), depth, parent
            parts.append(part)
            if parent is not None:
                parts[parent].children.append(part.index)
            if part.is_multipart or part.content_type in _MESSAGE_TYPES:
                if depth >= self.max_depth:
                    self.truncated_parts = True
                    defects.append(f"part {part.index}: nested deeper than {self.max_depth}")
                    continue
                budget = self.max_parts - len(parts) - len(stack)
                children = self._children(part, budget)
                stack.extend((child, depth + 1, part.index) for child in reversed(children))
        self.tree = parts
        return parts

    def _children(self, part: Part, budget: int) -> list[Part]:
        data, (start, end) = part._data, part._body_range
        if not part.is_multipart:
            # RFC 2046 §5.2.1: message/rfc822 is never encoded, but senders do encode it.
            if part._encoding in ("base64", "quoted-printable"):
                data = part._decoded_body()
                start, end = 0, len(data)
            if budget <= 0:
                self.truncated_parts = True
                return []
            return [self._open(data, start, end, "text/plain")]
        boundary = part.params.get("boundary", "")
        if not boundary:
            self.defects.append(f"part {part.index}: multipart without a boundary")
            return []
        splitter = _Splitter(data, start, end, to_bytes(boundary))
        splitter.split(max(budget, 0))
        part._preamble, part._epilogue = splitter.preamble, splitter.epilogue
        if not splitter.found:
            self.defects.append(f"part {part.index}: boundary {boundary!r} not found")
        elif not splitter.closed and not splitter.more:
            self.defects.append(f"part {part.index}: missing closing boundary")
        if splitter.more:
            self.truncated_parts = True
        # RFC 2046 §5.1.5: in a digest the parts are messages unless they say otherwise.
        default = "message/rfc822" if part.content_type == "multipart/digest" else "text/plain"
        return [self._open(data, s, e, default) for s, e in splitter.children]

    def _open(self, data: bytes, start: int, end: int, default_type: str) -> Part:
        """A body part: its header block (none when the first line is no field) and body."""
        if data.startswith((b"\n", b"\r\n"), start, end) or _first_line_is_field(data, start, end):
            header_end, body_start = _split_header(data, start, end)
        else:
            self.defects.append("body part without a header block")
            header_end = body_start = start
        cut = header_end
        if header_end - start > self.max_header_bytes:
            cut = _cut_header(data, start, header_end, self.max_header_bytes)
        headers = _Headers(_parse_fields(data, start, cut, self.defects))
        header_range, body_range = (start, header_end), (body_start, end)
        return Part(data, header_range, body_range, headers, default_type, self.defects)


def _type_matches(content_type: str, wanted: str) -> bool:
    """RFC 5173 §5.2: "" matches all, "type" any subtype, "type/subtype" exactly; a leading
    or trailing slash, or two slashes, match nothing."""
    if not wanted:
        return True
    wanted = wanted.lower()
    if wanted.startswith("/") or wanted.endswith("/") or wanted.count("/") > 1:
        return False
    if "/" in wanted:
        return content_type == wanted
    return content_type.partition("/")[0] == wanted


# ---------------------------------------------------------------------------------------
# The message


def _input_bytes(data: bytes | str | StdlibMessage) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, StdlibMessage):
        buffer = io.BytesIO()
        try:
            policy = data.policy.clone(max_line_length=0)  # no refolding
            BytesGenerator(buffer, mangle_from_=False, policy=policy).flatten(data)
            return buffer.getvalue()
        except Exception:  # the email package fails on some malformed objects
            try:
                return to_bytes(data.as_string())
            except Exception:
                return b""
    raise TypeError(f"a message is bytes, str or email.message.Message, not {type(data).__name__}")


class Message(_HeaderAccess):
    """A parsed message. Header reads are dictionary lookups; the body waits until asked."""

    __slots__ = ("size", "truncated_headers", "_headers", "_source", "_defects", "_root")

    size: int
    """Octets of the message as delivered (RFC 5228 §5.9), without an mbox "From " line."""
    truncated_headers: bool
    """True when fields past `max_header_bytes` were ignored."""

    @classmethod
    def parse(
        cls,
        data: bytes | str | StdlibMessage,
        *,
        max_header_bytes: int = 1 << 20,
        max_parts: int = 10_000,
        max_depth: int = MAX_DEPTH,
    ) -> Message:
        """Read a message. A str is encoded as UTF-8 (surrogateescape); an mbox "From " first
        line is dropped. Only the header block is split now. Raises TypeError for other types."""
        raw = _input_bytes(data)
        start = 0
        if raw.startswith(b"From "):
            newline = raw.find(b"\n")
            start = len(raw) if newline < 0 else newline + 1
        source = _Source(raw, start)
        header_end, body_start = _split_header(raw, start, len(raw))
        cut = header_end
        message = object.__new__(cls)
        message.truncated_headers = header_end - start > max_header_bytes
        if message.truncated_headers:
            cut = _cut_header(raw, start, header_end, max(max_header_bytes, 0))
        message._defects = []
        fields = _parse_fields(raw, start, cut, message._defects)
        if message.truncated_headers:
            message._defects.append(f"header block longer than {max_header_bytes} bytes")
        source.header_end, source.body_start, source.cut = header_end, body_start, cut
        source.fields = fields
        source.prefix_end = fields[0].start if fields else cut
        source.max_parts = max(max_parts, 1)
        source.max_depth = max(max_depth, 0)
        source.max_header_bytes = max(max_header_bytes, 0)
        message.size = len(raw) - start
        message._source = source
        message._headers = _Headers(fields)
        message._root = None
        return message

    # --- flags -------------------------------------------------------------------------

    @property
    def truncated_parts(self) -> bool:
        """True when the MIME tree stopped at `max_parts` or `max_depth` (once it is built)."""
        return self._source.truncated_parts

    @property
    def ignored_header_bytes(self) -> int:
        """Bytes of header fields past `max_header_bytes` that no test can see (0 if none)."""
        return self._source.header_end - self._source.cut

    @property
    def defects(self) -> list[str]:
        """What was broken, for diagnostics; body defects appear once the body is read."""
        return self._defects + self._source.defects

    @property
    def mime_parsed(self) -> bool:
        """Whether the MIME tree has been built (header-only scripts never build it)."""
        return self._source.tree is not None

    # --- headers -----------------------------------------------------------------------

    def fields(self) -> list[tuple[str, str]]:
        """(name as written, unfolded value not RFC 2047 decoded) for every field, in order."""
        return [(field.name, field.value) for field in self._headers.fields]

    def fork(self) -> Message:
        """A copy whose header edits stay its own; the body and MIME tree are shared."""
        twin = object.__new__(Message)
        twin.size = self.size
        twin.truncated_headers = self.truncated_headers
        twin._source = self._source
        twin._headers = self._headers.share()
        twin._defects = list(self._defects)
        twin._root = None
        return twin

    def add_header(
        self, name: str, value: str, *, last: bool = False, encode: bool = False
    ) -> None:
        """RFC 5293 §5 addheader: at the top, or at the bottom with `last`.

        The value is stored as given; with `encode=True` a value that needs it is first
        turned into RFC 2047 UTF-8 words (`encode_words`), which `header` decodes again."""
        field = _Field(name, encode_words(value) if encode else value)
        fields = self._headers.fields
        self._headers.replace_fields(fields + [field] if last else [field] + fields)

    def delete_header(
        self,
        name: str,
        *,
        index: int | None = None,
        from_end: bool = False,
        keep: Callable[[str], bool] | None = None,
        match: Callable[[str], bool] | None = None,
    ) -> int:
        """RFC 5293 §6 deleteheader; returns how many fields went.

        `index` (1-based, counted from the end with `from_end`) picks one field of that name;
        without it every field of that name is a candidate. A candidate is deleted only if
        `keep(value)` is not true and `match(value)` is true (each when given), where value
        is the decoded value `header` returns: the VM passes the value-patterns as `match`."""
        candidates = self._headers.get(name)
        if index is not None:
            if not 1 <= index <= len(candidates):
                return 0
            candidates = [candidates[-index] if from_end else candidates[index - 1]]
        doomed = {
            id(field)
            for field in candidates
            if (keep is None or not keep(field.decoded)) and (match is None or match(field.decoded))
        }
        if doomed:
            kept = [field for field in self._headers.fields if id(field) not in doomed]
            self._headers.replace_fields(kept)
        return len(doomed)

    # --- body and MIME -----------------------------------------------------------------

    def body_raw(self) -> str:
        """RFC 5173 §5.1 :raw: the body after the header block, no decoding of any kind."""
        return self._source.body_raw()

    def parts(self) -> list[Part]:
        """Every MIME part, depth-first pre-order, the message itself first. Builds the tree."""
        tree = self._source.build_tree()
        if self._root is None:
            self._root = tree[0]._with_headers(self._headers)
        return [self._root, *tree[1:]]

    def body_content(self, types: Sequence[str]) -> list[str]:
        """RFC 5173 §5.2 :content: one string per matching part, searching every part.

        A matching multipart gives its preamble (always) and its epilogue (when there is
        one); a matching message/rfc822 part gives the header block of the message inside;
        other parts give their content, transfer-decoded and, for text, charset-decoded."""
        found: list[str] = []
        tree = self._source.build_tree()
        last = _subtree_ends(tree)
        epilogues: list[tuple[int, str]] = []  # (index of the part it follows, text)
        for part in tree:
            if any(_type_matches(part.content_type, wanted) for wanted in types):
                if part.is_multipart:
                    found.append(_slice_text(part._data, part._preamble or part._body_range))
                    if part._epilogue and part._epilogue[0] < part._epilogue[1]:
                        epilogues.append(
                            (last[part.index], _slice_text(part._data, part._epilogue))
                        )
                elif part.content_type in _MESSAGE_TYPES:
                    found.append(_encapsulated_header(part, tree))
                else:
                    found.append(part._decoded_text())
            # In document order an epilogue comes after the last part inside its multipart.
            while epilogues and epilogues[-1][0] == part.index:
                found.append(epilogues.pop()[1])
        return found

    def body_text(self) -> list[str]:
        """RFC 5173 §5.3 :text: the text of every text/* part, HTML reduced to its text.
        Preambles and nested headers are not text a reader sees, so they are left out."""
        return [
            part.text()
            for part in self._source.build_tree()
            if part.content_type.startswith("text/") and not part.is_multipart
        ]

    # --- writing out -------------------------------------------------------------------

    def as_bytes(self) -> bytes:
        """The message with its current header fields: untouched fields byte for byte, added
        ones as `Name: value` (UTF-8, line breaks kept as folds), then the original body."""
        source = self._source
        data = source.data
        eol = b"\r\n" if data.find(b"\r\n", source.start, source.header_end) >= 0 else b"\n"
        out = [data[source.start : source.prefix_end]]
        for field in self._headers.fields:
            if out[-1] and not out[-1].endswith(b"\n"):  # an original last line without EOL
                out[-1] += eol
            if field.start >= 0:
                out.append(data[field.start : field.end])
            else:
                # Line breaks in an added value become folds, never new fields.
                name = re.sub(r"[\r\n]", "", field.name)
                value = re.sub(r"\r\n|\r|\n", "\n", field.value).strip("\n")
                value = re.sub(r"\n(?![ \t])", "\n ", value).replace("\n", eol.decode())
                out.append(to_bytes(f"{name}: {value}") + eol)
        out.append(data[source.cut : source.header_end])
        out.append(data[source.header_end :])
        return b"".join(out)

    def __repr__(self) -> str:
        return f"<Message {self.size} octets, {len(self._headers.fields)} fields>"


def _subtree_ends(tree: list[Part]) -> list[int]:
    """For each part, the index of the last part inside it (pre-order keeps them together)."""
    ends = list(range(len(tree)))
    for part in reversed(tree):
        if part.children:
            ends[part.index] = ends[part.children[-1]]
    return ends


def _slice_text(data: bytes, span: tuple[int, int]) -> str:
    return utf8_or_latin1(data[span[0] : span[1]])


def _encapsulated_header(part: Part, tree: list[Part]) -> str:
    """RFC 5173 §5.2: a message/rfc822 part is searched by the header of the message inside."""
    if part.children:
        return tree[part.children[0]].header_text()
    data = part._decoded_body()
    header_end, _ = _split_header(data, 0, len(data))
    return utf8_or_latin1(data[:header_end])
