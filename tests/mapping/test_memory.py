"""The duplicate and vacation memories on memcached (sieve.mapping.memory)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from sieve.mapping.memory import MemcachedMemory
from sieve.mapping.stores import memcached_key, parse_servers, pick_server
from tests.mapping.conftest import MemcachedServer, _free_port


def test_the_first_mark_wins_and_others_see_it(
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    server = memcached_factory()
    one, two = MemcachedMemory(server.address), MemcachedMemory(server.address)
    assert one.seen("duplicate", "<id@example.com>", 3600, mark=False) is False
    assert one.seen("duplicate", "<id@example.com>", 3600, mark=True) is False
    assert two.seen("duplicate", "<id@example.com>", 3600, mark=False) is True
    assert two.seen("duplicate", "<id@example.com>", 3600, mark=True) is True
    assert two.seen("vacation", "<id@example.com>", 3600, mark=False) is False  # other kind


def test_an_unreachable_server_answers_not_seen_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    memory = MemcachedMemory(f"127.0.0.1:{_free_port()}", timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="sieve.memory"):
        answers = [memory.seen("duplicate", "k", 60, mark=True) for _ in range(3)]
    assert answers == [False, False, False]  # mail is delivered, never lost
    assert len([r for r in caplog.records if "unreachable" in r.message]) == 1


def test_keys_spread_over_the_servers_as_the_throttle_store_spreads_them(
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    one, two = memcached_factory(), memcached_factory()
    both = MemcachedMemory(f"{one.address},{two.address}")
    keys = [f"<{n}@example.com>" for n in range(20)]
    for key in keys:
        assert both.seen("duplicate", key, 3600, mark=True) is False
    on_one = {k for k in keys if MemcachedMemory(one.address).seen("duplicate", k, 60, False)}
    on_two = {k for k in keys if MemcachedMemory(two.address).seen("duplicate", k, 60, False)}
    assert on_one and on_two and on_one.isdisjoint(on_two) and on_one | on_two == set(keys)
    servers = parse_servers([one.address, two.address])
    for key in keys:  # the server the store's rendezvous hashing picks for the key
        index = pick_server(servers, memcached_key("sieve-seen:", "duplicate", key))
        assert key in (on_one, on_two)[index]
    assert all(both.seen("duplicate", key, 3600, mark=False) for key in keys)
