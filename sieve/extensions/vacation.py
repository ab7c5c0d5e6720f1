"""RFC 5230: the `vacation` action, an auto-responder that answers each sender at most once
per period (":days") with the given reason.

Whether to answer is decided here, at run time, from the message and the envelope: the
checks of RFC 5230 §4.5 and §4.6 keep an auto-responder out of mail loops and off mailing
lists. A reply that is not sent leaves no action; with tracing on, an event says why."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.runtime import actions
from sieve.runtime.addresses import parse_address_list
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.compiler.program import Constant
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

# RFC 6131 §2: vacation-seconds adds `:seconds`, and "only one of :days and :seconds is
# allowed". The group is named here so that vacation_seconds.py can put :seconds in it.
PERIOD = "vacation-period"

EXTENSION = Extension(
    capability="vacation",
    summary="RFC 5230: the vacation auto-responder",
    commands=(
        # RFC 5230 §4: `vacation [":days" number] [":subject" string] [":from" string]
        #                [":addresses" string-list] [":mime"] [":handle" string]
        #                <reason: string>`.
        CommandSpec(
            "vacation",
            Signature(
                (Positional("reason", Arg.STRING),),
                tags=(
                    Tag("days", Arg.NUMBER, group=PERIOD),
                    Tag("subject", Arg.STRING),
                    Tag("from", Arg.STRING),
                    Tag("addresses", Arg.STRING_LIST),
                    # The reason is a whole MIME entity (headers and body), not plain text.
                    Tag("mime"),
                    Tag("handle", Arg.STRING),
                ),
            ),
        ),
    ),
)

DAY = 86_400
# RFC 5230 §4.1: the default period is 7 days; a site minimum must be above 0 (normally
# 1 day), a site maximum above 7 days (and should be above 30). Values outside are clamped.
DEFAULT_DAYS = 7
MIN_DAYS = 1
MAX_DAYS = 90
# RFC 6131 §2: 0 <= :seconds < 2**31, where 0 means "reply to every message"; a site
# maximum must be at least one day.
MAX_SECONDS = MAX_DAYS * DAY

# RFC 5230 §4.5: the fields that say whom a message was sent to.
RECIPIENT_FIELDS = ("to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc")
# RFC 5230 §4.6 (with RFC 2369 and RFC 2919): a message from a mailing list has one of these.
LIST_FIELDS = (
    "list-id",
    "list-help",
    "list-subscribe",
    "list-unsubscribe",
    "list-post",
    "list-owner",
    "list-archive",
)
# RFC 5230 §4.6 (RFC 3834 §2): Precedence values of bulk mail.
BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
# RFC 5230 §4.6: senders that are programs, not people (compared without case).
SYSTEM_SENDERS = frozenset({"mailer-daemon", "listserv", "majordomo"})
DEFAULT_SUBJECT = "Automated reply"

_LINE_BREAKS = re.compile(r"[\r\n\x00]+")

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("vacation")
def vacation(run: Run, args: Args) -> None:
    reason = run.string(args.positionals[0])
    period = _period(run, args)
    handle = run.string(args.tags["handle"]) if "handle" in args.tags else default_handle(args)
    # RFC 5230 §5: the reply goes to the envelope sender (the return path).
    recipient = bare_path(run.envelope.mail_from)
    user = _user_addresses(run, args)
    why_not = _why_not(run, recipient, user)
    key = reply_key(recipient, handle)
    # RFC 6131 §2: with ":seconds 0" every message is answered; nothing is tracked.
    if why_not is None and period > 0 and run.host.vacation_sent(key, period, False):
        why_not = f"{recipient} was already answered (handle {handle!r}) within {period} s"
    if why_not is not None:
        if run.tracing:
            run.event("vacation", f"no reply: {why_not}")
        return
    run.add(
        actions.Vacation(
            recipient=recipient,
            sender=_reply_from(run, args),
            subject=_subject(run, args),
            reason=reason,
            period_seconds=period,
            handle=handle,
            mime="mime" in args.tags,
            in_reply_to=first_field(run, "message-id"),
        )
    )
    if period > 0:
        # RFC 5230 §4.2: remember the reply only once it is really sent, that is when the
        # run that made it succeeds.
        run.on_success(lambda: run.host.vacation_sent(key, period, True))


def _period(run: Run, args: Args) -> int:
    """The reply period in seconds, with the site limits of RFC 5230 §4.1 and RFC 6131 §2."""
    if "seconds" in args.tags:
        return max(0, min(run.number(args.tags["seconds"]), MAX_SECONDS))
    if "days" in args.tags:
        return max(MIN_DAYS, min(run.number(args.tags["days"]), MAX_DAYS)) * DAY
    return DEFAULT_DAYS * DAY


def _why_not(run: Run, recipient: str, user: set[str]) -> str | None:
    """Why this message must not be answered, or None. RFC 5230 §4.5 and §4.6."""
    if not recipient:
        return "the sender is the null path <>"
    local, at, domain = recipient.rpartition("@")
    if not at or not local or not domain:
        return f"the sender {recipient!r} is not an address"
    if _is_system_sender(local):
        return f"the sender {recipient} is a mail system address"
    if recipient.lower() in user:
        return f"the sender {recipient} is one of the user's own addresses"
    if is_auto_submitted(run):
        return "the message is auto-submitted"
    precedence = next(
        (v for v in run.header("precedence") if v.strip().lower() in BULK_PRECEDENCE), None
    )
    if precedence is not None:
        return f"the message has Precedence: {precedence.strip()}"
    listed = next((name for name in LIST_FIELDS if run.message.has_header(name)), None)
    if listed is not None:
        return f"the message comes from a mailing list (it has a {listed} field)"
    if not _addressed_to(run, user):
        return "none of the user's addresses is in To, Cc, Bcc or Resent-To/Cc/Bcc"
    return None


def _is_system_sender(local: str) -> bool:
    local = local.lower()
    return local in SYSTEM_SENDERS or local.startswith("owner-") or local.endswith("-request")


def is_auto_submitted(run: Run) -> bool:
    """RFC 3834 §5: a message is automatic unless every Auto-Submitted field says "no"
    (parameters and comments after the keyword do not count). RFC 5230 §4.6 and RFC 5436
    §2.7 answer and notify only messages of people."""
    for value in run.header("auto-submitted"):
        keyword = re.split(r"[\s;(]", value.strip(), maxsplit=1)[0]
        if keyword.lower() != "no":
            return True
    return False


def _user_addresses(run: Run, args: Args) -> set[str]:
    """RFC 5230 §4.5: the user's own addresses: the envelope recipient (and the original
    one) plus :addresses, lower-cased for comparing."""
    found = {bare_path(run.envelope.rcpt_to), bare_path(run.envelope.orig_to or "")}
    if "addresses" in args.tags:
        found.update(bare_path(address) for address in run.strings(args.tags["addresses"]))
    return {address.lower() for address in found if address}


def _addressed_to(run: Run, user: set[str]) -> bool:
    for name in RECIPIENT_FIELDS:
        run.raw_header(name)  # counted as read
        for address in run.message.addresses(name):
            if address.valid and address.domain is not None and address.all.lower() in user:
                return True
    return False


def _subject(run: Run, args: Args) -> str:
    """RFC 5230 §4.3: :subject, else "Auto: " and the subject of the message."""
    if "subject" in args.tags:
        return one_line(run.string(args.tags["subject"]))
    original = first_field(run, "subject")
    return f"Auto: {original}" if original else DEFAULT_SUBJECT


def _reply_from(run: Run, args: Args) -> str:
    """RFC 5230 §4.4: :from when it is one valid address; else the user's address (the
    envelope recipient), as the reply would carry by default."""
    if "from" in args.tags:
        text = one_line(run.string(args.tags["from"])).strip()
        if single_mailbox(text):
            return text
        run.warn("bad-vacation-from", f"vacation :from {text!r} is not an address; not used")
    return bare_path(run.envelope.rcpt_to)


def first_field(run: Run, name: str) -> str:
    """The first field of that name, decoded, on one line and trimmed ("" when none)."""
    values = run.header(name)
    return one_line(values[0]).strip() if values else ""


def default_handle(args: Args) -> str:
    """RFC 5230 §4.2: without :handle, replies are told apart by :subject, :from, :mime
    and the reason. The script's text is used, before `${...}` expansion, so that one
    vacation command is one reply whatever the variables hold (as in Pigeonhole)."""
    parts = (
        _source(args.tags.get("subject"), "subject" in args.tags),
        _source(args.tags.get("from"), "from" in args.tags),
        "mime" if "mime" in args.tags else "",
        _source(args.positional(0), True),
    )
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass"))
    return "default-" + digest.hexdigest()[:16]


def _source(constant: Constant | None, present: bool) -> str:
    if not present:
        return "\x01"
    if constant is None:
        return ""
    value = constant.value
    return "\x02".join(value) if isinstance(value, tuple) else str(value)


def reply_key(recipient: str, handle: str) -> str:
    """RFC 5230 §4.2: one reply per sender and handle; hashed, so any store can hold it."""
    text = f"{recipient.lower()}\x00{handle}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def bare_path(path: str) -> str:
    """An envelope path without its angle brackets; "<>" is the empty (null) path."""
    path = path.strip()
    if path.startswith("<") and path.endswith(">"):
        path = path[1:-1].strip()
    return path


def single_mailbox(text: str) -> bool:
    """Whether `text` is exactly one RFC 5322 mailbox with a domain ("a@b" or
    "Name <a@b>"), as a From field needs."""
    if not text or len(text) > 998:
        return False
    found = parse_address_list(text)
    return len(found) == 1 and found[0].valid and bool(found[0].domain)


def one_line(text: str) -> str:
    """A header value from a script or a decoded field cannot carry line breaks (they
    would add header fields to the reply)."""
    return _LINE_BREAKS.sub(" ", text)
