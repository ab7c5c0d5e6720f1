"""The actions a run produces, and the rules that combine them: which cancel the implicit
keep (RFC 5228 §2.10.2), which merge as duplicates (§2.10.3), which conflict (§4.2, RFC 5429
§2.1, RFC 5230 §4.7), and the per-run limits on them. Conflicts behave as in Dovecot
Pigeonhole, the reference for what the RFCs leave open: a conflict is a run-time error."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(slots=True)
class Action:
    type: ClassVar[str] = ""
    # RFC 5228 §2.10.2: delivering, redirecting, discarding or refusing the message
    # cancels the implicit keep; `:copy` (RFC 3894) does not.
    cancels_keep: ClassVar[bool] = False
    line: int = field(default=0, kw_only=True, compare=False)

    def key(self) -> tuple[Any, ...] | None:
        """Two actions with the same key are one (RFC 5228 §2.10.3); None never merges."""
        return None

    def merge(self, other: Action) -> None:
        """Folds a duplicate into this action (flags add up, as in Pigeonhole)."""

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"type": self.type}
        for item in fields(self):
            if item.name != "line":
                value = getattr(self, item.name)
                document[item.name] = list(value) if isinstance(value, tuple) else value
        return document


def _merge_flags(into: list[str], more: list[str]) -> None:
    known = {flag.lower() for flag in into}
    for flag in more:
        if flag.lower() not in known:
            into.append(flag)
            known.add(flag.lower())


@dataclass(slots=True)
class Keep(Action):
    type: ClassVar[str] = "keep"
    cancels_keep: ClassVar[bool] = True
    mailbox: str = "INBOX"
    flags: list[str] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        # A keep and a fileinto into the same mailbox store the message once.
        return ("store", _mailbox_key(self.mailbox))

    def merge(self, other: Action) -> None:
        _merge_flags(self.flags, getattr(other, "flags", []))


@dataclass(slots=True)
class FileInto(Action):
    type: ClassVar[str] = "fileinto"
    mailbox: str = "INBOX"
    flags: list[str] = field(default_factory=list)
    copy: bool = False
    create: bool = False

    @property
    def cancels_keep(self) -> bool:  # type: ignore[override]
        return not self.copy

    def key(self) -> tuple[Any, ...]:
        return ("store", _mailbox_key(self.mailbox))

    def merge(self, other: Action) -> None:
        _merge_flags(self.flags, getattr(other, "flags", []))
        self.create = self.create or getattr(other, "create", False)
        # Stored once: only a copy if every duplicate was one.
        self.copy = self.copy and getattr(other, "copy", False)


@dataclass(slots=True)
class Redirect(Action):
    type: ClassVar[str] = "redirect"
    address: str = ""
    copy: bool = False

    @property
    def cancels_keep(self) -> bool:  # type: ignore[override]
        return not self.copy

    def key(self) -> tuple[Any, ...]:
        return ("redirect", _address_key(self.address))

    def merge(self, other: Action) -> None:
        # Sent once: only a copy if every duplicate was one.
        self.copy = self.copy and getattr(other, "copy", False)


@dataclass(slots=True)
class Reject(Action):
    type: ClassVar[str] = "reject"
    cancels_keep: ClassVar[bool] = True
    reason: str = ""


@dataclass(slots=True)
class Ereject(Action):
    type: ClassVar[str] = "ereject"
    cancels_keep: ClassVar[bool] = True
    reason: str = ""


@dataclass(slots=True)
class Discard(Action):
    type: ClassVar[str] = "discard"
    cancels_keep: ClassVar[bool] = True

    def key(self) -> tuple[Any, ...]:
        return ("discard",)


@dataclass(slots=True)
class Vacation(Action):
    """RFC 5230 §5: an auto-reply to `recipient` (the envelope sender). It never cancels
    the implicit keep (§4.7). `handle` and `period_seconds` are what the Host's reply
    memory was asked about; `mime` says `reason` is a whole MIME entity."""

    type: ClassVar[str] = "vacation"
    recipient: str = ""
    # "from" is a keyword; to_dict renames the field.
    sender: str = ""
    subject: str = ""
    reason: str = ""
    period_seconds: int = 0
    handle: str = ""
    mime: bool = False
    # RFC 5230 §5: the reply refers (In-Reply-To, References) to the Message-ID it answers.
    in_reply_to: str = ""

    def to_dict(self) -> dict[str, Any]:
        document = Action.to_dict(self)
        document["from"] = document.pop("sender")
        return document


@dataclass(slots=True)
class Notify(Action):
    """RFC 5435 §3: a notification. For the mailto method (RFC 5436 §2.7) `recipients`
    are the addresses of the URI's "to" part and its to/cc fields, `subject` and `body`
    the notification's; `message` is the :message text or the default one."""

    type: ClassVar[str] = "notify"
    method: str = ""
    sender: str = ""
    importance: int = 2
    message: str = ""
    options: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""

    def key(self) -> tuple[Any, ...]:
        # RFC 5435 §7: a method may collapse notifications of one script into one; as in
        # Pigeonhole, a second notification to the same recipients is not sent again.
        # The local part of an address is case-sensitive (RFC 5321 §2.4), the domain not.
        return ("notify", tuple(sorted({_address_key(r) for r in self.recipients})) or self.method)

    def to_dict(self) -> dict[str, Any]:
        document = Action.to_dict(self)
        document["from"] = document.pop("sender")
        return document


