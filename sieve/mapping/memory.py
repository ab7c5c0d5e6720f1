"""The duplicate (RFC 7352) and vacation (RFC 5230 §4.2) memories on memcached, so that
several `sieve serve` instances behind the MTAs remember the same message IDs and replies.

`add` is memcached's atomic "set if absent": the first instance to record a key wins and
every other sees it as already there, with the period as the key's expiry. When memcached
cannot be reached the memory answers "not seen" (a duplicate may be delivered twice or a
second reply sent, but no message is lost) and says so once in the log."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sieve.mapping.stores import memcached_key, parse_servers

# memcached refuses expiries over 30 days as relative times (they read as Unix times).
_MAX_EXPIRY = 30 * 24 * 3600


@dataclass
class MemcachedMemory:
    servers: str
    prefix: str = "sieve-seen:"
    timeout: float = 0.5
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("sieve.memory"))
    _client: object = field(default=None, repr=False)
    _down: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _connect(self) -> object:
        if self._client is None:
            from pymemcache.client.base import Client

            server = parse_servers(self.servers)[0]
            self._client = Client(
                server, connect_timeout=self.timeout, timeout=self.timeout, no_delay=True
            )
        return self._client

    def seen(self, kind: str, key: str, seconds: int, mark: bool) -> bool:
        name = memcached_key(self.prefix, kind, key)
        try:
            with self._lock:
                client = self._connect()
                if mark:
                    expiry = max(1, min(int(seconds), _MAX_EXPIRY))
                    seen = not client.add(name, b"1", expire=expiry, noreply=False)  # type: ignore[attr-defined]
                else:
                    seen = client.get(name) is not None  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 - a down memory must not stop mail
            if not self._down:
                self.logger.warning(
                    "memcached %s unreachable for the %s memory: %s", self.servers, kind, error
                )
            self._down = True
            self._client = None
            return False
        if self._down:
            self.logger.warning(
                "memcached %s reachable again for the %s memory", self.servers, kind
            )
            self._down = False
        return seen

    def touch(self, kind: str, key: str, seconds: int) -> None:
        """RFC 7352 :last: the period starts again from now."""
        name = memcached_key(self.prefix, kind, key)
        try:
            with self._lock:
                expiry = max(1, min(int(seconds), _MAX_EXPIRY))
                self._connect().set(name, b"1", expire=expiry, noreply=False)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - as in seen(): never stop mail
            self._client = None


def share_memories(host: object, memory: MemcachedMemory) -> object:
    """Makes `host` keep its duplicate and vacation memories in `memory` (the Host
    methods are replaced on this instance, whatever its class)."""
    host.duplicate_seen = lambda key, seconds, mark: memory.seen("duplicate", key, seconds, mark)  # type: ignore[attr-defined]
    host.vacation_sent = lambda key, seconds, mark: memory.seen("vacation", key, seconds, mark)  # type: ignore[attr-defined]
    host.duplicate_touch = lambda key, seconds: memory.touch("duplicate", key, seconds)  # type: ignore[attr-defined]
    return host
