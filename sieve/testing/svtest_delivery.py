"""Where an executed testsuite result goes: an in-memory mail store (mailboxes of messages)
and a capture of the mail that would have gone out by SMTP, as Pigeonhole's testsuite
keeps them in a temporary directory. `deliver` performs one action; what is sent is
composed here (redirects send the message itself; vacation replies, rejections and
mailto notifications are new messages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sieve.runtime import actions as act
from sieve.runtime.host import Envelope
from sieve.runtime.message import Message, encode_words

# What one test file may keep, so that a hostile file cannot fill the memory.
MAX_MESSAGES = 10_000
MAX_STORED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the executed result sent: its SMTP envelope and its bytes."""

    sender: str
    recipient: str
    data: bytes


@dataclass(slots=True)
class MailStore:
    """Mailboxes by name (INBOX always exists) and the outgoing mail, in order. The keys
    of `mailboxes` (a live view) are shared with the Hosts that answer `mailboxexists`."""

    mailboxes: dict[str, list[bytes]] = field(default_factory=lambda: {"INBOX": []})
    outbox: list[Sent] = field(default_factory=list)
    stored_bytes: int = 0

    def create(self, mailbox: str) -> None:
        self.mailboxes.setdefault(mailbox_key(mailbox), [])

    def exists(self, mailbox: str) -> bool:
        return mailbox_key(mailbox) in self.mailboxes

    def stored(self, mailbox: str, index: int) -> bytes | None:
        messages = self.mailboxes.get(mailbox_key(mailbox), [])
        return messages[index] if 0 <= index < len(messages) else None

    def sent(self, index: int) -> Sent | None:
        return self.outbox[index] if 0 <= index < len(self.outbox) else None

    def store(self, mailbox: str, data: bytes) -> str | None:
        """Stores a message (the mailbox must exist); returns why it could not."""
        if not self.exists(mailbox):
            return f"failed to store into mailbox {mailbox!r}: it does not exist"
        problem = self._room(data)
        if problem is None:
            self.mailboxes[mailbox_key(mailbox)].append(data)
        return problem

    def send(self, sender: str, recipient: str, data: bytes) -> str | None:
        problem = self._room(data)
        if problem is None:
            self.outbox.append(Sent(sender, recipient, data))
        return problem

    def empty(self) -> None:
        """Forgets every message; the mailboxes stay."""
        for mailbox in self.mailboxes:
            self.mailboxes[mailbox] = []
        self.outbox = []
        self.stored_bytes = 0

    def _room(self, data: bytes) -> str | None:
        count = len(self.outbox) + sum(map(len, self.mailboxes.values()))
        if count >= MAX_MESSAGES or self.stored_bytes + len(data) > MAX_STORED_BYTES:
            return "the testsuite's mail store is full"
        self.stored_bytes += len(data)
        return None


def mailbox_key(mailbox: str) -> str:
    # RFC 3501 §5.1: INBOX is case-insensitive, other mailbox names are not.
    return "INBOX" if mailbox.upper() == "INBOX" else mailbox


def deliver(
    store: MailStore, action: act.Action, data: bytes, envelope: Envelope, message: Message
) -> str | None:
    """Performs one action of a result on `data` (the message as the script left it);
    returns why it failed. Actions that only change the message, or the score, do
    nothing here: their effect is in `data` already."""
    if isinstance(action, act.Keep):
        return store.store(action.mailbox or "INBOX", data)
    if isinstance(action, act.FileInto):
        # RFC 5490 §3.2: :create makes a mailbox that does not exist yet.
        if action.create:
            store.create(action.mailbox)
        return store.store(action.mailbox, data)
    if isinstance(action, act.Redirect):
        # RFC 5228 §4.2: the message goes on unchanged, with the same envelope sender.
        return store.send(envelope.mail_from, action.address, data)
    if isinstance(action, act.Reject | act.Ereject):
        # RFC 5429 §2.1: the refusal goes back to the envelope sender, never to <>.
        if not envelope.mail_from:
            return None
        return store.send("", envelope.mail_from, _rejection(envelope, message, action.reason))
    if isinstance(action, act.Vacation):
        # RFC 5230 §5: replies go out with the null sender, so nobody answers them.
        return store.send("", action.recipient, _vacation_reply(envelope, action))
    if isinstance(action, act.Notify):
        for recipient in action.recipients:
            problem = store.send("", recipient, _notification(envelope, action, recipient))
            if problem:
                return problem
    return None


def compose(fields: Sequence[tuple[str, str]], body: str, mime: bool = False) -> bytes:
    """A message from header fields and a body. Each value stays on one line, so nothing
    a script wrote can add a field; a Subject that is not ASCII is RFC 2047 encoded,
    addresses stay UTF-8 (RFC 6532), where encoding would break them. With `mime`, the
    body begins with its own MIME header fields (vacation's :mime)."""
    lines = []
    for name, value in fields:
        flat = " ".join(value.splitlines()).strip()
        lines.append(f"{name}: {encode_words(flat) if name == 'Subject' else flat}")
    lines.append("MIME-Version: 1.0")
    if not mime:
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", ""]
    text = "\n".join(lines) + "\n" + body.replace("\r\n", "\n")
    return text.encode("utf-8", "surrogateescape")


def _vacation_reply(envelope: Envelope, action: act.Vacation) -> bytes:
    # RFC 5230 §5: the reply's From, To, Subject, In-Reply-To and Auto-Submitted fields.
    fields = [
        ("From", action.sender or envelope.rcpt_to),
        ("To", action.recipient),
        ("Subject", action.subject),
        ("Auto-Submitted", "auto-replied (vacation)"),
    ]
    if action.in_reply_to:
        fields += [("In-Reply-To", action.in_reply_to), ("References", action.in_reply_to)]
    return compose(fields, action.reason, mime=action.mime)


def _rejection(envelope: Envelope, message: Message, reason: str) -> bytes:
    subjects = message.header("subject")
    fields = [
        ("From", f"postmaster@{_domain(envelope.rcpt_to)}"),
        ("To", envelope.mail_from),
        ("Subject", f"Rejected: {subjects[0] if subjects else '(no subject)'}"),
        ("Auto-Submitted", "auto-replied (rejected)"),
    ]
    body = f"Your message to <{envelope.rcpt_to}> was rejected:\n\n{reason}\n"
    return compose(fields, body)


def _notification(envelope: Envelope, action: act.Notify, recipient: str) -> bytes:
    # RFC 5436 §2.7: a mailto notification is marked Auto-Submitted: auto-notified.
    fields = [
        ("From", action.sender or f"postmaster@{_domain(envelope.rcpt_to)}"),
        ("To", recipient),
        ("Subject", action.subject or action.message),
        ("Auto-Submitted", "auto-notified"),
    ]
    return compose(fields, action.body or action.message)


def _domain(address: str) -> str:
    return address.rpartition("@")[2] or "example.com"
