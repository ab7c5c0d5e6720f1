"""RFC 5293: the addheader and deleteheader actions, which edit the message header."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
)
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="editheader",
    summary="RFC 5293: addheader and deleteheader",
    commands=(
        # RFC 5293 §4: addheader [":last"] <field-name: string> <value: string>
        CommandSpec(
            "addheader",
            Signature(
                (
                    Positional("field-name", Arg.STRING, role="header-name"),
                    Positional("value", Arg.STRING),
                ),
                tags=(Tag("last"),),
            ),
        ),
        # RFC 5293 §5: deleteheader [":index" <fieldno: number> [":last"]]
        #   [COMPARATOR] [MATCH-TYPE] <field-name: string> [<value-patterns: string-list>]
        CommandSpec(
            "deleteheader",
            Signature(
                (
                    Positional("field-name", Arg.STRING, role="header-name"),
                    Positional("value-patterns", Arg.STRING_LIST, optional=True),
                ),
                tags=(Tag("index", Arg.NUMBER), Tag("last", needs_tag="index")),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()

# RFC 5322 §3.6.8: field-name = 1*ftext, ftext = printable US-ASCII except ":".
_FIELD_NAME = re.compile(r"[!-9;-~]+", re.ASCII)
# RFC 5293 §6 forbids deleting Received; like Pigeonhole we also keep Auto-Submitted, which
# stops auto-replies (RFC 3834) from looping.
PROTECTED = frozenset({"received", "auto-submitted"})
MAX_VALUE_BYTES = 2048
"""Octets of one added value, Pigeonhole's default (editheader_max_header_size); longer
values are a run-time error, which RFC 5293 §4 allows in place of encoding them."""
_LINE = 998  # RFC 5322 §2.1.1: octets in a line, CRLF excluded
_LINE_BREAK = re.compile(r"(?:\r\n|\r|\n)([ \t]*)")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def valid_field_name(name: str) -> bool:
    return _FIELD_NAME.fullmatch(name) is not None


def field_value(name: str, value: str) -> str:
    """The value as it goes into the header. RFC 5293 §4 wants an "unstructured" value
    (RFC 5322 §3.2.5): line breaks become folds (kept unfolded here: the white space that
    followed, or one space), and a value with non-ASCII or control characters, with text
    that would read as an encoded word, or with a word too long for any line, is RFC 2047
    encoded into words that a writer can fold. Leading and trailing white space go, as
    they would when the header is read back."""
    value = _LINE_BREAK.sub(lambda found: found.group(1) or " ", value).strip(" \t")
    room = _LINE - len(name) - 2
    if (
        not value.isascii()
        or "=?" in value
        or _CONTROL.search(value)
        or any(len(word) > room for word in value.split())
    ):
        return _encoded_words(value)
    return value


def _encoded_words(value: str) -> str:
    """RFC 2047 §4.1 B-encoded UTF-8 words of at most 45 octets (a 72-character word, under
    §2's 75), each holding whole characters so that decoding gives `value` back."""
    words: list[bytes] = []
    chunk = b""
    for char in value:
        octets = char.encode("utf-8", "replace")
        if len(chunk) + len(octets) > 45:
            words.append(chunk)
            chunk = b""
        chunk += octets
    words.append(chunk)
    return " ".join(f"=?UTF-8?B?{base64.b64encode(word).decode()}?=" for word in words)


@BEHAVIOUR.command("addheader")
def addheader(run: Run, args: Args) -> None:
    """RFC 5293 §4: the field goes at the top of the header (at the bottom with :last), and
    later tests of this run see it (§7)."""
    name = _field_name(run, args, "addheader")
    value = run.string(args.positionals[1])
    if len(value.encode("utf-8", "replace")) > MAX_VALUE_BYTES:
        raise run.stop(
            "header-too-long",
            f"addheader: the value of {name!r} is longer than {MAX_VALUE_BYTES} bytes",
        )
    value = field_value(name, value)
    last = "last" in args.tags
    run.editable_message().add_header(name, value, last=last)
    run.add(actions.AddHeader(name, value, last))


@BEHAVIOUR.command("deleteheader")
def deleteheader(run: Run, args: Args) -> None:
    """RFC 5293 §5: deletes every field of that name, or the one :index picks (counted
    before the patterns are tried), keeping those whose value matches none of the
    value-patterns when there are some. Protected fields stay, with a warning (§6: the
    attempt "MUST be silently ignored"; Pigeonhole warns too)."""
    name = _field_name(run, args, "deleteheader")
    if name.lower() in PROTECTED:
        run.warn("header-protected", f"deleteheader: {name!r} may not be deleted; ignored")
        return
    patterns = args.positional(1)
    index = run.number(args.tags["index"]) if "index" in args.tags else None
    last = "last" in args.tags

    def matches(value: str) -> bool:
        assert patterns is not None
        return run.match(args, [value], patterns)

    deleted = run.editable_message().delete_header(
        name, index=index, from_end=last, match=matches if patterns is not None else None
    )
    run.add(actions.DeleteHeader(name, index, last, run.strings(patterns), deleted))


def _field_name(run: Run, args: Args, command: str) -> str:
    """RFC 5293 §4-5: an invalid field name is an error; a constant one was refused at
    compile time, one built from variables is refused now."""
    name = run.string(args.positionals[0])
    if not valid_field_name(name):
        raise run.stop("bad-header-name", f"{command}: {name!r} is not a valid header field name")
    return name
