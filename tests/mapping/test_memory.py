"""The duplicate and vacation memories on memcached (sieve.mapping.memory)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from sieve.mapping.memory import MemcachedMemory
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
