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
from typing import Any

from sieve.mapping.stores import (
    clamp_expiry,
    memcached_client,
    memcached_key,
    parse_servers,
    pick_server,
)


@dataclass
class MemcachedMemory:
    """`servers` as the throttle store takes them (`host:port`, several separated by commas
    or spaces); each key lives on one of them, chosen as the throttle store chooses."""

    servers: str
    prefix: str = "sieve-seen:"
    timeout: float = 0.5
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("sieve.memory"))
    _parsed: list[Any] = field(default_factory=list, repr=False)
    _clients: dict[int, Any] = field(default_factory=dict, repr=False)
    _down: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _connect(self, name: str) -> Any:
        """The client of the server holding the key `name`."""
        if not self._parsed:
            self._parsed = parse_servers(self.servers)
        servers = self._parsed
        index = pick_server(servers, name)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = memcached_client(servers[index], self.timeout)
        return client

    def seen(self, kind: str, key: str, seconds: int, mark: bool) -> bool:
        name = memcached_key(self.prefix, kind, key)
        try:
            with self._lock:
                client = self._connect(name)
                if mark:
                    expiry = clamp_expiry(seconds)
                    seen = not client.add(name, b"1", expire=expiry, noreply=False)
                else:
                    seen = client.get(name) is not None
        except Exception as error:  # noqa: BLE001 - a down memory must not stop mail
            if not self._down:
                self.logger.warning(
                    "memcached %s unreachable for the %s memory: %s", self.servers, kind, error
                )
            self._down = True
            self._clients.clear()
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
                self._connect(name).set(name, b"1", expire=clamp_expiry(seconds), noreply=False)
        except Exception:  # noqa: BLE001 - as in seen(): never stop mail
            self._clients.clear()


def share_memories(host: object, memory: MemcachedMemory) -> object:
    """Makes `host` keep its duplicate and vacation memories in `memory` (the Host
    methods are replaced on this instance, whatever its class)."""
    host.duplicate_seen = lambda key, seconds, mark: memory.seen("duplicate", key, seconds, mark)  # type: ignore[attr-defined]
    host.vacation_sent = lambda key, seconds, mark: memory.seen("vacation", key, seconds, mark)  # type: ignore[attr-defined]
    host.duplicate_touch = lambda key, seconds: memory.touch("duplicate", key, seconds)  # type: ignore[attr-defined]
    return host
