"""The `throttle` mapping routine (MeterMaid's check_metermaid.so): settings, counting, policy."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from sieve.mapping.stores import MemcachedStore, MemoryStore, SQLiteStore, StoreUnavailable
from sieve.mapping.throttle import (
    Throttle,
    ThrottleConfigError,
    ThrottleTable,
    UnknownThrottleTable,
    load_throttle_config,
    load_throttle_settings,
)
from tests.mapping.conftest import MemcachedServer

ROOT = Path(__file__).resolve().parents[2]
GUIDE_CONFIG = ROOT / "corpus" / "oracle" / "throttle.toml"
HOUR = 3600.0


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def limitauthspam(**overrides: object) -> dict[str, ThrottleTable]:
    settings: dict = {"quota": 50, "quota_time": HOUR, "max_entries": 1000, "nocase": True}
    settings.update(overrides)
    return {"limitauthspam": ThrottleTable("limitauthspam", **settings)}


# ---------------------------------------------------------------------------------------------
# Configuration


def test_the_guide_configuration_sets_up_limitauthspam() -> None:
    tables = load_throttle_config(GUIDE_CONFIG)
    assert tables == {
        "limitauthspam": ThrottleTable(
            "limitauthspam", quota=50, quota_time=3600, max_entries=1000, nocase=True
        )
    }
    assert load_throttle_settings(GUIDE_CONFIG).fail_open is True


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tables.t]\nquota_time = 60\n", "tables.t.quota: missing"),
        ("[tables.t]\nquota = 0\nquota_time = 60\n", "tables.t.quota: must be"),
        ('[tables.t]\nquota = "50"\nquota_time = 60\n', "tables.t.quota: must be"),
        ("[tables.t]\nquota = 5\nquota_time = -1\n", "tables.t.quota_time: must be"),
        ("[tables.t]\nquota = 5\nquota_time = 60\nnocase = 1\n", "tables.t.nocase: must be"),
        ("[tables.t]\nquota = 5\nquota_tme = 60\n", "tables.t.quota_tme: unknown key"),
        ("fail_open = 'yes'\n", "fail_open: must be true or false"),
        ("[memcached]\nservers = []\n", "memcached.servers"),
        ("quota = [\n", "not valid TOML"),
    ],
)
def test_configuration_errors_name_the_file_and_the_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "throttle.toml"
    path.write_text(text)
    with pytest.raises(ThrottleConfigError) as error:
        load_throttle_settings(path)
    assert str(error.value).startswith(f"{path}: ")
    assert named in str(error.value)


def test_a_missing_configuration_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ThrottleConfigError, match="nothing.toml: cannot read"):
        load_throttle_config(tmp_path / "nothing.toml")


def test_tables_built_in_code_are_checked_too() -> None:
    with pytest.raises(ThrottleConfigError, match="'t': quota_time must be"):
        ThrottleTable("t", quota=5, quota_time=0)


def test_the_store_follows_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "throttle.toml"
    config.write_text("[tables.t]\nquota = 5\nquota_time = 60\n")
    assert isinstance(Throttle.from_settings(load_throttle_settings(config)).store, MemoryStore)
    state = tmp_path / "state.db"
    with_state = Throttle.from_settings(load_throttle_settings(config), state=state)
    assert isinstance(with_state.store, SQLiteStore)
    config.write_text(
        "fail_open = false\n[memcached]\nservers = ['127.0.0.1:11211']\n"
        "[tables.t]\nquota = 5\nquota_time = 60\n"
    )
    shared = Throttle.from_settings(load_throttle_settings(config), state=state)
    assert isinstance(shared.store, MemcachedStore) and shared.fail_open is False


# ---------------------------------------------------------------------------------------------
# Counting


def test_the_51st_hit_in_an_hour_is_over_a_quota_of_50() -> None:
    clock = FakeClock()
    throttle = Throttle(limitauthspam(), clock=clock)
    results = []
    for _ in range(51):
        results.append(throttle.check("limitauthspam", "spammer@example.com|victim@example.org"))
        clock.advance(1)  # a burst: what decays meanwhile (51 s of 72 s per hit) frees none
    assert results == [False] * 50 + [True]


def test_a_steady_rate_at_the_quota_is_never_over() -> None:
    # A weighted rate, not a window: 50 an hour evenly spread (one per 72 s) is always allowed,
    # however many hours it goes on, while 51 at once are not.
    clock = FakeClock()
    throttle = Throttle(limitauthspam(), clock=clock)
    results = []
    for _ in range(200):
        results.append(throttle.check("limitauthspam", "k"))
        clock.advance(72)
    assert not any(results)


def test_the_quota_frees_up_linearly_not_all_at_once_after_quota_time() -> None:
    clock = FakeClock()
    throttle = Throttle({"t": ThrottleTable("t", quota=1250, quota_time=HOUR)}, clock=clock)
    assert not any(throttle.check("t", "k") for _ in range(1250))  # all used at once
    assert throttle.check("t", "k")
    clock.advance(1800)  # half an hour later, half of them are free again
    assert [throttle.check("t", "k") for _ in range(626)] == [False] * 625 + [True]


def test_hits_refused_while_over_quota_do_not_count() -> None:
    # A sender that retries every second while over quota is still let through at the
    # quota's rate: 50 an hour is one every 72 seconds.
    clock = FakeClock()
    throttle = Throttle(limitauthspam(), clock=clock)
    allowed = 0
    for _ in range(2 * 3600):
        allowed += not throttle.check("limitauthspam", "k")
        clock.advance(1)
    assert allowed == 50 + 100 - 1  # the first burst, then one per 72 s (the last one pending)


def test_penalize_counts_refused_hits_so_retrying_keeps_the_block() -> None:
    clock = FakeClock()
    throttle = Throttle(limitauthspam(penalize=True), clock=clock)
    allowed = 0
    for _ in range(2 * 3600):
        allowed += not throttle.check("limitauthspam", "k")
        clock.advance(1)
    assert allowed == 50


def test_nocase_tables_count_keys_that_differ_only_in_case_together() -> None:
    throttle = Throttle(limitauthspam(quota=2), clock=FakeClock())
    assert not throttle.check("limitauthspam", "Spammer@Example.COM")
    assert not throttle.check("limitauthspam", "spammer@example.com")
    assert throttle.check("limitauthspam", "SPAMMER@EXAMPLE.COM")

    exact = Throttle(limitauthspam(quota=2, nocase=False), clock=FakeClock())
    assert not exact.check("limitauthspam", "A@x")
    assert not exact.check("limitauthspam", "a@x")
    assert not exact.check("limitauthspam", "A@x")
    assert exact.check("limitauthspam", "A@x")


def test_max_entries_forgets_the_oldest_keys() -> None:
    throttle = Throttle(limitauthspam(quota=1, max_entries=2), clock=FakeClock())
    assert not throttle.check("limitauthspam", "first")
    assert throttle.check("limitauthspam", "first")
    throttle.check("limitauthspam", "second")
    throttle.check("limitauthspam", "third")  # "first" is dropped to make room
    assert not throttle.check("limitauthspam", "first")


def test_an_unknown_table_is_an_error_for_check() -> None:
    with pytest.raises(UnknownThrottleTable):
        Throttle(limitauthspam()).check("nosuchtable", "k")


# ---------------------------------------------------------------------------------------------
# The routine


def test_the_routine_succeeds_when_over_quota_and_fails_otherwise() -> None:
    throttle = Throttle(limitauthspam(quota=1), clock=FakeClock())
    assert throttle.routine(["limitauthspam", "a@x|b@y"]) is None  # under: the entry fails
    assert throttle.routine(["limitauthspam", "a@x|b@y"]) == ""  # over: the entry goes on


def test_a_key_split_at_its_commas_is_counted_whole() -> None:
    throttle = Throttle(limitauthspam(quota=1), clock=FakeClock())
    throttle.routine(["limitauthspam", "a,b"])
    assert throttle.routine(["limitauthspam", "a", "b"]) == ""
    assert throttle.routine(["limitauthspam", "a"]) is None


def test_an_unknown_table_fails_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    throttle = Throttle(limitauthspam())
    with caplog.at_level(logging.WARNING, logger="sieve.mapping.throttle"):
        assert throttle.routine(["nosuchtable", "k"]) is None
        assert throttle.routine(["nosuchtable", "k"]) is None
    assert [r.getMessage() for r in caplog.records] == [
        "throttle: no throttle table named 'nosuchtable'; the routine fails"
    ]


def test_missing_arguments_fail_the_routine() -> None:
    throttle = Throttle(limitauthspam())
    assert throttle.routine([]) is None
    assert throttle.routine(["limitauthspam"]) is None


class FlakyStore:
    """A store that is down while `down` is set, and counts how often it was asked."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.memory = MemoryStore()

    def update(
        self, key: str, quota: int, quota_time: float, now: float, max_entries: int, table: str
    ) -> float:
        self.calls += 1
        if self.down:
            raise StoreUnavailable("backend down")
        return self.memory.update(key, quota, quota_time, now, max_entries, table)


