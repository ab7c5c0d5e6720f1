"""Real sockets on loopback: a downstream SMTP sink (aiosmtpd Controller), the service on an
ephemeral port (its own event loop in a thread), and helpers to send through it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from sieve.serve.config import Config
from sieve.serve.service import Service
from tests.mapping.conftest import memcached_factory  # noqa: F401 - a shared fixture


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes
    peer: tuple = ()  # the client's address: one per connection


@dataclass
class Sink:
    """The next hop: records every transaction; `stop()`/`start()` simulate an outage."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content,
                tuple(session.peer),
            )
        )
        return "250 2.0.0 stored"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, recipient: str) -> list[Received]:
        return [item for item in self.received if recipient in item.recipients]


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    server.start()
    yield server
    server.stop()


class RunningService:
    """A Service on its own event loop in a thread, as `sieve serve` runs it."""

    def __init__(self, config: Config) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.service = self.call(self._make, config)
        self.call(self.service.start)
        self.port = self.service.port

    async def _make(self, config: Config) -> Service:
        return Service(config)

    def call(self, function: Callable, *args: object) -> object:
        return asyncio.run_coroutine_threadsafe(function(*args), self.loop).result(timeout=30)

    def stop(self) -> None:
        self.call(self.service.stop, 5.0)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def start_service(sink: Sink) -> Iterator[Callable[..., RunningService]]:
    started: list[RunningService] = []

    def start(**settings: object) -> RunningService:
        values: dict = {"listen_port": 0, "next_port": sink.port, "poll_seconds": 0.05}
        values.update(settings)
        running = RunningService(Config(**values))
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def write_script(path: Path, text: str) -> Path:
    """Writes a script so that the poll sees a change even within one mtime tick."""
    path.write_text(text)
    stamp = time.time_ns() + len(text)
    import os

    os.utime(path, ns=(stamp, stamp))
    return path


def message(subject: str = "hello", sender: str = "alice@example.org", extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: bob@example.net\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\n{extra}\r\nHello Bob.\r\n"
    ).encode()
