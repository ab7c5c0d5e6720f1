"""RFC 5703 §6: the enclose action, which wraps the message as an attachment of a new
message."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sieve.extensions.date import std11
from sieve.extensions.editheader import field_value, valid_field_name
from sieve.extensions.replace import adopt_message, crlf
from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.extensions.vacation import one_line
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.encoded_words import to_bytes
from sieve.runtime.message import encode_words

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="enclose",
    summary="RFC 5703: the enclose action",
    commands=(
        # RFC 5703 §6: enclose [":subject" string] [":headers" string-list] string
        CommandSpec(
            "enclose",
            Signature(
                (Positional("body", Arg.STRING),),
                tags=(Tag("subject", Arg.STRING), Tag("headers", Arg.STRING_LIST)),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("enclose")
def enclose(run: Run, args: Args) -> None:
    """RFC 5703 §6: the message becomes a message/rfc822 part after a text/plain part
    holding the string, inside a new multipart/mixed message that later tests and actions
    see (each enclose wraps the message again). The Subject is :subject, else the enclosed
    message's; :headers names fields copied from the enclosed message, and Date and From
    (the user, the envelope recipient) are made up when not copied. An entry of :headers
    that holds a colon is taken as a whole "Name: value" field, as Stalwart reads it.

    Inside foreverypart the action is recorded for delivery, but the run goes on reading
    the original parts (replacing the tree under a running loop needs the VM's help)."""
    text = run.string(args.positionals[0])
    subject = run.string(args.tags["subject"]) if "subject" in args.tags else None
    requested = run.strings(args.tags.get("headers"))
    fields = _header_fields(run, requested)
    shown_subject = subject if subject is not None else _first(run.message.header("Subject"))
    run.add(actions.Enclose(shown_subject, requested, text))
    if run.part is not None:
        run.warn(
            "enclose-in-loop",
            "enclose inside foreverypart: the delivered message changes, this run still reads "
            "the original parts",
        )
        return
    if subject is not None:
        fields.append(("Subject", encode_words(one_line(subject).strip())))
    else:
        fields.extend(("Subject", value) for value in run.message.raw_header("Subject")[:1])
    adopt_message(run, _enclosing_message(run.message.as_bytes(), fields, text))


def _header_fields(run: Run, requested: list[str]) -> list[tuple[str, str]]:
    """The header of the new message, but for Subject and the MIME fields."""
    fields: list[tuple[str, str]] = []
    named: set[str] = set()
    for entry in requested:
        name, colon, value = entry.partition(":")
        name = name.strip()
        if not valid_field_name(name):
            raise run.stop("bad-header-name", f"enclose :headers: {name!r} is not a field name")
        key = name.lower()
        if key == "subject" or key.startswith("content-") or key == "mime-version":
            continue  # the new message's own
        named.add(key)
        if colon:
            fields.append((name, field_value(name, value)))
        else:
            fields.extend((name, old) for old in run.message.raw_header(name))
    made_up: list[tuple[str, str]] = []
    # RFC 5703 §6: "Date: and From: headers should be synthesized to reflect the current
    # date and the user running the Sieve action".
    if "date" not in named:
        made_up.append(("Date", std11(run.host.now())))
    user = run.envelope.rcpt_to.strip()
    if "from" not in named and user:
        made_up.append(("From", user))
    return made_up + fields


def _enclosing_message(inner: bytes, fields: list[tuple[str, str]], text: str) -> bytes:
    body = crlf(text)
    boundary = _boundary(inner, body)
    encoding = "7bit" if text.isascii() else "8bit"
    header = [
        *(f"{name}: {value}" for name, value in fields),
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
    ]
    lines = b"".join(to_bytes(line) + b"\r\n" for line in header)
    delimiter = f"--{boundary}".encode()
    return b"".join(
        (
            lines,
            b"\r\n",
            delimiter + b"\r\n",
            b"Content-Type: text/plain; charset=utf-8\r\n",
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode(),
            body,
            b"\r\n" + delimiter + b"\r\n",
            b"Content-Type: message/rfc822\r\n\r\n",
            inner,
            b"\r\n" + delimiter + b"--\r\n",
        )
    )


def _boundary(*contents: bytes) -> str:
    """RFC 2046 §5.1.1: a boundary that occurs in none of the contents; derived from them,
    so the same message and text always give the same bytes."""
    digest = hashlib.sha256()
    for content in contents:
        digest.update(content)
    boundary = f"sieve-enclose-{digest.hexdigest()[:24]}"
    while any(boundary.encode() in content for content in contents):
        boundary += "-x"
    return boundary


def _first(values: list[str]) -> str:
    return values[0] if values else ""
