"""Hands copies to the next hop over SMTP (smtplib, run in worker threads).

Every copy of one incoming message goes through one connection; the caller acknowledges
the message only when `NextHop.send` returns, so a failure here means the sender keeps the
message. Connections are kept open between messages (a handshake, and with STARTTLS a TLS
negotiation, per message would cost more than filtering it); an idle one is checked with
RSET before it is used again and replaced when the next hop has closed it.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Delivery:
    """One SMTP transaction to the next hop."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    kind: str = "keep"


@dataclass(frozen=True, slots=True)
class NextHopSettings:
    """Where and how to connect. `password` is read from a file by the configuration, so
    the configuration file itself holds no secret."""

    host: str = "127.0.0.1"
    port: int = 10026
    timeout: float = 30.0
    helo: str = "localhost"
    starttls: bool = False
    tls_verify: bool = True
    ca_file: Path | None = None
    username: str | None = None
    password: str | None = None
    pool_size: int = 4
    idle_seconds: float = 30.0


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


class NextHop:
    """A pool of SMTP connections to the next hop, safe to use from several threads."""

    def __init__(self, settings: NextHopSettings) -> None:
        self.settings = settings
        self._idle: list[tuple[float, smtplib.SMTP]] = []
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self.connections_opened = 0

    def send(self, deliveries: list[Delivery]) -> None:
        """Sends every delivery or raises RelayError; refusing any recipient is a failure."""
        if not deliveries:
            return
        client: smtplib.SMTP | None = None
        try:
            client = self._checkout()
            for delivery in deliveries:
                refused = client.sendmail(
                    delivery.mail_from, list(delivery.recipients), smtp_lines(delivery.data)
                )
                if refused:
                    code = min(code for code, _ in refused.values())
                    raise RelayError(f"next hop refused {sorted(refused)}", code >= 500)
        except BaseException as error:
            if client is not None:
                client.close()  # its state is unknown after a failure: never reuse it
            raise _relay_error(error) from None
        self._checkin(client)

    def close(self) -> None:
        """Ends the idle connections politely (QUIT)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for _, client in idle:
            _close(client)

    def _checkout(self) -> smtplib.SMTP:
        while True:
            with self._lock:
                if not self._idle:
                    break
                since, client = self._idle.pop()
            if time.monotonic() - since > self.settings.idle_seconds:
                client.close()  # the next hop has likely timed it out already
                continue
            try:
                # RSET (RFC 5321 §4.1.1.5) both checks that the next hop still listens
                # and clears any transaction state before the next MAIL FROM.
                code, _ = client.rset()
            except (smtplib.SMTPException, OSError):
                client.close()
                continue
            if code == 250:
                return client
            client.close()
        return self._connect()

    def _checkin(self, client: smtplib.SMTP) -> None:
        with self._lock:
            if len(self._idle) < self.settings.pool_size:
                self._idle.append((time.monotonic(), client))
                return
        _close(client)

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        client = smtplib.SMTP(
            settings.host, settings.port, local_hostname=settings.helo, timeout=settings.timeout
        )
        with self._lock:  # several relay threads connect at once
            self.connections_opened += 1
        try:
            if settings.starttls:
                client.starttls(context=self._tls_context())
                client.ehlo()  # RFC 3207 §4.2: the session starts over after STARTTLS
            if settings.username is not None:
                client.login(settings.username, settings.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            settings = self.settings
            context = ssl.create_default_context(
                cafile=str(settings.ca_file) if settings.ca_file else None
            )
            if not settings.tls_verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._tls = context
        return self._tls


def _relay_error(error: BaseException) -> BaseException:
    """What a failed send tells the handler: RelayError, or the error itself when it is
    not about the next hop (a bug must not pass for a network problem)."""
    if isinstance(error, RelayError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return RelayError(f"next hop refused {sorted(error.recipients)}", min(codes) >= 500)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return RelayError(f"next hop refused our login: {error.smtp_code}")
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if error.smtp_error else ""
        return RelayError(f"next hop said {error.smtp_code} {text}", error.smtp_code >= 500)
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return RelayError(f"TLS with the next hop failed: {error}")
    if isinstance(error, TimeoutError | smtplib.SMTPException | OSError):
        return RelayError(f"next hop unavailable: {error}")
    return error


def _close(client: smtplib.SMTP) -> None:
    """QUIT, for a connection known to be good; close() alone for any other."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
