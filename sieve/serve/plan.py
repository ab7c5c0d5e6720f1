"""What one recipient's filter outcome turns into: copies for the next hop, notices, or a
refusal. Pure functions over the hierarchy result, so the rules are tested without sockets."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

from sieve.runtime import actions as act
from sieve.serve.notices import notify_message, reject_notice, vacation_message
from sieve.serve.relay import Delivery

MAILBOX_HEADER = "X-Sieve-Mailbox"
FLAGS_HEADER = "X-Sieve-Flags"


@dataclass(slots=True)
class Plan:
    """`refusal` is an ereject reason (the SMTP reply refuses this recipient); otherwise
    the deliveries are what must reach the next hop before we may say 250."""

    decision: str
    deliveries: list[Delivery] = field(default_factory=list)
    refusal: str | None = None


def message_bytes(message: Any, original: bytes) -> bytes:
    """The message as the scripts left it (header edits), else the original."""
    if message is None or isinstance(message, bytes | bytearray):
        return bytes(message) if message is not None else original
    if isinstance(message, str):
        return message.encode("utf-8", "surrogateescape")
    as_bytes = getattr(message, "as_bytes", None)
    try:
        return bytes(as_bytes()) if as_bytes else original
    except Exception:  # noqa: BLE001 - an unencodable edit must not lose the message
        return original


def _strip_ours(data: bytes) -> bytes:
    """Drops X-Sieve-* headers the sender supplied: only we may tell the delivery agent
    where to file (a forged header would file mail anywhere)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    lines = head.splitlines(keepends=True)
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the field before
            if not skipping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        skipping = name in (b"x-sieve-mailbox", b"x-sieve-flags")
        if not skipping:
            kept.append(line)
    return b"".join(kept) + sep + body


def _with_headers(data: bytes, mailbox: str, flags: list[str]) -> bytes:
    safe = " ".join(mailbox.split())
    lines = f"{MAILBOX_HEADER}: {safe}\r\n"
    if flags:
        lines += f"{FLAGS_HEADER}: {' '.join(' '.join(flags).split())}\r\n"
    return lines.encode("utf-8", "replace") + data


def _implicit_keep(outcome: Any) -> tuple[bool, list[str]]:
    """Whether the implicit keep stands, and its flags. The script that decided the
    hierarchy may still keep implicitly: `redirect :copy` decides, yet RFC 3894 §3 leaves
    the implicit keep in force."""
    levels = getattr(outcome, "levels", None)
    if levels is None:  # a single script's Result
        return bool(outcome.implicit_keep), list(getattr(outcome, "implicit_keep_flags", []))
    if outcome.implicit_keep:
        last = levels[-1].result if levels else None
        return True, list(getattr(last, "implicit_keep_flags", []) or [])
    for level in levels:
        if level.level == outcome.decided_by:
            return bool(level.result.implicit_keep), list(level.result.implicit_keep_flags)
    return False, []


def plan_recipient(
    outcome: Any,
    recipient: str,
    mail_from: str,
    original: bytes,
    *,
    notice_from: str,
    hostname: str,
) -> Plan:
    """Maps the actions of the hierarchy for one recipient onto SMTP transactions."""
    actions: list[act.Action] = list(outcome.actions)
    data = _strip_ours(message_bytes(outcome.message, original))
    for action in actions:
        if isinstance(action, act.Ereject):
            # RFC 5429 §2.1.1: refuse in the protocol, with the reason.
            return Plan("ereject", refusal=action.reason or "rejected by the mail filter")
    keep, keep_flags = _implicit_keep(outcome)
    plan = Plan("keep" if keep else "none")
    parsed: Any = None

    def headers() -> Any:
        nonlocal parsed
        if parsed is None:
            parsed = message_from_bytes(original[:65536], policy=email_policy.compat32)
        return parsed

    decisions: list[str] = []
    filed = False
    for action in actions:
        if isinstance(action, act.Keep | act.FileInto):
            filed = True
            plan.deliveries.append(
                Delivery(mail_from, (recipient,), _with_headers(data, action.mailbox, action.flags))
            )
            decisions.append(f"{action.type}:{action.mailbox}")
        elif isinstance(action, act.Redirect):
            plan.deliveries.append(Delivery(mail_from, (action.address,), data, "redirect"))
            decisions.append(f"redirect:{action.address}")
        elif isinstance(action, act.Reject):
            decisions.append("reject")
            if mail_from:  # RFC 5429 §2.1: no notice to the null sender
                notice = reject_notice(
                    action.reason, original, mail_from, recipient, notice_from, hostname
                )
                plan.deliveries.append(Delivery("", (mail_from,), notice.as_bytes(), "notice"))
        elif isinstance(action, act.Discard | act.Jettison):
            decisions.append(action.type)
        elif isinstance(action, act.Vacation):
            if mail_from:  # RFC 5230 §4.5: never answer the null sender
                reply = vacation_message(action, headers(), hostname)
                plan.deliveries.append(Delivery("", (mail_from,), reply.as_bytes(), "vacation"))
                decisions.append("vacation")
        elif isinstance(action, act.Notify):
            recipients = tuple(action.recipients)
            if action.method.lower().startswith("mailto:") and recipients:
                note = notify_message(action, hostname)
                plan.deliveries.append(Delivery("", recipients, note.as_bytes(), "notify"))
                decisions.append("notify")
    if keep and not filed:
        # RFC 5228 §2.10.2: the implicit keep files into the default mailbox.
        copy = Delivery(mail_from, (recipient,), _with_headers(data, "INBOX", keep_flags))
        plan.deliveries.insert(0, copy)
        decisions.insert(0, "keep:INBOX")
    plan.decision = ",".join(decisions) or "none"
    return plan