@dataclass(slots=True)
class AddHeader(Action):
    """RFC 5293 §4: a field added to the header, at the top or (`last`) at the bottom. The
    value is what goes into the header: RFC 2047 encoded when it has to be, unfolded."""

    type: ClassVar[str] = "addheader"
    name: str = ""
    value: str = ""
    last: bool = False


@dataclass(slots=True)
class DeleteHeader(Action):
    """RFC 5293 §5: fields of one name deleted (the `index`th one, from the end with
    `last`, when given; those matching a value pattern, when there are patterns), and how
    many went."""

    type: ClassVar[str] = "deleteheader"
    name: str = ""
    index: int | None = None
    last: bool = False
    value_patterns: list[str] = field(default_factory=list)
    deleted: int = 0


@dataclass(slots=True)
class Jettison(Action):
    """Oracle Messaging Server: throw the message away, silently and for every recipient."""

    type: ClassVar[str] = "jettison"
    cancels_keep: ClassVar[bool] = True

    def key(self) -> tuple[Any, ...]:
        return ("jettison",)


@dataclass(slots=True)
class AddTag(Action):
    """Oracle Messaging Server: a tag added to the Subject line."""

    type: ClassVar[str] = "addtag"
    tag: str = ""

    def key(self) -> tuple[Any, ...]:
        return ("addtag", self.tag)


@dataclass(slots=True)
class SpamAdjust(Action):
    """Oracle Messaging Server: adjusts the message's spam score."""

    type: ClassVar[str] = "spamadjust"
    value: str = ""


def _address_key(address: str) -> str:
    """An address as duplicates compare: the local part is case-sensitive (RFC 5321
    §2.4), the domain is not."""
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else address


def _mailbox_key(mailbox: str) -> str:
    # RFC 3501 §5.1: INBOX is case-insensitive, other names are not.
    return "INBOX" if mailbox.upper() == "INBOX" else mailbox


# RFC 5228 §4.2, RFC 5429 §2.1: refusing the message excludes delivering it anywhere.
DELIVERS = (Keep, FileInto, Redirect)
_REFUSES = (Reject, Ereject)


def conflict(existing: list[Action], new: Action) -> str | None:
    """Why `new` cannot join `existing`, in the words Pigeonhole's users know, or None."""
    for old in existing:
        if isinstance(new, _REFUSES) and isinstance(old, _REFUSES):
            return f"a second reject/ereject is not allowed (the first is on line {old.line})"
        if isinstance(new, _REFUSES) and isinstance(old, DELIVERS):
            return (
                f"reject/ereject conflicts with the {old.type} action on line {old.line}, "
                "which delivers the message"
            )
        if isinstance(new, DELIVERS) and isinstance(old, _REFUSES):
            return (
                f"{new.type} conflicts with the {old.type} action on line {old.line}, "
                "which refuses the message"
            )
        # RFC 5230 §4.7: one vacation per run; it also answers the sender as reject does.
        if isinstance(new, Vacation) and isinstance(old, Vacation):
            return f"a second vacation is not allowed (the first is on line {old.line})"
        if {type(new), type(old)} & {Vacation} and {type(new), type(old)} & set(_REFUSES):
            return (
                f"{new.type} conflicts with the {old.type} action on line {old.line}: "
                "both answer the sender"
            )
    return None


def merge_duplicate(
    actions: list[Action],
    index: dict[tuple[Any, ...], Action],
    key: tuple[Any, ...],
    action: Action,
) -> bool:
    """RFC 5228 §2.10.3: folds `action`, whose key is `key`, into the earlier action of
    `actions` with that key (`index` maps keys to them); False when there is none, and
    the caller adds it."""
    existing = index.get(key)
    if existing is None:
        return False
    if isinstance(existing, FileInto) and isinstance(action, Keep):
        # keep and fileinto "INBOX" store once; the keep, which cancels, stays.
        action.merge(existing)
        actions[actions.index(existing)] = action
        index[key] = action
    else:
        existing.merge(action)
    return True


def cancels_implicit_keep(actions: list[Action]) -> bool:
    return any(action.cancels_keep for action in actions)


@dataclass(slots=True)
class Enclose(Action):
    """RFC 5703 §6: the message becomes the message/rfc822 attachment of a new one whose
    first part is `text`; `subject` is the new Subject and `headers` what :headers asked
    for. Later actions deliver the new message; redirect is not affected."""

    type: ClassVar[str] = "enclose"
    subject: str = ""
    headers: list[str] = field(default_factory=list)
    text: str = ""


@dataclass(slots=True)
class Replace(Action):
    """RFC 5703 §5: the body of the message (`part` None) or of the MIME part with that
    index is replaced by `replacement`, a text/plain UTF-8 body, or with `mime` a whole
    MIME entity. `subject` and `sender` (shown as "from") are the new Subject and From of
    a whole-message replacement; the old fields are kept as Original-Subject/-From."""

    type: ClassVar[str] = "replace"
    replacement: str = ""
    mime: bool = False
    subject: str = ""
    sender: str = ""
    part: int | None = None

    def to_dict(self) -> dict[str, Any]:
        document = Action.to_dict(self)
        document["from"] = document.pop("sender")
        return document
