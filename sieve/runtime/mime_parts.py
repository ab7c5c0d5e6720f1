"""MIME structure (RFC 2045, RFC 2046, RFC 2231): Content-Type and Content-Disposition
parsing, `Part`, boundary splitting and the lazily built part tree in `MessageSource`, with the
depth and part limits.

Separate from `Message` because none of this runs until a body test or a MIME loop asks for
the tree; a header-only script never touches it. Header blocks of body parts are read with
`sieve.runtime.header_fields`, like the message's own.
"""

from __future__ import annotations

import binascii
import re
from urllib.parse import unquote_to_bytes

from sieve.runtime.encoded_words import (
    codec_for,
    decode_bytes,
    decode_encoded_words,
    to_bytes,
    utf8_or_latin1,
)
from sieve.runtime.header_fields import (
    HeaderAccess,
    HeaderFields,
    cut_header,
    first_line_is_field,
    parse_fields,
    split_header,
)
from sieve.runtime.html_text import html_to_text

MAX_DEPTH = 100
"""MIME parts nested deeper than this are kept as leaves (as Dovecot does by default)."""

MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})

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


class Part(HeaderAccess):
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
        headers: HeaderFields,
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
            parsed = parse_mime_field(content_types[0].value)
            if parsed is not None:
                kind, subtype, self.params = parsed
                self.content_type = f"{kind}/{subtype}".lower()
            else:
                # RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii.
                self.content_type = "text/plain"
                defects.append(f"invalid Content-Type: {content_types[0].value[:80]!r}")
        self.is_multipart = self.content_type.startswith("multipart/")
        self.disposition, self.disposition_params = "", {}
        dispositions = self._headers.get("content-disposition")
        if dispositions:
            parsed = parse_mime_field(dispositions[0].value, disposition=True)
            if parsed is not None:
                self.disposition = parsed[0].lower()
                self.disposition_params = parsed[2]
        encodings = self._headers.get("content-transfer-encoding")
        self._encoding = _strip_comments(encodings[0].value).strip().lower() if encodings else ""

    def _with_headers(self, headers: HeaderFields) -> Part:
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
            if self.is_multipart or self.content_type in MESSAGE_TYPES:
                self._text = ""
            elif self.content_type == "text/html":
                self._text = html_to_text(self._decoded_text())
            else:
                self._text = self._decoded_text()
        return self._text

    def __repr__(self) -> str:
        return f"<Part {self.index} {self.content_type} depth={self.depth}>"


def descendants(parts: list[Part], part: Part) -> list[Part]:
    """The parts below `part` (its children, theirs, ...), depth first, from the message's
    part list `parts`."""
    found: list[Part] = []
    pending = list(reversed(part.children))
    while pending:
        index = pending.pop()
        child = parts[index]
        found.append(child)
        pending.extend(reversed(child.children))
    return found


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


class MessageSource:
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
            HeaderFields(self.fields),
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
            if part.is_multipart or part.content_type in MESSAGE_TYPES:
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
        if data.startswith((b"\n", b"\r\n"), start, end) or first_line_is_field(data, start, end):
            header_end, body_start = split_header(data, start, end)
        else:
            self.defects.append("body part without a header block")
            header_end = body_start = start
        cut = header_end
        if header_end - start > self.max_header_bytes:
            cut = cut_header(data, start, header_end, self.max_header_bytes)
        headers = HeaderFields(parse_fields(data, start, cut, self.defects))
        header_range, body_range = (start, header_end), (body_start, end)
        return Part(data, header_range, body_range, headers, default_type, self.defects)