@pytest.mark.parametrize(("fail_open", "answer"), [(True, None), (False, "")])
def test_a_store_outage_applies_the_policy_and_is_logged_once(
    caplog: pytest.LogCaptureFixture, fail_open: bool, answer: str | None
) -> None:
    store, clock = FlakyStore(), FakeClock()
    throttle = Throttle(limitauthspam(), store=store, clock=clock, fail_open=fail_open)
    store.down = True
    with caplog.at_level(logging.WARNING, logger="sieve.mapping.throttle"):
        assert [throttle.routine(["limitauthspam", "k"]) for _ in range(5)] == [answer] * 5
    assert len(caplog.records) == 1 and "backend down" in caplog.records[0].getMessage()
    assert store.calls == 1  # left alone for retry_interval: no timeout paid per message


def test_counting_resumes_after_an_outage_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    store, clock = FlakyStore(), FakeClock()
    throttle = Throttle(limitauthspam(quota=1), store=store, clock=clock, retry_interval=15)
    store.down = True
    with caplog.at_level(logging.WARNING, logger="sieve.mapping.throttle"):
        assert throttle.routine(["limitauthspam", "k"]) is None
        store.down = False
        clock.advance(16)
        assert throttle.routine(["limitauthspam", "k"]) is None  # counted: 1 of 1
        assert throttle.routine(["limitauthspam", "k"]) == ""
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and "available again" in messages[1]


