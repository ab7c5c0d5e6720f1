"""The MeterMaid-style `throttle` mapping routine: is this key over its table's quota?

Oracle Messaging Server calls it from a mapping entry as
`$[IMTA_LIB:check_metermaid.so,throttle,limitauthspam,$0]`: the routine *succeeds* when the
key is over quota, so that the rest of the entry (a rejection, say) applies, and fails when it
is not, so that the mapping goes on as if the entry had not matched. Counting rules (weighted
rate, refused hits, eviction) live in `stores.py`; this module holds the table settings, the
configuration file and the policy for a store that is down.

Configuration file (TOML)::

    fail_open = true          # store down: true = not blocked (routine fails), false = blocked
    retry_interval = 15       # seconds to leave a failed store alone (MeterMaid's
                              # metermaid.mtaclient.connectfrequency)
    [memcached]               # optional: share counts between hosts
    servers = ["127.0.0.1:11211"]
    timeout = 0.5
    prefix = "sieve-throttle:"

    [tables.limitauthspam]
    quota = 50                # hits allowed per quota_time, on average
    quota_time = 3600         # seconds
    max_entries = 1000        # keys kept; the least recently hit are dropped
    nocase = true             # keys compare case-insensitively
    penalize = false          # true: hits refused while over quota still count
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sieve.mapping.stores import (
    MemcachedStore,
    MemoryStore,
    SQLiteStore,
    Store,
    StoreConfigError,
    StoreUnavailable,
    is_over,
)

__all__ = [
    "MemcachedSettings",
    "Throttle",
    "ThrottleConfigError",
    "ThrottleSettings",
    "ThrottleTable",
    "UnknownThrottleTable",
    "load_throttle_config",
    "load_throttle_settings",
]

_LOG = logging.getLogger("sieve.mapping.throttle")
_MAX_REMEMBERED_UNKNOWN = 64  # unknown table names warned about once each (bounded)


class ThrottleConfigError(ValueError):
    """A throttle table or configuration file is invalid; the message names the file and key."""


class UnknownThrottleTable(LookupError):
    """`Throttle.check` was asked about a table that is not configured."""


@dataclass(frozen=True)
class ThrottleTable:
    """One MeterMaid throttle table: `quota` hits per `quota_time` seconds, on average."""

    name: str
    quota: int
    quota_time: float
    max_entries: int = 1000
    nocase: bool = False
    penalize: bool = False

    def __post_init__(self) -> None:
        problem = _table_problem(vars(self))
        if problem is not None:
            key, message = problem
            raise ThrottleConfigError(f"throttle table {self.name!r}: {key} {message}")


def _table_problem(spec: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first invalid setting of a table as (key, what is wrong), or None."""
    quota, quota_time = spec.get("quota"), spec.get("quota_time")
    max_entries = spec.get("max_entries", 1000)
    if not _whole(quota) or quota < 1:
        return "quota", "must be a whole number >= 1"
    if not _number(quota_time) or not 0 < quota_time < math.inf:
        return "quota_time", "must be a number of seconds > 0"
    if not _whole(max_entries) or max_entries < 1:
        return "max_entries", "must be a whole number >= 1"
    for flag in ("nocase", "penalize"):
        if not isinstance(spec.get(flag, False), bool):
            return flag, "must be true or false"
    return None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class MemcachedSettings:
    servers: tuple[str, ...]
    timeout: float = 0.5
    prefix: str = "sieve-throttle:"


@dataclass(frozen=True)
class ThrottleSettings:
    """Everything a throttle configuration file says."""

    tables: dict[str, ThrottleTable] = field(default_factory=dict)
    fail_open: bool = True
    retry_interval: float = 15.0
    memcached: MemcachedSettings | None = None


# ---------------------------------------------------------------------------------------------
# Configuration file

_TABLE_KEYS = {"quota", "quota_time", "max_entries", "nocase", "penalize"}
_TOP_KEYS = {"tables", "fail_open", "retry_interval", "memcached"}
_MEMCACHED_KEYS = {"servers", "timeout", "prefix"}


