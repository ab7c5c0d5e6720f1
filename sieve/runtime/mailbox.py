"""Reading many messages for a dry run: a maildir, an mbox file, a folder of `.eml` files.

`message.py` reads one message; this module finds the messages of a mailbox, one at a time,
so a dry run over a mailbox of any size holds one message (or one read-ahead window) in
memory, never the mailbox. Readers never raise for what is inside the mailbox: a message
that cannot be had (too large, unreadable, empty) becomes a `MailItem` with a `problem`,
reported and skipped by the runner. Only a mailbox that is not there at all raises
`MailboxError`, when it is opened.

- **Maildir** (`cur/` and `new/`; `tmp/` holds deliveries in progress and is skipped): file
  names are listed up front and sorted, which is delivery order since maildir names start
  with the delivery time; contents are read later, by whoever runs the message. Maildir++
  sub-folders (`.Folder/`) are not entered.
- **Folder of .eml files**: the `*.eml` files directly in the folder, sorted by name.
- **mbox**: split on From_ lines. After the first line of the file, a line starts a new
  message only when it reads like a From_ line that mbox writers put there: "From ", the
  sender, then a date (`From sender Mon Jun  3 08:00:00 2024`, with or without seconds, a
  zone or the weekday; or `3 Jun 2024 08:00`). So an unquoted "From here on..." line in a
  body does not cut a message in two, as in Dovecot, which splits on the same lines (a
  blank line before a From_ line is not required). A blank line before a From_ line
  belongs to the mbox, not the message. Lines quoted as `>From `, `>>From ` ... lose one
  `>` (the mboxrd convention, which reads mboxo files right except for bodies that really
  began a line with ">From "; Dovecot leaves them quoted). Content-Length headers (mboxcl)
  are not trusted. The file is read in blocks; a message larger than the size limit is
  skipped without being held.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "EmlFolder",
    "MailItem",
    "Maildir",
    "MailboxError",
    "Mbox",
    "MessageFile",
    "open_mailbox",
    "read_message",
    "split_mbox",
]

DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024
"""Bytes; a larger message is reported and skipped rather than read into memory."""

_BLOCK = 1 << 20
_FROM_LINE_MAX = 1000
_WEEKDAY = rb"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?[ \t]+"
_MONTH = rb"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# asctime, as writers put it: "Jun  3 08:00:00 2024", maybe with a zone before the year.
_ASCTIME = (
    _MONTH + rb"[ \t]+\d{1,2}[ \t]+\d{1,2}:\d\d(?::\d\d)?(?:[ \t]+[a-z+-][\w+-]*)?[ \t]+\d{4}"
)
# RFC 5322 style: "3 Jun 2024 08:00".
_NUMERIC = rb"\d{1,2}[ \t]+" + _MONTH + rb"[ \t]+\d{4}[ \t]+\d{1,2}:\d\d"
_FROM_LINE = re.compile(
    rb"From \S*[ \t]+(?:" + _WEEKDAY + rb")?(?:" + _ASCTIME + rb"|" + _NUMERIC + rb")",
    re.IGNORECASE,
)
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


class MailboxError(Exception):
    """A mailbox that cannot be opened at all (missing, not a maildir, unreadable)."""

    def __init__(self, path: str | os.PathLike[str], reason: str, hint: str = "") -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True, slots=True)
class MailItem:
    """One message of a mailbox. A maildir or folder item holds its `path`, read by whoever
    runs it (a worker process reads its own files); an mbox item holds its `data`, since
    the reader had to read it to find where it ends. `problem` says why an item cannot be
    run when the reader already knows (an mbox message over the size limit)."""

    name: str
    path: str | None = None
    data: bytes | None = None
    problem: str = ""

    def read(self, max_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> bytes:
        """The message bytes. Raises OSError when the file cannot be read and MailboxError
        when the message is empty or larger than `max_size`."""
        if self.problem:
            raise MailboxError(self.name, self.problem)
        data = self.data if self.data is not None else read_message(self.path or "", max_size)
        if not data:
            raise MailboxError(self.name, "empty message")
        return data


def read_message(path: str, max_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> bytes:
    """A message file's bytes, refusing one larger than `max_size` before reading it (and
    a file that grows past it while being read)."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > max_size:
            raise MailboxError(path, f"larger than {max_size} bytes")
        # Asking for the size the file has (plus one, to notice growth) reads it in one
        # allocation; asking for max_size would allocate that much every time.
        data = stream.read(size + 1)
        if len(data) > size:
            data += stream.read(max_size + 1 - len(data))
    if len(data) > max_size:
        raise MailboxError(path, f"larger than {max_size} bytes")
    return data


