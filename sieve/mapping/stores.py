"""Shared hit counters for the throttle routine: one weighted count per (table, key).

Three stores, because counts must be shared as widely as the mail flow that they limit:
`MemoryStore` counts inside one process (the embedded default); `SQLiteStore` keeps the counts
in a local file so that separate `sieve run` invocations on one host share them; and
`MemcachedStore` keeps them in memcached so that several MTA hosts share one count, as
MeterMaid's single repository does. All three apply the same rule (`advance`), so they agree
hit for hit.

The rule is MeterMaid's weighted rate, not a sliding window: a stored count decays linearly, at
`quota / quota_time` per second since its last update and never below zero, and a hit adds one.
With 1250 per hour all used at once, 625 are free again after half an hour.

A hit that would take the count over the quota is refused and, by default, *not* counted, so a
sender is allowed `quota` hits per `quota_time` on average however often it retries (MeterMaid's
documented long-run allowance: 1250 per hour is 1250 * 24 per day). With `penalize` every
attempt counts, so retrying while over quota extends the block (MeterMaid's `penalize` option).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol


class StoreUnavailable(Exception):
    """The backend cannot be reached or used; the throttle then applies its fail-open or
    fail-closed policy instead of counting."""


class StoreConfigError(ValueError):
    """A store was configured with values it can never work with (bad server address, prefix)."""


class Store(Protocol):
    """Where weighted counts live. `update` must be atomic across every client of the store."""

    def update(
        self,
        key: str,
        quota: int,
        quota_time: float,
        now: float,
        max_entries: int,
        table: str,
        *,
        penalize: bool = False,
    ) -> float:
        """Decays the stored count of (table, key) linearly since its last update, adds this
        hit, stores the result and returns the count this hit sees (over quota when it is
        greater than `quota`; see `advance`). Raises StoreUnavailable when the backend is down."""
        ...


# ---------------------------------------------------------------------------------------------
# The counting rule, shared by every store


def decayed(count: float, updated: float, now: float, quota: int, quota_time: float) -> float:
    """The count left at `now` of `count` stored at `updated`. A clock that went backwards (hosts
    sharing one memcached disagree) decays nothing rather than growing the count."""
    elapsed = now - updated
    if not elapsed > 0:
        return count
    return max(0.0, count - quota * elapsed / quota_time)


def is_over(count: float, quota: int) -> bool:
    """True when a hit that sees `count` is over quota: the quota-th hit is still allowed."""
    return count > quota


def advance(
    count: float, updated: float, now: float, quota: int, quota_time: float, penalize: bool = False
) -> tuple[float, float, float]:
    """One hit on a stored (count, updated) pair: returns (count this hit sees, count to store,
    time to store). A refused hit is stored only under `penalize` (see the module docstring)."""
    current = decayed(count, updated, now, quota, quota_time)
    seen = current + 1.0
    stored = seen if penalize or not is_over(seen, quota) else current
    return seen, stored, max(updated, now)


def _sane(count: Any, updated: Any, now: float) -> tuple[float, float]:
    """A stored pair as floats; garbage (a value written by something else, a damaged file)
    counts as a fresh entry instead of raising or poisoning the count."""
    try:
        count_f, updated_f = float(count), float(updated)
    except (TypeError, ValueError):
        return 0.0, now
    if not (math.isfinite(count_f) and math.isfinite(updated_f)) or count_f < 0:
        return 0.0, now
    return count_f, updated_f


# ---------------------------------------------------------------------------------------------
# Keys

_MAX_KEY_CHARS = 512
# Starts with NUL so that no plain key is left unhashed with this prefix (those are hashed too):
# a digest and a plain key can never collide.
_DIGEST_MARK = "\x00sha256:"


def _utf8(text: str) -> bytes:
    """Keys may carry lone surrogates (undecodable header bytes); encode them, don't fail."""
    return text.encode("utf-8", "surrogatepass")


def bounded_key(key: str) -> str:
    """Keys come from messages, so a hostile sender chooses their length: long keys are replaced
    by a digest so that memory per entry stays bounded."""
    if len(key) <= _MAX_KEY_CHARS and not key.startswith(_DIGEST_MARK):
        return key
    return _DIGEST_MARK + hashlib.sha256(_utf8(key)).hexdigest()


# ---------------------------------------------------------------------------------------------
# In-process store


