"""Issue 8's scale-out: two service instances count against one memcached, so the Oracle
rate-limiting filter keeps a single quota across hosts."""

from __future__ import annotations

import email
import smtplib
from collections.abc import Callable
from pathlib import Path

from tests.mapping.conftest import MemcachedServer
from tests.serve.conftest import RunningService, Sink

ORACLE = Path(__file__).resolve().parents[2] / "corpus" / "oracle"
SPAM = (ORACLE / "messages" / "outbound-spam.eml").read_bytes()


def test_two_instances_share_one_throttle_quota(
    sink: Sink,
    start_service: Callable[..., RunningService],
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    server = memcached_factory()
    oracle = {
        "system": ORACLE / "authspam.filter",
        "dialect": "oracle",
        "mappings": ORACLE / "mappings",
        "throttle": ORACLE / "throttle.toml",
        "memcached": server.address,
    }
    first, second = start_service(**oracle), start_service(**oracle)
    for service, count in ((first, 30), (second, 21)):
        with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as client:
            for _ in range(count):
                assert client.sendmail("u@example.com", ["x@example.net"], SPAM) == {}
    delivered = sink.to("x@example.net")
    notices = sink.to("u@example.com")
    assert len(delivered) == 50  # the quota, counted across both instances
    (notice,) = notices  # the 51st overall is rejected with a notice to the sender
    text = email.message_from_bytes(notice.data).get_payload(0).get_payload()
    assert "sending a lot of messages that appear to be spam" in text


def test_two_instances_share_the_duplicate_memory(
    tmp_path: Path,
    sink: Sink,
    start_service: Callable[..., RunningService],
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    """RFC 7352 duplicate tracking across hosts: the same Message-ID through the second
    instance is known as a duplicate."""
    server = memcached_factory()
    script = tmp_path / "dedup.sieve"
    script.write_text('require "duplicate"; if duplicate { discard; }\n')
    first = start_service(system=script, memcached=server.address)
    second = start_service(system=script, memcached=server.address)
    mail = b"Message-ID: <once@example.com>\r\nSubject: once\r\n\r\nhello\r\n"
    for service in (first, second, first):
        with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as client:
            assert client.sendmail("a@example.com", ["bob@example.net"], mail) == {}
    assert len(sink.to("bob@example.net")) == 1  # the later two were discarded
