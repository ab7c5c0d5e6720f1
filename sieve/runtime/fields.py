"""Reading header fields the way the tests of several extensions share: which part of the
message they look at (RFC 5703 :mime, :anychild), which occurrence (RFC 5260 :index, :last),
and which piece of an address (RFC 5228 §2.7.4 and RFC 5233 :user, :detail)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sieve.runtime.addresses import Address
from sieve.runtime.mime_parts import descendants

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.message import Message
    from sieve.runtime.mime_parts import Part
    from sieve.runtime.vm import Run

ADDRESS_PARTS = ("all", "localpart", "domain", "user", "detail")
SUBADDRESS_SEPARATOR = "+"


def sources(run: Run, args: Args) -> list[Message | Part]:
    """RFC 5703 §4: with :mime, the current part of a foreverypart loop (the message
    outside one), and with :anychild every part below it too; otherwise the message."""
    if not args.has("mime"):
        return [run.message]
    current = run.part
    if args.has("anychild"):
        # The current part and every part below it, as Pigeonhole reads RFC 5703 §4.1
        # (at the top, the message itself with its edited header).
        parts = run.message.parts()
        start = current if current is not None else parts[0]
        first: Message | Part = current if current is not None else run.message
        below: list[Message | Part] = [first, *descendants(parts, start)]
        run.count_parts(len(below))
        return below
    return [current if current is not None else run.message]


def select(args: Args, run: Run, fields: Sequence[str]) -> list[str]:
    """RFC 5260 §6: `:index N` keeps the Nth occurrence (from the end with `:last`); an
    index past the end leaves nothing to match."""
    if "index" not in args.tags:
        return list(fields)
    index = run.number(args.tags["index"])
    if index < 1 or index > len(fields):
        return []
    return [fields[-index] if "last" in args.tags else fields[index - 1]]


def address_part(args: Args) -> str:
    return next((part for part in ADDRESS_PARTS if part in args.tags), "all")


def address_values(addresses: Sequence[Address], part: str) -> list[str]:
    """The piece of each address a test compares. RFC 5233 §4: an address without the
    separator has no detail and is left out of a :detail test."""
    values: list[str] = []
    for address in addresses:
        if part == "all":
            values.append(address.all)
        elif not address.valid:
            # RFC 5228 §2.7.4: text that is not an address has no local part or domain;
            # only :all sees it (as in Pigeonhole).
            continue
        elif part == "localpart":
            values.append(address.localpart)
        elif part == "domain":
            values.append(address.domain or "")
        elif part == "user":
            values.append(address.user(SUBADDRESS_SEPARATOR))
        else:
            detail = address.detail(SUBADDRESS_SEPARATOR)
            if detail is not None:
                values.append(detail)
    return values


def split_envelope_address(text: str) -> Address:
    """An envelope path is a bare address (`<>` or `local@domain`), so splitting at the
    last "@" is exact, unlike header addresses."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    local, at, domain = text.rpartition("@")
    return Address(local, domain) if at else Address(text, None)