class MessageFile:
    """One message file named on the command line: a mailbox of one."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.total: int | None = 1

    def __iter__(self) -> Iterator[MailItem]:
        yield MailItem(self.path, path=self.path)


def _sorted_files(folder: str) -> list[str]:
    """Names of the plain files in `folder` (no dot-files), sorted."""
    names = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if not entry.is_file():
                    continue
            except OSError:
                continue
            names.append(entry.name)
    names.sort()
    return names


class Maildir:
    """A maildir's messages from `new/` and `cur/`, in the order of their names."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        subfolders = [os.path.join(self.path, sub) for sub in ("cur", "new")]
        if not any(os.path.isdir(sub) for sub in subfolders):
            raise MailboxError(
                self.path,
                "not a maildir (no cur/ or new/ folder)",
                "give --mbox for an mbox file, or a folder of .eml files without --maildir",
            )
        entries: list[tuple[str, str]] = []
        for sub in ("cur", "new"):
            folder = os.path.join(self.path, sub)
            if not os.path.isdir(folder):
                continue
            try:
                entries.extend((name, sub) for name in _sorted_files(folder))
            except OSError as error:
                raise MailboxError(folder, error.strerror or str(error)) from None
        # Names start with the delivery time: one sort over both folders is delivery order.
        entries.sort()
        self._entries = entries
        self.total: int | None = len(entries)

    def __iter__(self) -> Iterator[MailItem]:
        for name, sub in self._entries:
            path = os.path.join(self.path, sub, name)
            yield MailItem(path, path=path)


