"""RFC 5703 §5: the replace action, which swaps the body of the message (or of the
current MIME part) for new text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.runtime import actions
from sieve.runtime.addresses import parse_address_list
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.encoded_words import to_bytes
from sieve.runtime.header_fields import split_header
from sieve.runtime.message import Message, encode_words

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="replace",
    summary="RFC 5703: the replace action",
    commands=(
        # RFC 5703 §5: replace [":mime"] [":subject" string] [":from" string]
        #   <replacement: string>
        # ":mime" here is replace's own tag (the replacement is a whole MIME entity), not
        # the tag of the "mime" extension.
        CommandSpec(
            "replace",
            Signature(
                (Positional("replacement", Arg.STRING),),
                tags=(Tag("mime"), Tag("subject", Arg.STRING), Tag("from", Arg.STRING)),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()

_LINE_ENDS = re.compile(r"\r\n|\r|\n")
_BARE_LF = re.compile(rb"(?<!\r)\n")


@BEHAVIOUR.command("replace")
def replace(run: Run, args: Args) -> None:
    """RFC 5703 §5. Outside foreverypart the whole message is replaced: its header stays,
    but for the fields of the MIME structure, and later tests and actions see the new
    message. Inside a loop the current part is replaced; that edit is recorded for
    delivery, but the run goes on reading the original parts (changing the tree under a
    running loop needs the VM's help), and a warning says so."""
    replacement = run.string(args.positionals[0])
    mime = "mime" in args.tags
    subject = run.string(args.tags["subject"]) if "subject" in args.tags else None
    sender = run.string(args.tags["from"]) if "from" in args.tags else None
    # RFC 5703 §5: ":from" "must specify a valid [RFC2822] mailbox-list"; implementations
    # "SHOULD check the syntax and generate an error".
    if sender is not None and not valid_mailbox_list(sender):
        raise run.stop("bad-address", f"replace :from needs a mailbox list, not {sender!r}")
    part = run.part
    if part is not None:
        if subject is not None or sender is not None:
            # RFC 5703 §5: :subject and :from apply when the entire message is replaced.
            run.warn("replace-part", "replace inside foreverypart ignores :subject and :from")
        run.warn(
            "replace-part",
            "replace inside foreverypart: the delivered message changes, this run still "
            "reads the original part",
        )
        run.add(actions.Replace(replacement, mime, "", "", part.index))
        return
    data = _replaced_message(run.message, replacement, mime, subject, sender)
    adopt_message(run, data)
    run.add(actions.Replace(replacement, mime, subject or "", sender or "", None))


def _replaced_message(
    message: Message, replacement: str, mime: bool, subject: str | None, sender: str | None
) -> bytes:
    """The message with a new body. RFC 5703 §5: every header field is kept but those of
    the MIME structure being replaced (Content-*, MIME-Version); a new Subject or From keeps
    the old one as Original-Subject or Original-From; a non-ASCII Subject is RFC 2047
    encoded. Without :mime the body is text/plain in UTF-8; with it, the replacement is a
    MIME entity whose Content-* fields join the header (other fields in it are dropped)."""
    work = message.fork()
    structure = {name for name, _ in work.fields() if _is_structure(name)}
    for name in structure:
        work.delete_header(name)
    for name, value in (("Subject", subject), ("From", sender)):
        if value is not None:
            for old in work.raw_header(name):
                work.add_header(f"Original-{name}", old, last=True)
            work.delete_header(name)
            value = _LINE_ENDS.sub(" ", value).strip()
            work.add_header(name, encode_words(value) if name == "Subject" else value)
    if mime:
        entity = Message.parse(crlf(replacement))
        fields = entity.fields()
        content = [(name, value) for name, value in fields if _is_structure(name)]
        # Text that does not start with a header field is all content (RFC 2045 defaults).
        body = crlf(entity.body_raw()) if fields else crlf(replacement)
    else:
        encoding = "7bit" if replacement.isascii() else "8bit"
        content = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", encoding),
        ]
        body = crlf(replacement)
    work.add_header("MIME-Version", "1.0", last=True)
    for name, value in content:
        if name.lower() != "mime-version":
            work.add_header(name, value, last=True)
    header = header_block(work.as_bytes())
    return header + b"\r\n" + body


def _is_structure(name: str) -> bool:
    key = name.lower()
    return key.startswith("content-") or key == "mime-version"


def valid_mailbox_list(text: str) -> bool:
    addresses = parse_address_list(text)
    return bool(addresses) and all(
        address.valid and address.localpart and address.domain for address in addresses
    )


def header_block(data: bytes) -> bytes:
    """The header fields of a written message, each line ended by CRLF, without the blank
    line that ends the block."""
    end, _ = split_header(data, 0, len(data))
    block = data[:end].rstrip(b"\r\n")
    return _BARE_LF.sub(b"\r\n", block + b"\n") if block else b""


def crlf(text: str) -> bytes:
    """Text as message octets with CRLF line ends."""
    # UTF-8, raw bytes of the message (surrogate escapes) kept as they came.
    return to_bytes(_LINE_ENDS.sub("\r\n", text))


def adopt_message(run: Run, data: bytes) -> None:
    """Makes `data` the message of the run (RFC 5703 §5-6: later tests and actions see the
    new message), parsed under the run's limits and charged by its size."""
    run.charge(1 + len(data) // 4096)
    run.message = Message.parse(
        data,
        max_header_bytes=run.limits.max_header_bytes,
        max_parts=run.limits.max_mime_parts,
    )
    run.edited = True  # a message of this run only: editheader need not copy it
