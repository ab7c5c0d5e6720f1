"""Wiring: the listener, the script store and its reloads, the Host, metrics, signals.

SIGHUP reloads the scripts now; SIGTERM (or SIGINT) stops accepting connections, lets the
messages in flight finish (replying to each), then closes the remaining sessions.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

import sieve
from sieve.serve.config import Config, ConfigError
from sieve.serve.handler import FilterHandler
from sieve.serve.metrics import Metrics, start_metrics_server
from sieve.serve.scripts import ScriptStore

log = logging.getLogger("sieve.serve")


def build_host(config: Config) -> Any:
    """The Oracle mapping host when [mapping] is configured, else the in-memory one; with
    memcached, throttle counts and the duplicate and vacation memories are shared. The
    mapping file is loaded as `sieve run --mappings` loads it: a missing or broken one
    (or a bad throttle file) stops the start with ConfigError rather than being half used."""
    if config.mappings or config.throttle or config.memcached:
        from sieve.mapping.options import build_mapping_host
        from sieve.mapping.tables import MappingError
        from sieve.mapping.throttle import ThrottleConfigError

        try:
            host = build_mapping_host(
                config.mappings, throttle=config.throttle, memcached=config.memcached
            )
        except (MappingError, ThrottleConfigError) as error:
            raise ConfigError(f"[mapping]: {error}") from None
    else:
        host = sieve.MemoryHost()
    if config.memcached:
        # Several instances remember the same message IDs and vacation replies.
        from sieve.mapping.memory import MemcachedMemory, share_memories

        share_memories(host, MemcachedMemory(config.memcached))
    return host


class Service:
    """One `sieve serve` instance; `start()` binds, `stop()` drains and closes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.metrics = Metrics()
        self.store = ScriptStore(
            config.system,
            config.channel,
            config.users,
            dialect=config.dialect,
            poll_seconds=config.poll_seconds,
        )
        self.handler = FilterHandler(
            config,
            self.store,
            build_host(config),
            self.metrics,
            lmtp=config.protocol == "lmtp",
        )
        self.sessions: set[SMTP] = set()
        self.server: asyncio.Server | None = None
        self.metrics_server: asyncio.Server | None = None
        self._poller: asyncio.Task[None] | None = None
        self.stopped = asyncio.Event()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def metrics_port(self) -> int | None:
        if self.metrics_server is None:
            return None
        return int(self.metrics_server.sockets[0].getsockname()[1])

    def reload(self) -> None:
        """Checks every script file now, the cached user scripts too (SIGHUP, the start)."""
        self.store.reload()
        self.metrics.script_reload_failures = self.store.failures

    def _refresh(self) -> None:
        """The poll: the system and channel scripts only; a user script is refreshed
        when its recipient's mail next needs it (`ScriptStore._user_script`)."""
        self.store.reload(users=False)
        self.metrics.script_reload_failures = self.store.failures

    async def start(self) -> None:
        self.reload()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            self._session, self.config.listen_host, self.config.listen_port
        )
        if self.config.metrics_port:
            self.metrics_server = await start_metrics_server(
                self.metrics, self.config.metrics_host, self.config.metrics_port
            )
        self._poller = asyncio.create_task(self._poll())
        log.info(
            "listening for %s on %s:%s, next hop %s:%s",
            self.config.protocol.upper(),
            self.config.listen_host,
            self.port,
            self.config.next_host,
            self.config.next_port,
        )

    def _session(self) -> SMTP:
        kind = _LimitedLMTP if self.config.protocol == "lmtp" else _LimitedSMTP
        return kind(
            self,
            self.handler,
            data_size_limit=self.config.max_message_bytes or None,
            hostname=self.config.hostname,
            ident="sieve serve",
            decode_data=False,
        )

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.config.poll_seconds or 1.0)
            try:
                await asyncio.get_running_loop().run_in_executor(
                    self.handler.scripts_thread, self._refresh
                )
            except Exception:  # noqa: BLE001 - the poll must outlive a bad file system
                log.exception("script reload failed")

    async def stop(self, grace: float | None = None) -> None:
        """Graceful: no new sessions, wait for the messages in flight, then close."""
        if self.server is not None:
            self.server.close()
        if self._poller is not None:
            self._poller.cancel()
        grace = self.config.message_seconds + 5 if grace is None else grace
        try:
            await asyncio.wait_for(self.handler.idle.wait(), timeout=grace)
        except TimeoutError:
            log.warning("stopping with %d messages in flight", self.handler.in_flight)
        for session in list(self.sessions):
            if session.transport is not None:
                session.transport.close()
        if self.metrics_server is not None:
            self.metrics_server.close()
        self.handler.scripts_thread.shutdown(wait=False)
        await asyncio.to_thread(self.handler.next_hop.close)
        self.stopped.set()

    async def serve_forever(self) -> None:
        """Runs until SIGTERM/SIGINT; SIGHUP reloads the scripts."""
        await self.start()
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task[None]] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(
                signum, lambda: stopping.append(asyncio.create_task(self.stop()))
            )
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        await self.stopped.wait()


class _Limited:
    """Mixin: refuses a session over the configured number with 421 (RFC 5321 §4.2.2)."""

    def __init__(self, service: Service, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.service = service

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sessions = self.service.sessions
        if len(sessions) >= max(1, self.service.config.max_sessions):
            transport.write(b"421 4.3.2 Too many sessions, try again later\r\n")  # type: ignore[attr-defined]
            transport.close()
            return
        sessions.add(self)  # type: ignore[arg-type]
        super().connection_made(transport)  # type: ignore[misc]

    def connection_lost(self, error: Exception | None) -> None:
        if self in self.service.sessions:
            self.service.sessions.discard(self)  # type: ignore[arg-type]
            super().connection_lost(error)  # type: ignore[misc]


class _LimitedSMTP(_Limited, SMTP):
    pass


class _LimitedLMTP(_Limited, LMTP):
    pass


def run(config: Config) -> int:
    """Blocks until stopped; the exit status."""

    async def main() -> None:
        await Service(config).serve_forever()

    asyncio.run(main())
    return 0
