"""The messages a script asks the service to send: vacation replies, notifications and
reject notices. Built with the standard library's email package; sent with the null
return path so they can never cause a bounce loop."""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from typing import Any

from sieve.runtime import actions as act

_MAX_QUOTED_HEADERS = 64 * 1024


def _base(sender: str, recipient: str, subject: str, hostname: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=hostname)
    return message


def _clean(text: str, default: str = "") -> str:
    """A header value without line breaks (a script controls it)."""
    return " ".join(str(text).split())[:900] or default


def vacation_message(action: act.Vacation, original: Any, hostname: str) -> EmailMessage:
    # RFC 5230 §5: replies go to the envelope sender, "Auto-Submitted: auto-replied", and
    # In-Reply-To/References point at the original.
    subject = action.subject or f"Auto: {original.get('Subject', '')}"
    sender = action.sender or action.recipient or f"postmaster@{hostname}"
    message = _base(_clean(sender), "", _clean(subject, "Auto reply"), hostname)
    del message["To"]
    message["Auto-Submitted"] = "auto-replied"
    msgid = original.get("Message-ID")
    if msgid:
        message["In-Reply-To"] = _clean(msgid)
        message["References"] = _clean(msgid)
    message.set_content(action.reason or "")
    return message


def notify_message(action: act.Notify, hostname: str) -> EmailMessage:
    # RFC 5436 §2.7: notifications carry "Auto-Submitted: auto-notified".
    sender = action.sender or f"postmaster@{hostname}"
    subject = action.subject or action.message or "Notification"
    message = _base(_clean(sender), "", _clean(subject, "Notification"), hostname)
    del message["To"]
    message["Auto-Submitted"] = "auto-notified"
    message.set_content(action.body or action.message or "")
    return message


def reject_notice(
    reason: str, original: bytes, mail_from: str, recipient: str, sender: str, hostname: str
) -> Message:
    """RFC 5429 §2.1: a reject is answered with an MDN (RFC 8098) whose disposition is
    "deleted", the human-readable part carrying the reason, and the original headers."""
    report = MIMEMultipart("report", report_type="disposition-notification")
    for name, value in _base(sender, mail_from, "Message rejected", hostname).items():
        report[name] = value
    report["Auto-Submitted"] = "auto-replied"
    text = (
        f"Your message to {_clean(recipient)} was rejected by the recipient's mail "
        f"filter:\n\n{reason}\n"
    )
    report.attach(MIMEText(text, "plain", "us-ascii" if text.isascii() else "utf-8"))
    notification = MIMENonMultipart("message", "disposition-notification")
    notification.set_payload(
        f"Reporting-UA: {hostname}; sieve serve\n"
        f"Final-Recipient: rfc822; {_clean(recipient).encode('ascii', 'replace').decode()}\n"
        "Disposition: automatic-action/MDN-sent-automatically; deleted\n"
    )
    report.attach(notification)
    head = re.split(rb"\r?\n\r?\n", original, maxsplit=1)[0][:_MAX_QUOTED_HEADERS]
    headers = MIMENonMultipart("text", "rfc822-headers")
    headers.set_payload(head.decode("ascii", "replace").replace("\ufffd", "?") + "\n")
    report.attach(headers)
    return report
