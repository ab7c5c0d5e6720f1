"""The throttle stores: one weighted count per (table, key), the same rule in every backend."""

from __future__ import annotations

import math
import socket
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.mapping.stores import (
    MemcachedStore,
    MemoryStore,
    SQLiteStore,
    Store,
    StoreConfigError,
    StoreUnavailable,
    _expiry,
    advance,
    bounded_key,
    decayed,
    memcached_key,
    parse_servers,
)
from tests.mapping.conftest import MemcachedServer

HOUR = 3600.0
T0 = 1_700_000_000.0

# ---------------------------------------------------------------------------------------------
# The rule


def test_decay_is_linear_at_quota_per_quota_time() -> None:
    # 1250 per hour, all used at once: half of them are free again after half an hour.
    assert decayed(1250, T0, T0 + 1800, 1250, HOUR) == 625
    assert decayed(1250, T0, T0 + 2700, 1250, HOUR) == pytest.approx(312.5)
    assert decayed(1250, T0, T0 + HOUR, 1250, HOUR) == 0
    assert decayed(10, T0, T0 + 10 * HOUR, 1250, HOUR) == 0  # never below zero


def test_a_clock_that_goes_back_decays_nothing_and_keeps_the_later_time() -> None:
    assert decayed(7, T0, T0 - 60, 50, HOUR) == 7
    seen, stored, stamp = advance(7, T0, T0 - 60, 50, HOUR)
    assert (seen, stored, stamp) == (8, 8, T0)


def test_a_refused_hit_is_not_counted_unless_penalize() -> None:
    seen, stored, _ = advance(50, T0, T0, 50, HOUR)
    assert (seen, stored) == (51, 50)  # over quota, and the count stays at the quota
    seen, stored, _ = advance(50, T0, T0, 50, HOUR, penalize=True)
    assert (seen, stored) == (51, 51)


# ---------------------------------------------------------------------------------------------
# The same behaviour from every store