class EmlFolder:
    """The `*.eml` files directly inside a folder, in the order of their names."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            names = _sorted_files(self.path)
        except OSError as error:
            raise MailboxError(self.path, error.strerror or str(error)) from None
        self._names = [name for name in names if name.lower().endswith(".eml")]
        self.total: int | None = len(self._names)

    def __iter__(self) -> Iterator[MailItem]:
        for name in self._names:
            path = os.path.join(self.path, name)
            yield MailItem(path, path=path)


class Mbox:
    """An mbox file's messages, read in blocks. `bytes_read` of `size` tells how far the
    reader has got, for progress, since the number of messages is known only at the end."""

    def __init__(
        self, path: str | os.PathLike[str], max_size: int = DEFAULT_MAX_MESSAGE_SIZE
    ) -> None:
        self.path = os.fspath(path)
        self.max_size = max_size
        try:
            self.size = os.stat(self.path).st_size
        except OSError as error:
            raise MailboxError(self.path, error.strerror or str(error)) from None
        if os.path.isdir(self.path):
            raise MailboxError(self.path, "is a folder, not an mbox file")
        self.total: int | None = None
        self.bytes_read = 0

    def __iter__(self) -> Iterator[MailItem]:
        try:
            stream = open(self.path, "rb")  # noqa: SIM115 - closed below, also on error
        except OSError as error:
            yield MailItem(self.path, problem=f"cannot read: {error.strerror or error}")
            return
        number = 0
        try:
            for data, size in split_mbox(stream, self.max_size, self._advance):
                number += 1
                name = f"{self.path}#{number}"
                if data is None:
                    yield MailItem(name, problem=f"larger than {self.max_size} bytes ({size})")
                else:
                    yield MailItem(name, data=data)
        except OSError as error:
            yield MailItem(f"{self.path}#{number + 1}", problem=f"cannot read: {error}")
        finally:
            stream.close()

    def _advance(self, count: int) -> None:
        self.bytes_read += count


def _blank_before(buffer: bytearray, newline: int) -> bool:
    """Whether the line ended by the newline at `newline` is empty (LF or CRLF)."""
    if newline == 0:
        return True
    before = buffer[newline - 1]
    if before == 0x0A:
        return True
    return before == 0x0D and (newline == 1 or buffer[newline - 2] == 0x0A)


def _unquote(data: bytes) -> bytes:
    # mboxrd: a body line ">From " was stored as ">>From ", "From " as ">From ".
    return _QUOTED_FROM.sub(rb"\1", data) if b">From " in data else data


def split_mbox(
    stream: BinaryIO,
    max_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    advance: Callable[[int], None] | None = None,
    block: int = _BLOCK,
) -> Iterator[tuple[bytes | None, int]]:
    """Yields `(message bytes, size)` for each message of an mbox stream, in order, with
    the From_ line and the separating blank line removed and `>From` lines unquoted; the
    bytes are None for a message over `max_size`, which is skipped without being held.
    Memory stays under `max_size` plus one `block`. `advance(n)` is told of each block read.
    A stream not starting with "From " is read as if its first message had no From_ line."""
    buffer = bytearray()
    eof = False

    def fill() -> None:
        nonlocal eof
        data = stream.read(block)
        if not data:
            eof = True
            return
        buffer.extend(data)
        if advance is not None:
            advance(len(data))

    while not eof and b"\n" not in buffer[:_FROM_LINE_MAX] and len(buffer) < _FROM_LINE_MAX:
        fill()
    if not buffer:
        return
    if buffer.startswith(b"From "):
        line_end = buffer.find(b"\n")
        del buffer[: len(buffer) if line_end < 0 else line_end + 1]
    dropped = 0  # bytes of the current message thrown away because it is too large
    scan = 0
    while True:
        hit = buffer.find(b"\nFrom ", scan)
        if hit < 0:
            if eof:
                break
            if len(buffer) > max_size:
                # Too large: keep only what a separator split across blocks needs.
                dropped += len(buffer) - 8
                del buffer[:-8]
            scan = max(0, len(buffer) - 5)
            fill()
            continue
        line_end = buffer.find(b"\n", hit + 1, hit + 1 + _FROM_LINE_MAX)
        if line_end < 0:
            if not eof and len(buffer) - hit <= _FROM_LINE_MAX:
                scan = hit
                fill()
                continue
            line_end = len(buffer) if eof and len(buffer) - hit <= _FROM_LINE_MAX else -1
        if line_end < 0 or not _FROM_LINE.match(buffer, hit + 1, line_end):
            scan = hit + 1
            continue
        # The message ends before the blank line that precedes the From_ line, if any.
        end = hit + 1
        if _blank_before(buffer, hit):
            end = hit
            if end > 0 and buffer[end - 1] == 0x0D and (end == 1 or buffer[end - 2] == 0x0A):
                end -= 1
        yield _finish(buffer, end, dropped, max_size)
        del buffer[: line_end + 1]
        dropped = 0
        scan = 0
    end = len(buffer)
    # The last message ends with the file; a writer's final blank line is the mbox's.
    if buffer.endswith(b"\n\n"):
        end -= 1
    elif buffer.endswith(b"\r\n\r\n"):
        end -= 2
    if end > 0 or dropped:
        yield _finish(buffer, end, dropped, max_size)


def _finish(buffer: bytearray, end: int, dropped: int, max_size: int) -> tuple[bytes | None, int]:
    size = dropped + end
    if dropped or end > max_size:
        return None, size
    return _unquote(bytes(buffer[:end])), size


def open_mailbox(path: str | os.PathLike[str]) -> MessageFile | Maildir | EmlFolder:
    """A path named on the command line: a maildir when it has cur/ or new/, a folder of
    .eml files when it is another folder, else one message file."""
    text = os.fspath(path)
    if os.path.isdir(text):
        if os.path.isdir(os.path.join(text, "cur")) or os.path.isdir(os.path.join(text, "new")):
            return Maildir(text)
        return EmlFolder(text)
    if not os.path.exists(text):
        raise MailboxError(text, "no such file or folder")
    return MessageFile(text)
