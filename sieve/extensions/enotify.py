"""RFC 5435: notifications. The notify action, the tests valid_notify_method and
notify_method_capability, and the `:encodeurl` modifier of `set` (done in variables.py).

Only the mailto method (RFC 5436) is offered, as RFC 5435 §3.2 requires at least; any other
method, or a mailto URI that is not valid, is a run-time error. The notification is built
here (recipients, subject, body) and performed by whoever reads the result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sieve.extensions.editheader import valid_field_name
from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.extensions.vacation import (
    bare_path,
    first_field,
    is_auto_submitted,
    one_line,
    single_mailbox,
)
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="enotify",
    summary="RFC 5435: the notify action and tests of notification methods",
    commands=(
        # RFC 5435 §3: notify [":from" string] [":importance" <"1" / "2" / "3">]
        #                     [":options" string-list] [":message" string] <method: string>
        CommandSpec(
            "notify",
            Signature(
                (Positional("method", Arg.STRING),),
                tags=(
                    Tag("from", Arg.STRING),
                    # RFC 5435 §3.2: 1 is high, 2 normal (the default), 3 low.
                    Tag("importance", Arg.STRING, values=("1", "2", "3")),
                    Tag("options", Arg.STRING_LIST),
                    Tag("message", Arg.STRING),
                ),
            ),
        ),
    ),
    tests=(
        # RFC 5435 §4: valid_notify_method <notification-uris: string-list>
        TestSpec(
            "valid_notify_method",
            Signature((Positional("notification-uris", Arg.STRING_LIST),)),
        ),
        # RFC 5435 §5: notify_method_capability [COMPARATOR] [MATCH-TYPE]
        #   <notification-uri: string> <notification-capability: string> <key-list: string-list>
        TestSpec(
            "notify_method_capability",
            Signature(
                (
                    Positional("notification-uri", Arg.STRING),
                    Positional("notification-capability", Arg.STRING),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
    # RFC 5435 §6: with "variables", `set` gains the modifier ":encodeurl" (precedence 15,
    # which no RFC 5229 modifier shares, so it conflicts with none of them).
    extra_tags=(("set", (Tag("encodeurl"),)),),
)

# A notification to many people is an amplifier (RFC 5435 §8); one notify action may name
# at most this many recipients.
MAX_RECIPIENTS = 16

# RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# RFC 3986 §2: the characters a URI may hold (reserved, unreserved and "%" escapes).
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 5322 §3.4.1 addr-spec (dot-atom or quoted local part; dot-atom or literal domain),
# widened to non-ASCII characters (RFC 6532). Written as "atext or not ASCII": the same set as
# a class running to U+10FFFF, which `re` takes 6 ms to compile at every start.
_ATOM = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]|[^\x00-\x7f])+"
_ADDR_SPEC = re.compile(
    rf'(?:{_ATOM}(?:\.{_ATOM})*|"(?:[^"\\\r\n]|\\.)*")@(?:{_ATOM}(?:\.{_ATOM})*|\[[^\[\]\\\r\n]*\])'
)
# RFC 5435 §3.5: optionname "=" value.
_OPTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*=[^\r\n\x00]*")
# RFC 5436 §2.7: URI fields that must not reach the notification (and "bcc", which would
# add hidden recipients beyond the "to" and "cc" RFC 5436 names).
_IGNORED_FIELDS = frozenset(
    {"from", "auto-submitted", "received", "message-id", "date", "bcc", "sender"}
)


class MethodError(Exception):
    """A notification URI that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Mailto:
    """What a mailto URI (RFC 6068) asks for, as RFC 5436 §2.7 uses it."""

    recipients: tuple[str, ...]
    subject: str | None
    body: str | None
    ignored: tuple[str, ...]


def parse_method(uri: str) -> Mailto:
    """RFC 5435 §3.2: checks a notification URI; raises MethodError for an unsupported
    method or an invalid URI. Linear in the length of the URI."""
    scheme, colon, rest = uri.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme):
        raise MethodError(f"{_short(uri)} is not a URI")
    if scheme.lower() != "mailto":
        raise MethodError(f"the notification method {scheme.lower()!r} is not supported")
    if not _URI_CHARS.fullmatch(rest):
        raise MethodError(f"{_short(uri)} has characters a URI cannot hold")
    if _BAD_ESCAPE.search(rest):
        raise MethodError(f"{_short(uri)} has a broken %-escape")
    to_part, _, query = rest.partition("?")
    recipients: list[str] = []
    # RFC 6068 §2: to = addr-spec *("," addr-spec); each percent-decoded.
    if to_part:
        recipients.extend(_addresses(to_part.split(","), decode=True))
    subject: str | None = None
    body: str | None = None
    ignored: list[str] = []
    for item in query.split("&") if query else ():
        if not item:
            continue
        raw_name, _, raw_value = item.partition("=")
        name = unquote(raw_name, errors="replace").lower()
        value = unquote(raw_value, errors="replace")
        if not valid_field_name(name):  # RFC 5228 §2.4.2.2
            raise MethodError(f"{_short(uri)} has an invalid header name {name!r}")
        if name in ("to", "cc"):
            # RFC 5436 §2.7: the recipients are the "to" part and the to and cc fields.
            recipients.extend(_addresses(value.split(","), decode=False))
        elif name == "subject":
            subject = one_line(value) if subject is None else subject
        elif name == "body":
            body = value if body is None else body
        elif name in _IGNORED_FIELDS:
            ignored.append(name)
    unique: dict[str, str] = {}
    for address in recipients:
        unique.setdefault(address.lower(), address)
    return Mailto(tuple(unique.values()), subject, body, tuple(ignored))