def load_throttle_config(path: str | os.PathLike[str]) -> dict[str, ThrottleTable]:
    """The throttle tables of a configuration file (see the module docstring)."""
    return load_throttle_settings(path).tables


def load_throttle_settings(path: str | os.PathLike[str]) -> ThrottleSettings:
    """Reads a throttle configuration file. Raises ThrottleConfigError naming the file and the
    key at fault; unknown keys are errors too, so that a typo never silently disables a limit."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ThrottleConfigError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThrottleConfigError(f"{name}: not valid TOML: {exc}") from exc
    return settings_from_mapping(document, source=name)


def settings_from_mapping(
    document: Mapping[str, Any], source: str = "<config>"
) -> ThrottleSettings:
    """Builds settings from an already parsed document (the file format, as a dict)."""
    _no_unknown(document, _TOP_KEYS, source, "")
    tables_doc = document.get("tables", {})
    if not isinstance(tables_doc, dict):
        raise ThrottleConfigError(f"{source}: tables: must be a table of throttle tables")
    tables = {table: _table_from(table, spec, source) for table, spec in tables_doc.items()}
    fail_open = document.get("fail_open", True)
    if not isinstance(fail_open, bool):
        raise ThrottleConfigError(f"{source}: fail_open: must be true or false")
    retry = document.get("retry_interval", 15.0)
    if not _number(retry) or not 0 <= retry < math.inf:
        raise ThrottleConfigError(f"{source}: retry_interval: must be a number of seconds >= 0")
    memcached = None
    if "memcached" in document:
        memcached = _memcached_from(document["memcached"], source)
    return ThrottleSettings(tables, fail_open, float(retry), memcached)


def _no_unknown(doc: Mapping[str, Any], known: set[str], source: str, where: str) -> None:
    for key in doc:
        if key not in known:
            expected = ", ".join(sorted(known))
            raise ThrottleConfigError(f"{source}: {where}{key}: unknown key (expected {expected})")


def _table_from(name: str, spec: Any, source: str) -> ThrottleTable:
    where = f"tables.{name}"
    if not isinstance(spec, dict):
        raise ThrottleConfigError(f"{source}: {where}: must be a table of settings")
    _no_unknown(spec, _TABLE_KEYS, source, where + ".")
    for required in ("quota", "quota_time"):
        if required not in spec:
            raise ThrottleConfigError(f"{source}: {where}.{required}: missing")
    problem = _table_problem(spec)
    if problem is not None:
        key, message = problem
        raise ThrottleConfigError(f"{source}: {where}.{key}: {message}, not {spec[key]!r}")
    return ThrottleTable(name=name, **spec)


def _memcached_from(spec: Any, source: str) -> MemcachedSettings:
    if not isinstance(spec, dict):
        raise ThrottleConfigError(f"{source}: memcached: must be a table of settings")
    _no_unknown(spec, _MEMCACHED_KEYS, source, "memcached.")
    servers = spec.get("servers")
    if isinstance(servers, str):
        servers = [servers]
    if not servers or not isinstance(servers, list) or not all(isinstance(s, str) for s in servers):
        raise ThrottleConfigError(f"{source}: memcached.servers: a list of host:port strings")
    timeout = spec.get("timeout", 0.5)
    if not _number(timeout) or not 0 < timeout < math.inf:
        raise ThrottleConfigError(f"{source}: memcached.timeout: must be seconds > 0")
    prefix = spec.get("prefix", "sieve-throttle:")
    if not isinstance(prefix, str):
        raise ThrottleConfigError(f"{source}: memcached.prefix: must be a string")
    return MemcachedSettings(tuple(servers), float(timeout), prefix)


# ---------------------------------------------------------------------------------------------
# The routine


class Throttle:
    """Counts hits per table and key in a shared store and answers the `throttle` routine.

    A store that is down never loses the message: with `fail_open` (the default, as MeterMaid's
    client) the routine fails, so nothing is blocked; with `fail_open=False` it succeeds, so the
    over-quota action applies to everything until the store is back. The outage is logged once,
    its end once more, and the store is left alone for `retry_interval` seconds after a failure
    so that each message doesn't wait for another connect timeout."""

    def __init__(
        self,
        tables: Mapping[str, ThrottleTable],
        store: Store | None = None,
        clock: Callable[[], float] = time.time,
        fail_open: bool = True,
        logger: logging.Logger | None = None,
        retry_interval: float = 15.0,
    ) -> None:
        self.tables = dict(tables)
        self.store: Store = store if store is not None else MemoryStore()
        self.fail_open = fail_open
        self.retry_interval = retry_interval
        self._clock = clock
        self._log = logger if logger is not None else _LOG
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = -math.inf
        self._last_error = ""
        self._unknown_warned: set[str] = set()

    @classmethod
    def from_settings(
        cls,
        settings: ThrottleSettings,
        *,
        state: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
        logger: logging.Logger | None = None,
    ) -> Throttle:
        """The store follows the settings: memcached when configured, else the `state` file
        (`sieve run --state FILE`), else in-process memory. Raises ThrottleConfigError for a
        bad memcached setting and StoreUnavailable when the state file cannot be used."""
        store: Store
        if settings.memcached is not None:
            try:
                store = MemcachedStore(
                    list(settings.memcached.servers),
                    timeout=settings.memcached.timeout,
                    prefix=settings.memcached.prefix,
                )
            except StoreConfigError as exc:
                raise ThrottleConfigError(f"memcached: {exc}") from exc
        elif state is not None:
            store = SQLiteStore(state)
        else:
            store = MemoryStore()
        return cls(
            settings.tables,
            store,
            clock=clock,
            fail_open=settings.fail_open,
            logger=logger,
            retry_interval=settings.retry_interval,
        )

    def check(self, table: str, key: str) -> bool:
        """Counts one hit of `key` in `table`; True when it is over quota. Raises
        UnknownThrottleTable, or StoreUnavailable when the store is down."""
        spec = self.tables.get(table)
        if spec is None:
            raise UnknownThrottleTable(table)
        if spec.nocase:
            key = key.lower()
        now = self._clock()
        with self._lock:
            if self._down and now < self._retry_at:
                raise StoreUnavailable(self._last_error)
        # Passed only when set, so that a minimal Store implementation also works.
        extra = {"penalize": True} if spec.penalize else {}
        try:
            count = self.store.update(
                key, spec.quota, spec.quota_time, now, spec.max_entries, spec.name, **extra
            )
        except StoreUnavailable as exc:
            self._failed(exc, now)
            raise
        self._succeeded()
        return is_over(count, spec.quota)

    def routine(self, args: list[str]) -> str | None:
        """The mapping routine: args[0] is the table, the rest the key (rejoined with commas,
        in case the callout split a key that held one). Over quota: "" (success, the entry goes
        on); under quota: None (failure). Unknown table: None, logged. Store down: None when
        failing open, "" when failing closed."""
        if len(args) < 2:
            self._log.warning("throttle: expected a table and a key, got %d argument(s)", len(args))
            return None
        table, key = args[0].strip(), ",".join(args[1:])
        try:
            over = self.check(table, key)
        except UnknownThrottleTable:
            self._warn_unknown(table)
            return None
        except StoreUnavailable:
            return None if self.fail_open else ""
        return "" if over else None

    def _failed(self, exc: StoreUnavailable, now: float) -> None:
        with self._lock:
            first = not self._down
            self._down, self._last_error = True, str(exc)
            self._retry_at = now + self.retry_interval
        if first:
            policy = "not blocking (fail open)" if self.fail_open else "blocking (fail closed)"
            self._log.warning("throttle: store unavailable, %s until it is back: %s", policy, exc)

    def _succeeded(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            self._log.warning("throttle: store available again; counting resumes")

    def _warn_unknown(self, table: str) -> None:
        with self._lock:
            warned = self._unknown_warned
            if table in warned or len(warned) >= _MAX_REMEMBERED_UNKNOWN:
                return
            self._unknown_warned.add(table)
        self._log.warning("throttle: no throttle table named %r; the routine fails", table[:100])