class MemoryStore:
    """Counts in this process only: the embedded default. Each table keeps at most
    `max_entries` keys, dropping the least recently hit first."""

    def __init__(self) -> None:
        self._tables: dict[str, OrderedDict[str, tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def update(
        self,
        key: str,
        quota: int,
        quota_time: float,
        now: float,
        max_entries: int,
        table: str,
        *,
        penalize: bool = False,
    ) -> float:
        key = bounded_key(key)
        with self._lock:
            entries = self._tables.setdefault(table, OrderedDict())
            count, updated = entries.pop(key, (0.0, now))
            seen, stored, stamp = advance(count, updated, now, quota, quota_time, penalize)
            entries[key] = (stored, stamp)  # re-inserted last: the most recently hit
            while len(entries) > max(1, max_entries):
                entries.popitem(last=False)
        return seen

    def entries(self, table: str) -> int:
        """How many keys the table holds (for monitoring and tests)."""
        with self._lock:
            return len(self._tables.get(table, ()))


# ---------------------------------------------------------------------------------------------
# Local file store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS throttle_hits (
    tbl BLOB NOT NULL, key BLOB NOT NULL,
    count REAL NOT NULL, updated REAL NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (tbl, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS throttle_hits_by_age ON throttle_hits (tbl, seq);
CREATE TABLE IF NOT EXISTS throttle_tables (
    tbl BLOB PRIMARY KEY, entries INTEGER NOT NULL, seq INTEGER NOT NULL
);
"""


class SQLiteStore:
    """Counts in a local SQLite file (`sieve run --state FILE`), so that separate processes on
    one host share them. Each update is one `BEGIN IMMEDIATE` transaction: SQLite's write lock
    serialises the read-decay-write of concurrent processes. Each table keeps at most
    `max_entries` keys, dropping the least recently hit first (a per-table sequence number
    orders them, so eviction is O(log n) and matches MemoryStore exactly)."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        self.path = os.fspath(path)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        with self._lock:
            self._connection()  # fail now, naming the file, if it is not usable at all

    def _connection(self) -> sqlite3.Connection:
        # A connection must not cross fork(): a child opens its own.
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            # WAL: readers and the one writer don't block each other; NORMAL: no fsync per hit
            # (a crash may lose the last hits, which only makes the throttle briefly lenient).
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreUnavailable(f"{self.path}: cannot use the throttle state: {exc}") from exc
        self._conn, self._pid = conn, os.getpid()
        return conn

    def update(
        self,
        key: str,
        quota: int,
        quota_time: float,
        now: float,
        max_entries: int,
        table: str,
        *,
        penalize: bool = False,
    ) -> float:
        tbl, k = _utf8(table), _utf8(bounded_key(key))
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    seen = self._update(conn, tbl, k, quota, quota_time, now, max_entries, penalize)
                    conn.execute("COMMIT")
                finally:
                    if conn.in_transaction:
                        conn.rollback()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.path}: {exc}") from exc
        return seen

    @staticmethod
    def _update(
        conn: sqlite3.Connection,
        tbl: bytes,
        key: bytes,
        quota: int,
        quota_time: float,
        now: float,
        max_entries: int,
        penalize: bool,
    ) -> float:
        entries, seq = SQLiteStore._bookkeeping(conn, tbl)
        row = conn.execute(
            "SELECT count, updated FROM throttle_hits WHERE tbl = ? AND key = ?", (tbl, key)
        ).fetchone()
        if row is None:
            count, updated = 0.0, now
            entries += 1
        else:
            count, updated = _sane(row[0], row[1], now)
        seen, stored, stamp = advance(count, updated, now, quota, quota_time, penalize)
        seq += 1
        conn.execute(
            "INSERT INTO throttle_hits (tbl, key, count, updated, seq) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (tbl, key) DO UPDATE"
            " SET count = excluded.count, updated = excluded.updated, seq = excluded.seq",
            (tbl, key, stored, stamp, seq),
        )
        excess = entries - max(1, max_entries)
        if excess > 0:
            dropped = conn.execute(
                "DELETE FROM throttle_hits WHERE tbl = ? AND key IN"
                " (SELECT key FROM throttle_hits WHERE tbl = ? ORDER BY seq LIMIT ?)",
                (tbl, tbl, excess),
            ).rowcount
            entries -= dropped
            if dropped < excess:  # the bookkeeping drifted (rows removed by hand): recount
                entries = conn.execute(
                    "SELECT COUNT(*) FROM throttle_hits WHERE tbl = ?", (tbl,)
                ).fetchone()[0]
        conn.execute(
            "INSERT INTO throttle_tables (tbl, entries, seq) VALUES (?, ?, ?)"
            " ON CONFLICT (tbl) DO UPDATE SET entries = excluded.entries, seq = excluded.seq",
            (tbl, entries, seq),
        )
        return seen

    @staticmethod
    def _bookkeeping(conn: sqlite3.Connection, tbl: bytes) -> tuple[int, int]:
        """(keys held, last sequence number) of a table; rebuilt from the rows themselves when
        the bookkeeping row is missing or damaged."""
        meta = conn.execute(
            "SELECT entries, seq FROM throttle_tables WHERE tbl = ?", (tbl,)
        ).fetchone()
        if meta is not None and isinstance(meta[0], int) and isinstance(meta[1], int):
            return meta[0], meta[1]
        row = conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM throttle_hits WHERE tbl = ?", (tbl,)
        ).fetchone()
        return int(row[0]), int(row[1]) if isinstance(row[1], int) else 0

    def entries(self, table: str) -> int:
        """How many keys the table holds (for monitoring and tests)."""
        with self._lock:
            conn = self._connection()
            try:
                row = conn.execute(
                    "SELECT COUNT(*) FROM throttle_hits WHERE tbl = ?", (_utf8(table),)
                ).fetchone()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.path}: {exc}") from exc
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


