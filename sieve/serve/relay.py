"""Hands copies to the next hop over SMTP (smtplib, run in a worker thread).

Every copy of one incoming message goes through one connection; the caller acknowledges
the message only when this returns, so a failure here means the sender keeps the message.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delivery:
    """One SMTP transaction to the next hop."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    kind: str = "keep"


class RelayError(Exception):
    """The next hop did not take every copy. `permanent` when it answered 5xx."""

    def __init__(self, text: str, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


def smtp_lines(data: bytes) -> bytes:
    """CRLF line ends (RFC 5321 §2.3.8): smtplib sends bytes as they are, and messages
    the email package serialised end lines with LF alone."""
    if data.count(b"\n") == data.count(b"\r\n"):
        return data
    return re.sub(rb"\r?\n", b"\r\n", data)


def relay(deliveries: list[Delivery], host: str, port: int, timeout: float, helo: str) -> None:
    """Sends every delivery or raises RelayError; refusing any recipient is a failure."""
    if not deliveries:
        return
    try:
        with smtplib.SMTP(host, port, local_hostname=helo, timeout=timeout) as client:
            for delivery in deliveries:
                refused = client.sendmail(
                    delivery.mail_from, list(delivery.recipients), smtp_lines(delivery.data)
                )
                if refused:
                    code = min(code for code, _ in refused.values())
                    raise RelayError(f"next hop refused {sorted(refused)}", code >= 500)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise RelayError(
            f"next hop refused {sorted(error.recipients)}", min(codes) >= 500
        ) from None
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode("utf-8", "replace") if error.smtp_error else ""
        raise RelayError(
            f"next hop said {error.smtp_code} {text}", error.smtp_code >= 500
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise RelayError(f"next hop unavailable: {error}") from None
