"""The relay to the next hop: kept-open connections, STARTTLS and AUTH, against real
aiosmtpd servers on loopback."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sieve.serve.config import ConfigError, config_from, next_hop_settings
from sieve.serve.relay import Delivery, NextHop, NextHopSettings, RelayError
from tests.serve.conftest import Sink, free_port


def delivery(subject: str) -> Delivery:
    data = f"From: a@example.org\r\nSubject: {subject}\r\n\r\nbody\r\n".encode()
    return Delivery("a@example.org", ("b@example.net",), data)


def test_messages_share_one_connection_while_the_next_hop_keeps_it(sink: Sink) -> None:
    hop = NextHop(NextHopSettings(port=sink.port))
    for n in range(5):
        hop.send([delivery(f"m{n}"), delivery(f"copy {n}")])
    assert len(sink.received) == 10
    assert len({item.peer for item in sink.received}) == 1
    assert hop.connections_opened == 1
    hop.close()


def test_a_connection_the_next_hop_dropped_is_replaced_not_reported(sink: Sink) -> None:
    hop = NextHop(NextHopSettings(port=sink.port))
    hop.send([delivery("before")])
    sink.stop()  # the next hop restarts: the kept connection is dead
    sink.start()
    hop.send([delivery("after")])
    assert [r.data.split(b"Subject: ")[1][:5] for r in sink.received] == [b"befor", b"after"]
    assert hop.connections_opened == 2
    hop.close()


def test_without_a_pool_every_message_has_its_own_connection(sink: Sink) -> None:
    hop = NextHop(NextHopSettings(port=sink.port, pool_size=0))
    for n in range(3):
        hop.send([delivery(f"m{n}")])
    assert len({item.peer for item in sink.received}) == 3


def test_a_next_hop_that_is_down_is_a_temporary_relay_error() -> None:
    hop = NextHop(NextHopSettings(port=free_port(), timeout=2))
    with pytest.raises(RelayError) as caught:
        hop.send([delivery("x")])
    assert not caught.value.permanent and "unavailable" in str(caught.value)


# STARTTLS and AUTH


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class SecureSink(Sink):
    """A next hop that requires STARTTLS and AUTH (user "filter", password "s3cret")."""

    logins: list[str]

    def __init__(self, certificate: tuple[Path, Path]) -> None:
        super().__init__()
        self.certificate = certificate
        self.logins = []
        self.tls: list[bool] = []

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
        if isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"filter",
            b"s3cret",
        ):
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.tls.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)

    def start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, self.certificate))
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=self.authenticate,
            auth_require_tls=True,
        )
        self.controller.start()


@pytest.fixture
def secure_sink(certificate: tuple[Path, Path]) -> Iterator[SecureSink]:
    server = SecureSink(certificate)
    server.start()
    yield server
    server.stop()


def secure_settings(sink: SecureSink, **changes: Any) -> NextHopSettings:
    values: dict[str, Any] = {
        "port": sink.port,
        "starttls": True,
        "ca_file": sink.certificate[0],
        "username": "filter",
        "password": "s3cret",
    }
    values.update(changes)
    return NextHopSettings(**values)


def test_starttls_and_auth_reach_a_next_hop_that_requires_both(secure_sink: SecureSink) -> None:
    hop = NextHop(secure_settings(secure_sink))
    hop.send([delivery("one")])
    hop.send([delivery("two")])
    assert len(secure_sink.received) == 2 and secure_sink.tls == [True, True]
    assert secure_sink.logins == ["filter"]  # one login: the connection was kept
    hop.close()


def test_without_starttls_the_next_hop_refuses_and_the_sender_retries(
    secure_sink: SecureSink,
) -> None:
    hop = NextHop(NextHopSettings(port=secure_sink.port))
    with pytest.raises(RelayError) as caught:
        hop.send([delivery("x")])
    assert not secure_sink.received and "530" in str(caught.value)


def test_a_wrong_password_is_a_temporary_error(secure_sink: SecureSink) -> None:
    hop = NextHop(secure_settings(secure_sink, password="wrong"))
    with pytest.raises(RelayError) as caught:
        hop.send([delivery("x")])
    assert not caught.value.permanent and "login" in str(caught.value)
    assert not secure_sink.received


def test_an_untrusted_certificate_is_refused_unless_verification_is_off(
    secure_sink: SecureSink,
) -> None:
    untrusted = NextHop(secure_settings(secure_sink, ca_file=None))
    with pytest.raises(RelayError, match="TLS"):
        untrusted.send([delivery("x")])
    trusting = NextHop(secure_settings(secure_sink, ca_file=None, tls_verify=False))
    trusting.send([delivery("y")])
    assert len(secure_sink.received) == 1


# Configuration


def test_next_hop_settings_come_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n")
    document = {
        "next_hop": {
            "host": "mx.internal",
            "starttls": True,
            "ca_file": "ca.pem",
            "username": "filter",
            "password_file": "secret",
            "pool_size": 0,
        }
    }
    settings = next_hop_settings(config_from(document, tmp_path))
    assert (settings.host, settings.starttls, settings.username) == ("mx.internal", True, "filter")
    assert settings.password == "s3cret" and settings.ca_file == tmp_path / "ca.pem"
    assert settings.pool_size == 0 and settings.tls_verify is True


@pytest.mark.parametrize(
    ("next_hop", "complaint"),
    [
        ({"username": "filter"}, "go together"),
        ({"username": "filter", "password_file": "secret"}, "needs next_hop.starttls"),
        ({"starttls": "yes"}, "true or false"),
        ({"pool_size": -1}, "negative"),
    ],
)
def test_unsafe_or_wrong_next_hop_settings_are_refused(
    tmp_path: Path, next_hop: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ConfigError, match=complaint):
        config_from({"next_hop": next_hop}, tmp_path)


def test_a_missing_password_file_is_reported_at_start(tmp_path: Path) -> None:
    config = config_from(
        {"next_hop": {"starttls": True, "username": "u", "password_file": "nope"}}, tmp_path
    )
    with pytest.raises(ConfigError, match="password_file"):
        next_hop_settings(config)