# ---------------------------------------------------------------------------------------------
# memcached store

_MEMCACHED_KEY_LIMIT = 250  # bytes, memcached's protocol limit
_MAX_PREFIX = 100
_MAX_EXPIRY = 30 * 24 * 3600  # memcached reads a larger expiry as an absolute Unix time
_MAX_VALUE = 100  # bytes: our values are two floats


def _printable_ascii(text: str) -> bool:
    """memcached's text protocol forbids spaces and control characters in keys."""
    return all("!" <= ch <= "~" for ch in text)


def memcached_key(prefix: str, table: str, key: str) -> str:
    """The memcached key of (table, key). Plain keys stay readable (`<len>.<table>.<key>`; the
    length makes the split unambiguous); keys too long or with spaces, control or non-ASCII
    characters become `h.<sha256>`, which no plain key can equal (plain ones start with a digit)."""
    plain = f"{prefix}{len(table)}.{table}.{key}"
    if len(plain) <= _MEMCACHED_KEY_LIMIT and _printable_ascii(table) and _printable_ascii(key):
        return plain
    digest = hashlib.sha256(_utf8(f"{len(table)}.{table}.") + _utf8(key)).hexdigest()
    return f"{prefix}h.{digest}"


def _expiry(count: float, quota: int, quota_time: float) -> int:
    """Seconds until `count` has decayed to zero, when the key may vanish: memcached forgets idle
    keys by itself, which stands in for max_entries there (with its own LRU under memory
    pressure). At most quota_time unless penalize let the count exceed the quota."""
    seconds = math.ceil(count * quota_time / quota) if quota > 0 else _MAX_EXPIRY
    return clamp_expiry(seconds)


def clamp_expiry(seconds: float) -> int:
    """A relative memcached expiry: at least 1 s (0 would mean "never expires") and at most
    30 days (memcached reads a larger one as an absolute Unix time)."""
    return max(1, min(int(seconds), _MAX_EXPIRY))


def server_name(server: tuple[str, int] | str) -> str:
    """A parsed server (`parse_servers`) as written: `host:port` or a socket path."""
    return server if isinstance(server, str) else f"{server[0]}:{server[1]}"


def pick_server(servers: list[tuple[str, int] | str], mkey: str) -> int:
    """The index of the server that holds `mkey`, by rendezvous hashing: every host with the
    same server list picks the same server, and a key never moves to another one."""
    if len(servers) == 1:
        return 0
    return max(
        range(len(servers)),
        key=lambda i: hashlib.sha256(f"{server_name(servers[i])}\0{mkey}".encode()).digest(),
    )


def memcached_client(server: tuple[str, int] | str, timeout: float) -> Any:
    """A pymemcache client for one server, waiting at most `timeout` to connect and for
    each answer, with replies on (a failed write must be seen)."""
    from pymemcache.client.base import Client

    return Client(
        server,
        connect_timeout=timeout,
        timeout=timeout,
        default_noreply=False,
        no_delay=True,
    )