# ---------------------------------------------------------------------------------------------
# Against a real memcached

_HOST_WORKER = textwrap.dedent(
    """
    import sys
    from sieve.mapping.stores import MemcachedStore
    from sieve.mapping.throttle import Throttle, ThrottleTable
    tables = {"limitauthspam": ThrottleTable("limitauthspam", 50, 3600.0, nocase=True)}
    throttle = Throttle(tables, MemcachedStore(sys.argv[1], prefix="hosts:"))
    print("ready", flush=True)
    sys.stdin.readline()
    answers = [throttle.routine(["limitauthspam", "A@x|b@y"]) for _ in range(25)]
    print(answers.count(""))
    """
)


def test_two_hosts_on_one_memcached_share_one_count(memcached: MemcachedServer) -> None:
    hosts = [
        subprocess.Popen(
            [sys.executable, "-c", _HOST_WORKER, memcached.address],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for host in hosts:
        assert host.stdout is not None and host.stdout.readline() == "ready\n"
    for host in hosts:
        assert host.stdin is not None
        host.stdin.write("go\n")
        host.stdin.flush()
    over = [int(host.communicate(timeout=30)[0]) for host in hosts]
    assert over == [0, 0]  # 50 hits between them: all within the quota
    here = Throttle(limitauthspam(), MemcachedStore(memcached.address, prefix="hosts:"))
    assert here.routine(["limitauthspam", "a@X|B@Y"]) == ""  # the 51st overall is over


@pytest.mark.parametrize(("fail_open", "answer"), [(True, None), (False, "")])
def test_memcached_stopped_midway(
    memcached_factory: Callable[[], MemcachedServer],
    caplog: pytest.LogCaptureFixture,
    fail_open: bool,
    answer: str | None,
) -> None:
    server = memcached_factory()
    store = MemcachedStore(server.address, timeout=0.5)
    throttle = Throttle(limitauthspam(quota=1), store, fail_open=fail_open, retry_interval=0)
    assert throttle.routine(["limitauthspam", "k"]) is None
    assert throttle.routine(["limitauthspam", "k"]) == ""  # counting works while it is up
    server.stop()
    with caplog.at_level(logging.WARNING, logger="sieve.mapping.throttle"):
        # retry_interval=0: every call really tries the dead server, and none raises.
        assert [throttle.routine(["limitauthspam", "k"]) for _ in range(3)] == [answer] * 3
    assert len(caplog.records) == 1
    assert server.address in caplog.records[0].getMessage()