@pytest.fixture(params=["memory", "sqlite", "memcached"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        store = SQLiteStore(tmp_path / "state.db")
        yield store
        store.close()
    else:
        server = request.getfixturevalue("memcached")
        prefix = f"t{abs(hash(request.node.nodeid)) % 10**9}:"  # each test its own keys
        mc = MemcachedStore(server.address, prefix=prefix)
        yield mc
        mc.close()


def hits(store: Store, n: int, now: float, key: str = "k", quota: int = 1250) -> list[float]:
    return [store.update(key, quota, HOUR, now, 1000, "t") for _ in range(n)]


def test_every_store_frees_half_the_quota_after_half_the_time(any_store: Store) -> None:
    counts = hits(any_store, 1250, T0)
    assert counts[-1] == 1250  # the 1250th hit is still within the quota
    later = hits(any_store, 626, T0 + 1800)
    assert later[624] == 1250  # 625 more were free
    assert later[625] == 1251  # the 626th is over


def test_every_store_keeps_tables_and_keys_apart(any_store: Store) -> None:
    assert any_store.update("a", 5, HOUR, T0, 1000, "one") == 1
    assert any_store.update("a", 5, HOUR, T0, 1000, "one") == 2
    assert any_store.update("a", 5, HOUR, T0, 1000, "two") == 1
    assert any_store.update("b", 5, HOUR, T0, 1000, "one") == 1


def test_every_store_takes_hostile_keys(any_store: Store) -> None:
    odd = ["", " ", "a b", "\x00\r\n", "é" * 300, "x" * 100_000, "\udcff", "\x00sha256:abc"]
    for key in odd:
        assert any_store.update(key, 5, HOUR, T0, 1000, "t") == 1
        assert any_store.update(key, 5, HOUR, T0, 1000, "t") == 2


# ---------------------------------------------------------------------------------------------
# Memory and SQLite: max_entries


@pytest.fixture(params=["memory", "sqlite"])
def local_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "s.db")


def test_max_entries_drops_the_least_recently_hit_key(local_store: Store) -> None:
    def hit(key: str) -> float:
        return local_store.update(key, 50, HOUR, T0, 3, "t")

    hit("a"), hit("b"), hit("c")
    assert hit("a") == 2  # a is now the most recent; b is the oldest
    hit("d")  # a fourth key: b goes
    assert local_store.entries("t") == 3  # type: ignore[attr-defined]
    assert hit("b") == 1  # b starts again from nothing (and c, now the oldest, goes)
    assert hit("a") == 3
    assert hit("c") == 1


def test_bounded_keys_are_digests_for_long_keys_only() -> None:
    assert bounded_key("alice@example.com") == "alice@example.com"
    long_key = bounded_key("x" * 10_000)
    assert len(long_key) < 100 and long_key != bounded_key("x" * 10_001)
    # A plain key cannot pose as a digest: it is hashed in turn.
    assert bounded_key(long_key) != long_key


# ---------------------------------------------------------------------------------------------
# SQLite


def test_two_sqlite_stores_on_one_file_share_counts(tmp_path: Path) -> None:
    first, second = SQLiteStore(tmp_path / "state.db"), SQLiteStore(tmp_path / "state.db")
    assert first.update("k", 50, HOUR, T0, 1000, "t") == 1
    assert second.update("k", 50, HOUR, T0, 1000, "t") == 2
    assert first.update("k", 50, HOUR, T0, 1000, "t") == 3


_SQLITE_WORKER = textwrap.dedent(
    """
    import sys
    from sieve.mapping.stores import SQLiteStore
    store = SQLiteStore(sys.argv[1])
    store.update("warm-up", 50, 3600.0, 1e9, 1000, "t")  # connected before the start signal
    print("ready", flush=True)
    sys.stdin.readline()
    over = sum(store.update("k", 250, 3600.0, 1e9, 1000, "t") > 250 for _ in range(200))
    print(over)
    """
)


def race(command: list[str], processes: int = 2) -> int:
    """Runs the worker in several processes, released together once all are connected; returns
    the sum of the numbers they print."""
    workers = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    for worker in workers:  # a barrier: the hits start once every worker is connected
        assert worker.stdout is not None and worker.stdout.readline() == "ready\n"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    return sum(int(worker.communicate(timeout=30)[0]) for worker in workers)


def test_two_processes_on_one_sqlite_file_count_every_hit_once(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    SQLiteStore(path).close()  # create the schema before the race
    over = race([sys.executable, "-c", _SQLITE_WORKER, path])
    assert over == 400 - 250  # 400 hits at one instant: exactly 250 allowed, whoever made them


def test_sqlite_state_survives_a_damaged_row(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "state.db")
    store.update("k", 50, HOUR, T0, 1000, "t")
    store.update("other", 50, HOUR, T0, 1000, "t")
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("UPDATE throttle_hits SET count = 'garbage' WHERE key = ?", (b"k",))
        db.execute("UPDATE throttle_tables SET entries = 'damaged'")
    assert store.update("k", 50, HOUR, T0, 1000, "t") == 1  # read as a fresh entry
    assert store.update("other", 50, HOUR, T0, 1000, "t") == 2
    store.update("third", 50, HOUR, T0, 2, "t")  # the bookkeeping is rebuilt: eviction works
    assert store.entries("t") == 2


def test_an_unusable_state_file_is_reported_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-database"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match="not-a-database"):
        SQLiteStore(bad)


# ---------------------------------------------------------------------------------------------
# memcached


def test_memcached_keys_are_readable_or_hashed_and_always_valid() -> None:
    assert memcached_key("p:", "limitauthspam", "a@b|c@d") == "p:13.limitauthspam.a@b|c@d"
    for key in ["a b", "tab\there", "ctl\x01", "é", "x" * 300]:
        mkey = memcached_key("p:", "t", key)
        assert mkey.startswith("p:h.") and len(mkey) <= 250
        assert all("!" <= ch <= "~" for ch in mkey)
    # The length prefix keeps table and key apart: ("a.b", "c") is not ("a", "b.c").
    assert memcached_key("p:", "a.b", "c") != memcached_key("p:", "a", "b.c")
    assert memcached_key("p:", "t", "a b") != memcached_key("p:", "t", "a  b")


def test_memcached_server_lists() -> None:
    assert parse_servers("10.0.0.1:11311, cache") == [("10.0.0.1", 11311), ("cache", 11211)]
    assert parse_servers(["[::1]:11400", "/run/mc.sock"]) == [("::1", 11400), "/run/mc.sock"]
    with pytest.raises(StoreConfigError):
        parse_servers("host:port")
    with pytest.raises(StoreConfigError):
        parse_servers("")
    with pytest.raises(StoreConfigError):
        MemcachedStore("127.0.0.1:1", prefix="has space")


def meta_ttl(server: MemcachedServer, key: str) -> int:
    """The seconds to live memcached holds for a key (meta get with the t flag)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as conn:
        conn.sendall(f"mg {key} t\r\n".encode())
        reply = conn.recv(200).decode()
    assert reply.startswith("HD "), reply
    return int(reply.split()[1][1:])


def test_memcached_keys_expire_once_their_count_has_decayed(memcached: MemcachedServer) -> None:
    store = MemcachedStore(memcached.address, prefix="expiry:")
    for _ in range(25):
        store.update("k", 50, HOUR, T0, 1000, "t")
    # 25 of 50 per hour decay to zero in half an hour: then memcached forgets the key.
    assert 1795 <= meta_ttl(memcached, memcached_key("expiry:", "t", "k")) <= 1800
    assert _expiry(0.2, 50, 1.0) == 1  # never 0, which would mean "never expires"
    assert _expiry(1e12, 1, HOUR) == 30 * 24 * 3600  # never read as an absolute time


def test_memcached_overwrites_a_value_it_did_not_write(memcached: MemcachedServer) -> None:
    store = MemcachedStore(memcached.address, prefix="garbage:")
    store._client(0).set(memcached_key("garbage:", "t", "k"), b"not a count", noreply=False)
    assert store.update("k", 50, HOUR, T0, 1000, "t") == 1
    assert store.update("k", 50, HOUR, T0, 1000, "t") == 2


_MEMCACHED_WORKER = textwrap.dedent(
    """
    import sys
    from sieve.mapping.stores import MemcachedStore
    store = MemcachedStore(sys.argv[1], prefix="race:")
    store.update("warm-up", 50, 3600.0, 1e9, 1000, "t")  # connected before the start signal
    print("ready", flush=True)
    sys.stdin.readline()
    over = sum(store.update("k", 250, 3600.0, 1e9, 1000, "t") > 250 for _ in range(200))
    print(over)
    """
)


def test_two_processes_on_one_memcached_count_every_hit_once(memcached: MemcachedServer) -> None:
    over = race([sys.executable, "-c", _MEMCACHED_WORKER, memcached.address])
    assert over == 400 - 250  # gets/cas: no hit lost or counted twice under contention


def test_an_unreachable_memcached_is_unavailable_not_an_error() -> None:
    with socket_closed_port() as port:
        store = MemcachedStore(f"127.0.0.1:{port}", timeout=0.2)
        with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}"):
            store.update("k", 50, HOUR, T0, 1000, "t")


@contextmanager
def socket_closed_port() -> Iterator[int]:
    """A loopback port that nothing listens on (bound, never listening, so no one takes it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# Properties

hit_sequences = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.floats(min_value=0, max_value=2 * HOUR, allow_nan=False),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(
    hit_sequences,
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
)
def test_memory_and_sqlite_agree_and_counts_stay_between_zero_and_hits(
    sequence: list[tuple[str, float]], quota: int, max_entries: int, penalize: bool
) -> None:
    memory, sqlite = MemoryStore(), SQLiteStore(":memory:")
    hits_per_key: dict[str, int] = {}
    now = T0
    for key, step in sequence:
        now += step
        hits_per_key[key] = hits_per_key.get(key, 0) + 1
        seen = memory.update(key, quota, HOUR, now, max_entries, "t", penalize=penalize)
        assert seen == sqlite.update(key, quota, HOUR, now, max_entries, "t", penalize=penalize)
        # The hit itself is in `seen`; the stored count before it was within [0, hits - 1].
        assert 1 <= seen <= hits_per_key[key]
        assert math.isfinite(seen)
    assert memory.entries("t") == sqlite.entries("t") <= max_entries


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=-HOUR, max_value=HOUR, allow_nan=False), max_size=40),
    st.integers(min_value=1, max_value=5),
)
def test_any_clock_never_makes_a_count_negative_or_larger_than_the_hits(
    steps: list[float], quota: int
) -> None:
    # Hosts sharing memcached may disagree about the time: steps go both ways here.
    count, updated, now = 0.0, T0, T0
    for n, step in enumerate(steps, start=1):
        now += step
        seen, count, updated = advance(count, updated, now, quota, HOUR)
        assert 0 <= count <= seen <= n
