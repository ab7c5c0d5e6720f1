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

Header fields live in `sieve.runtime.header_fields` and the MIME structure in
`sieve.runtime.mime_parts`; this module keeps `Message`, what only it needs, and re-exports
the names of its public API (`MAX_DEPTH`, `Address`, `Part`, `decode_encoded_words`,
`encode_words`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from email.generator import BytesGenerator
from email.message import Message as StdlibMessage

from sieve.runtime.addresses import Address
from sieve.runtime.encoded_words import (
    decode_encoded_words,
    encode_words,
    to_bytes,
    utf8_or_latin1,
)
from sieve.runtime.header_fields import (
    HeaderAccess,
    HeaderField,
    HeaderFields,
    cut_header,
    parse_fields,
    split_header,
)
from sieve.runtime.mime_parts import MAX_DEPTH, MESSAGE_TYPES, MessageSource, Part

__all__ = ["MAX_DEPTH", "Address", "Message", "Part", "decode_encoded_words", "encode_words"]


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


class Message(HeaderAccess):
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
        source = MessageSource(raw, start)
        header_end, body_start = split_header(raw, start, len(raw))
        cut = header_end
        message = object.__new__(cls)
        message.truncated_headers = header_end - start > max_header_bytes
        if message.truncated_headers:
            cut = cut_header(raw, start, header_end, max(max_header_bytes, 0))
        message._defects = []
        fields = parse_fields(raw, start, cut, message._defects)
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
        message._headers = HeaderFields(fields)
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
        field = HeaderField(name, encode_words(value) if encode else value)
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
                elif part.content_type in MESSAGE_TYPES:
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
    header_end, _ = split_header(data, 0, len(data))
    return utf8_or_latin1(data[:header_end])