def _addresses(items: list[str], decode: bool) -> list[str]:
    found = []
    for item in items:
        address = unquote(item, errors="replace") if decode else item
        if not _ADDR_SPEC.fullmatch(address):
            raise MethodError(f"{_short(address)} is not an email address")
        found.append(address)
    return found


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("notify")
def notify(run: Run, args: Args) -> None:
    method = run.string(args.positionals[0])
    try:
        mailto = parse_method(method)
    except MethodError as error:
        raise run.stop("bad-notify-method", f"notify: {error}") from None
    sender = ""
    if "from" in args.tags:
        sender = one_line(run.string(args.tags["from"])).strip()
        # RFC 5435 §3.3: a :from of the wrong syntax for the method is an error.
        if not single_mailbox(sender):
            raise run.stop("bad-notify-from", f"notify :from {_short(sender)} is not an address")
    importance = run.string(args.tags.get("importance"), "2").strip()
    if importance not in ("1", "2", "3"):
        raise run.stop("bad-notify-importance", f"notify :importance {_short(importance)}")
    options = run.strings(args.tags.get("options"))
    for option in options:
        if not _OPTION.fullmatch(option):
            raise run.stop(
                "bad-notify-option", f"notify :options {_short(option)} is not name=value"
            )
    if len(mailto.recipients) > MAX_RECIPIENTS:
        raise run.limit(
            "max_notify_recipients", f"a notification to more than {MAX_RECIPIENTS} recipients"
        )
    if mailto.ignored:
        run.warn("notify-ignored-fields", f"notify: ignored URI fields {', '.join(mailto.ignored)}")
    if not mailto.recipients:
        run.warn("notify-no-recipients", f"notify: {_short(method)} names no recipient")
        return
    # RFC 5436 §2.7: no notification about a message that is itself automatic.
    if is_auto_submitted(run):
        if run.tracing:
            run.event("notify", "no notification: the message is auto-submitted")
        return
    message = run.string(args.tags["message"]) if "message" in args.tags else _default(run)
    run.add(
        actions.Notify(
            method=method,
            sender=sender,
            importance=int(importance),
            message=message,
            options=options,
            recipients=list(mailto.recipients),
            subject=_subject(run, args, message, mailto),
            body=mailto.body or "",
        )
    )


def _default(run: Run) -> str:
    """RFC 5435 §3.6: the default message holds at least the From and the Subject."""
    sender = first_field(run, "from") or bare_path(run.envelope.mail_from) or "<>"
    subject = first_field(run, "subject")
    return f"{sender}: {subject}" if subject else sender


def _subject(run: Run, args: Args, message: str, mailto: Mailto) -> str:
    """RFC 5436 §2.7: :message, else the URI's subject, else the message's subject."""
    if "message" in args.tags:
        return one_line(message)
    if mailto.subject is not None:
        return mailto.subject
    return first_field(run, "subject")


@BEHAVIOUR.test("valid_notify_method")
def valid_notify_method(run: Run, args: Args) -> bool:
    # RFC 5435 §4: true when every URI is supported and valid, as notify would check it.
    for uri in run.strings(args.positionals[0]):
        try:
            parse_method(uri)
        except MethodError:
            return False
    return True


@BEHAVIOUR.test("notify_method_capability")
def notify_method_capability(run: Run, args: Args) -> bool:
    uri = run.string(args.positionals[0])
    capability = run.string(args.positionals[1]).lower()
    # RFC 5435 §5: false, never an error, for an invalid URI or an unknown capability.
    try:
        parse_method(uri)
    except MethodError:
        return False
    value = run.host.notify_method_capability(uri, capability)
    if value is None and capability == "online":
        # RFC 5436 §2.2: mailto cannot know whether the recipient is online.
        value = "maybe"
    if value is None:
        return False
    # RFC 5435 §5: for :count, the empty string counts 0 values.
    values = [] if value == "" and "count" in args.tags else [value]
    return run.match(args, values, args.positionals[2])
