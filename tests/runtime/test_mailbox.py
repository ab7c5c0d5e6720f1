"""Mailbox readers for dry runs: a maildir, a folder of .eml files, an mbox file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.runtime.mailbox import (
    EmlFolder,
    MailboxError,
    Maildir,
    MailItem,
    Mbox,
    MessageFile,
    open_mailbox,
    read_message,
    split_mbox,
)

FROM_LINE = b"From alice@example.com Mon Jun  3 08:00:00 2024\n"


def message(subject: str, body: str = "Hello.\n") -> bytes:
    return f"From: a@example.com\nSubject: {subject}\n\n{body}".encode()


def make_maildir(root: Path, files: dict[str, bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def mbox_of(*messages: bytes) -> bytes:
    """An mbox as writers make it: From_ line, message, blank line."""
    return b"".join(FROM_LINE + m + b"\n" for m in messages)


def split(data: bytes, **options: int) -> list[bytes | None]:
    return [found for found, _ in split_mbox(io.BytesIO(data), **options)]


# --- maildir and folders ----------------------------------------------------------------


def test_a_maildir_lists_new_and_cur_in_delivery_order_and_skips_tmp(tmp_path: Path) -> None:
    root = make_maildir(
        tmp_path / "Maildir",
        {
            "cur/1700000002.M2.host:2,S": message("second"),
            "new/1700000003.M3.host": message("third"),
            "cur/1700000001.M1.host:2,": message("first"),
            "tmp/1700000004.M4.host": message("being delivered"),
            "cur/.hidden": b"not mail",
        },
    )
    box = Maildir(root)
    items = list(box)
    assert box.total == 3
    assert [Path(item.name).name for item in items] == [
        "1700000001.M1.host:2,",
        "1700000002.M2.host:2,S",
        "1700000003.M3.host",
    ]
    assert items[2].read() == message("third")


def test_a_folder_without_cur_or_new_is_not_a_maildir(tmp_path: Path) -> None:
    with pytest.raises(MailboxError) as raised:
        Maildir(tmp_path)
    assert "not a maildir" in str(raised.value)
    assert "--mbox" in raised.value.hint


def test_a_folder_of_eml_files_reads_only_eml_files_by_name(tmp_path: Path) -> None:
    (tmp_path / "b.eml").write_bytes(message("b"))
    (tmp_path / "a.EML").write_bytes(message("a"))
    (tmp_path / "notes.txt").write_text("not a message")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.eml").write_bytes(message("c"))
    box = EmlFolder(tmp_path)
    assert box.total == 2
    assert [Path(item.name).name for item in box] == ["a.EML", "b.eml"]


def test_open_mailbox_tells_maildirs_folders_and_files_apart(tmp_path: Path) -> None:
    maildir = make_maildir(tmp_path / "Maildir", {"new/1.x": message("x")})
    folder = tmp_path / "folder"
    folder.mkdir()
    single = tmp_path / "one.eml"
    single.write_bytes(message("one"))
    assert isinstance(open_mailbox(maildir), Maildir)
    assert isinstance(open_mailbox(folder), EmlFolder)
    assert isinstance(open_mailbox(single), MessageFile)
    with pytest.raises(MailboxError, match="no such file"):
        open_mailbox(tmp_path / "missing")


def test_an_empty_or_oversized_message_file_cannot_be_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    big = tmp_path / "big.eml"
    big.write_bytes(message("big", "x" * 500))
    with pytest.raises(MailboxError, match="empty message"):
        MailItem(str(empty), path=str(empty)).read()
    with pytest.raises(MailboxError, match="larger than 100 bytes"):
        read_message(str(big), max_size=100)
    assert read_message(str(big), max_size=10_000) == big.read_bytes()
    with pytest.raises(OSError):
        MailItem("gone", path=str(tmp_path / "gone.eml")).read()


# --- mbox -------------------------------------------------------------------------------


def test_mbox_messages_lose_their_from_line_and_the_blank_line_after_them() -> None:
    data = mbox_of(message("one"), message("two"))
    assert split(data) == [message("one"), message("two")]


def test_quoted_from_lines_lose_one_quote() -> None:
    # mboxrd: the writer added one ">" to every line that read (>*)From.
    body = "Hi,\n>From here on it was quoted.\n>>From twice.\nFrom the start.\n"
    stored = "Hi,\n>>From here on it was quoted.\n>>>From twice.\n>From the start.\n"
    data = FROM_LINE + message("q", stored)
    assert split(data + b"\n") == [message("q", body)]


def test_a_from_paragraph_in_a_body_does_not_start_a_message() -> None:
    # Not quoted by a careless writer, but without a From_ line's date it is body text.
    body = "Dear all,\n\nFrom next week on, lunch is at noon.\n\nFrom Jo, at 12:30.\n"
    assert split(mbox_of(message("lunch", body))) == [message("lunch", body)]


def test_a_from_line_without_a_blank_line_before_it_still_starts_a_message() -> None:
    # As Dovecot reads it: the From_ line's form decides, not the blank line.
    data = FROM_LINE + message("one") + FROM_LINE + message("two")
    assert split(data) == [message("one"), message("two")]


@pytest.mark.parametrize(
    "line",
    [
        b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011",
        b"From - Mon Jun  3 08:00:00 2024",
        b"From 1767@xxx Tue Jan 05 12:00:00 +0000 2021",
        b"From a@b  Mon Jun 3 08:00 CEST 2024",
        b"From a@b Mon, 3 Jun 2024 08:00:00 +0000",
    ],
)
def test_the_from_lines_writers_write_are_recognised(line: bytes) -> None:
    data = FROM_LINE + message("one") + b"\n" + line + b"\n" + message("two")
    assert split(data) == [message("one"), message("two")]


def test_crlf_mboxes_split_the_same_way() -> None:
    first, second = message("one").replace(b"\n", b"\r\n"), message("two").replace(b"\n", b"\r\n")
    data = mbox_of(first, second).replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    assert split(data) == [first, second]


def test_a_file_without_a_from_line_is_one_message() -> None:
    assert split(message("plain")) == [message("plain")]
    assert split(b"") == []


def test_a_message_over_the_size_limit_is_skipped_without_being_held() -> None:
    big = message("big", "x" * 5000 + "\n")
    sizes = [
        (found is None, size)
        for found, size in split_mbox(
            io.BytesIO(mbox_of(message("small"), big, message("after"))), max_size=1000, block=64
        )
    ]
    assert sizes == [
        (False, len(message("small"))),
        (True, len(big)),
        (False, len(message("after"))),
    ]


def test_the_mbox_reader_streams() -> None:
    data = mbox_of(*(message(f"m{n}", "line\n" * 200) for n in range(200)))
    stream = io.BytesIO(data)
    messages = split_mbox(stream, block=4096)
    assert next(messages) == (message("m0", "line\n" * 200), len(message("m0", "line\n" * 200)))
    assert stream.tell() <= 2 * 4096 < len(data)


def test_an_mbox_file_names_its_messages_and_reports_progress(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_of(message("one"), message("two")))
    box = Mbox(path, max_size=1000)
    items = list(box)
    assert [item.name for item in items] == [f"{path}#1", f"{path}#2"]
    assert items[1].read() == message("two")
    assert box.bytes_read == box.size == path.stat().st_size
    with pytest.raises(MailboxError):
        Mbox(tmp_path / "missing.mbox")


def test_an_oversized_mbox_message_becomes_an_item_with_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_of(message("big", "x" * 2000)))
    (item,) = list(Mbox(path, max_size=100))
    assert item.problem.startswith("larger than 100 bytes")
    with pytest.raises(MailboxError):
        item.read()


lines = st.sampled_from(
    ["Hello", "", "From here", ">From there", ">>From x", "From a@b Mon Jun 3 08:00:00 2024"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(lines, max_size=6).map(lambda ls: "".join(f"{x}\n" for x in ls)), max_size=5),
    st.sampled_from([7, 64, 1 << 20]),
)
def test_what_an_mboxrd_writer_writes_reads_back_the_same(bodies: list[str], block: int) -> None:
    originals = [f"Subject: {n}\n\n{body}".encode() for n, body in enumerate(bodies)]
    quoted = [
        b"".join(
            b">" + line if line.lstrip(b">").startswith(b"From ") else line
            for line in original.splitlines(keepends=True)
        )
        for original in originals
    ]
    assert split(mbox_of(*quoted), block=block) == originals


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([5, 64]))
def test_any_bytes_split_without_error_and_within_the_limit(data: bytes, block: int) -> None:
    for found, size in split_mbox(io.BytesIO(data), max_size=50, block=block):
        assert found is None or len(found) <= 50
        assert size >= 0