def parse_servers(servers: str | Iterable[str]) -> list[tuple[str, int] | str]:
    """`host:port`, `[v6addr]:port`, `host` (port 11211) or a Unix socket path, given as a list
    or as one string separated by commas or spaces."""
    items = servers.replace(",", " ").split() if isinstance(servers, str) else list(servers)
    parsed: list[tuple[str, int] | str] = []
    for item in items:
        item = item.strip()
        if item.startswith("/"):
            parsed.append(item)
            continue
        host, port = item, "11211"
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else port
        elif item.count(":") == 1:
            host, port = item.split(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise StoreConfigError(f"memcached server {item!r}: expected host:port")
        parsed.append((host, int(port)))
    if not parsed:
        raise StoreConfigError("memcached: no server given")
    return parsed


_MAX_BACKOFF = 0.05  # seconds; 32 tries then wait at most about 1.3 s in all


class MemcachedStore:
    """Counts in memcached (pymemcache client), so that several MTA hosts share one count.

    Atomicity: gets, compute, then `cas` (or `add` for a new key), retried a bounded number of
    times when another client changed the key in between. Between tries the client waits a
    random, doubling pause (at most `_MAX_BACKOFF` seconds): without it, clients hitting one key
    in lock-step can keep invalidating each other's `cas` until the tries run out.

    With several servers each key lives on exactly one, chosen by rendezvous hashing; there is
    no fail-over to another server, which would silently split a count in two: a down server
    makes its keys unavailable.
    max_entries is not enforced here: each key expires once its count would have decayed to
    zero (see `_expiry`) and memcached evicts least recently used keys under memory pressure."""

    def __init__(
        self,
        servers: list[str] | str,
        *,
        timeout: float = 0.5,
        prefix: str = "sieve-throttle:",
        max_retries: int = 32,
    ) -> None:
        if len(prefix) > _MAX_PREFIX or not _printable_ascii(prefix):
            raise StoreConfigError(
                f"memcached prefix {prefix!r}: at most {_MAX_PREFIX} printable ASCII characters"
            )
        self.servers = parse_servers(servers)
        self.prefix = prefix
        self._timeout = timeout
        self._max_retries = max(1, max_retries)
        self._clients: dict[int, Any] = {}
        self._pid = os.getpid()
        self._lock = threading.Lock()
        try:
            from pymemcache.exceptions import MemcacheError
        except ImportError as exc:  # pragma: no cover - pymemcache is a dependency
            raise StoreUnavailable("memcached store: the pymemcache package is missing") from exc
        self._errors: tuple[type[BaseException], ...] = (MemcacheError, OSError)

    def _client(self, index: int) -> Any:
        if self._pid != os.getpid():  # sockets must not cross fork(): a child connects anew
            self._clients, self._pid = {}, os.getpid()
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = memcached_client(self.servers[index], self._timeout)
        return client

    def update(
        self,
        key: str,
        quota: int,
        quota_time: float,
        now: float,
        max_entries: int,
        table: str,
        *,
        penalize: bool = False,
    ) -> float:
        mkey = memcached_key(self.prefix, table, key)
        index = pick_server(self.servers, mkey)
        with self._lock:
            client = self._client(index)
            try:
                return self._update(client, mkey, quota, quota_time, now, penalize)
            except self._errors as exc:
                client.close()
                raise StoreUnavailable(f"memcached {self._name(index)}: {exc}") from exc

    def _update(
        self, client: Any, mkey: str, quota: int, quota_time: float, now: float, penalize: bool
    ) -> float:
        for attempt in range(self._max_retries):
            if attempt:
                time.sleep(random.uniform(0, min(_MAX_BACKOFF, 0.0005 * 2**attempt)))
            value, cas = client.gets(mkey)
            count, updated = _parse_value(value, now)
            seen, stored, stamp = advance(count, updated, now, quota, quota_time, penalize)
            if stored != seen:
                # A refused hit changes nothing: (count, updated) already decays to `stored`.
                return seen
            payload = f"{stored!r} {stamp!r}"
            expire = _expiry(stored, quota, quota_time)
            if value is None:
                written = client.add(mkey, payload, expire=expire, noreply=False)
            else:
                written = client.cas(mkey, payload, cas, expire=expire, noreply=False)
            if written:
                return seen
        raise StoreUnavailable(f"memcached: key still contended after {self._max_retries} tries")

    def _name(self, index: int) -> str:
        return server_name(self.servers[index])

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                for client in self._clients.values():
                    client.close()
            self._clients = {}


def _parse_value(value: bytes | None, now: float) -> tuple[float, float]:
    """Our memcached value is `b"<count> <updated>"`; anything else counts as a fresh entry."""
    if value is None or len(value) > _MAX_VALUE:
        return 0.0, now
    parts = value.split()
    if len(parts) != 2:
        return 0.0, now
    return _sane(parts[0], parts[1], now)
