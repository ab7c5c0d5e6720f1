"""Issue 5's acceptance: the two scripts of Oracle's security guide, run as `sieve run` runs
them, against the guide's mapping tables and throttle settings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import sieve
from sieve.mapping.callouts import CalloutLinks
from sieve.mapping.evaluate import Routines
from sieve.mapping.greylist import Greylist
from sieve.mapping.host import MappingHost, oracle_host
from sieve.mapping.tables import load_mappings
from sieve.mapping.throttle import load_throttle_settings
from tests.mapping.conftest import MemcachedServer

ROOT = Path(__file__).resolve().parents[2]
ORACLE = ROOT / "corpus" / "oracle"
SPAM = ORACLE / "messages" / "outbound-spam.eml"
CLEAN = ORACLE / "messages" / "clean.eml"
REASON = "Your account has been sending a lot of messages that appear to be spam. "


def run_cli(*args: str, messages: list[Path], to: str = "x@example.net") -> list[dict]:
    command = [sys.executable, "-m", "sieve", "run", "--dialect", "oracle"]
    command += ["--mappings", str(ORACLE / "mappings"), *args]
    command += [str(ORACLE / "authspam.filter"), *map(str, messages)]
    command += ["--from", "u@example.com", "--to", to, "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return [json.loads(line) for line in lines] if len(messages) > 1 else [json.loads(done.stdout)]


def rejected(documents: list[dict]) -> list[int]:
    """1-based positions of the messages the filter rejected."""
    found = []
    for number, document in enumerate(documents, 1):
        assert document["status"] == "success"
        if document["actions"]:
            assert document["actions"] == [{"type": "reject", "reason": REASON}]
            assert document["implicit_keep"] is False
            found.append(number)
        else:
            assert document["implicit_keep"] is True
    return found


def test_the_51st_spam_message_within_the_hour_is_rejected() -> None:
    assert rejected(run_cli(messages=[SPAM] * 52)) == [51, 52]


def test_abuse_and_postmaster_and_clean_mail_are_never_rejected() -> None:
    assert rejected(run_cli(messages=[SPAM] * 55, to="abuse@example.net")) == []
    assert rejected(run_cli(messages=[SPAM] * 55, to="postmaster@example.net")) == []
    assert rejected(run_cli(messages=[CLEAN] * 55)) == []


def test_separate_runs_share_counts_through_the_state_file(tmp_path: Path) -> None:
    state = str(tmp_path / "throttle.sqlite")
    assert rejected(run_cli("--state", state, messages=[SPAM] * 30)) == []
    assert rejected(run_cli("--state", state, messages=[SPAM] * 21)) == [21]


def test_two_processes_share_one_count_in_memcached(
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    server = memcached_factory()
    first = run_cli("--memcached", server.address, messages=[SPAM] * 30)
    second = run_cli("--memcached", server.address, messages=[SPAM] * 21)
    assert rejected(first) == []
    assert rejected(second) == [21]  # the 51st message overall


def test_memcached_stopping_mid_run_loses_no_message(
    memcached_factory: Callable[[], MemcachedServer],
) -> None:
    server = memcached_factory()
    script = sieve.compile((ORACLE / "authspam.filter").read_bytes(), dialect="oracle")
    envelope = sieve.Envelope(mail_from="u@example.com", rcpt_to="x@example.net")
    outcomes = {}
    for fail_open in (True, False):
        host = oracle_host(
            ORACLE / "mappings",
            throttle=ORACLE / "throttle.toml",
            memcached=server.address,
            fail_open=fail_open,
        )
        results = [script.run(SPAM.read_bytes(), envelope, host=host) for _ in range(10)]
        server.stop()  # the outage, between two messages
        results += [script.run(SPAM.read_bytes(), envelope, host=host) for _ in range(5)]
        server.start()
        # Every message has an outcome: delivered by the implicit keep, or refused.
        assert all(r.status == "success" for r in results)
        assert all(r.implicit_keep or r.actions[0].type == "reject" for r in results)
        outcomes[fail_open] = [bool(r.actions) for r in results]
    assert outcomes[True] == [False] * 15  # fail open: the outage lets mail through
    assert outcomes[False][:10] == [False] * 10 and outcomes[False][10:] == [True] * 5


# Greylisting (greylist.sieve and FILTER_GREYLIST).


def greylist_run(host: MappingHost, message: bytes) -> sieve.Result:
    script = sieve.compile((ORACLE / "greylist.sieve").read_bytes(), dialect="oracle")
    envelope = sieve.Envelope(mail_from="u@example.com", rcpt_to="x@example.net")
    return script.run(message, envelope, host=host)


def test_greylisting_erejects_a_new_triplet_and_accepts_the_retry() -> None:
    now = [1_000_000.0]
    routines = Routines()
    routines.register("grosscheck", Greylist(delay=10, clock=lambda: now[0]).routine)
    host = MappingHost(
        mappings=load_mappings(ORACLE / "mappings"),
        routines=routines,
        links=CalloutLinks({"greylst": "FILTER_GREYLIST"}),
        clock=lambda: datetime.fromtimestamp(now[0], UTC),
    )
    message = SPAM.read_bytes()
    first = greylist_run(host, message)
    assert [a.type for a in first.actions] == ["ereject"]
    assert first.actions[0].reason.startswith("Delivery failed. Please wait 10 seconds")
    now[0] += 5
    assert [a.type for a in greylist_run(host, message).actions] == ["ereject"]  # too early
    now[0] += 6
    retry = greylist_run(host, message)
    assert retry.actions == [] and retry.implicit_keep is True
    other = message.replace(b"u@example.com", b"w@example.com")
    assert [a.type for a in greylist_run(host, other).actions] == ["ereject"]  # new triplet


def test_greylisting_from_the_command_line() -> None:
    command = [sys.executable, "-m", "sieve", "run", "--dialect", "oracle"]
    command += ["--mappings", str(ORACLE / "mappings"), "--callout", "greylst=FILTER_GREYLIST"]
    command += ["--greylist-delay", "0", str(ORACLE / "greylist.sieve"), str(SPAM), str(SPAM)]
    command += ["--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert [a["type"] for a in first["actions"]] == ["ereject"]
    assert second["actions"] == [] and second["implicit_keep"] is True


def test_an_unlinked_callout_names_the_closest_table() -> None:
    command = [sys.executable, "-m", "sieve", "check", "--dialect", "oracle"]
    command += ["--mappings", str(ORACLE / "mappings"), str(ORACLE / "greylist.sieve")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 1
    assert "[unknown-mapping-table]" in done.stdout
    assert "did you mean FILTER_GREYLIST?" in done.stdout
    linked = subprocess.run(
        [*command, "--callout", "greylst=FILTER_GREYLIST"], capture_output=True, text=True, cwd=ROOT
    )
    assert linked.returncode == 0, linked.stdout


@pytest.mark.parametrize("name", ["authspam-verbatim.filter", "greylist-verbatim.sieve"])
def test_the_verbatim_guide_scripts_point_at_the_first_lost_comment(name: str) -> None:
    with pytest.raises(sieve.CompileError) as error:
        sieve.compile((ORACLE / name).read_bytes(), dialect="oracle")
    first = error.value.diagnostics[0]
    assert first.code == "prose-line" and first.line == 2
    assert "#" in first.hint


def test_a_malformed_mapping_file_is_reported_with_file_line_and_reason() -> None:
    command = [sys.executable, "-m", "sieve", "run", "--dialect", "oracle"]
    command += ["--mappings", str(ORACLE / "mappings-verbatim"), str(ORACLE / "authspam.filter")]
    done = subprocess.run([*command, str(SPAM)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert "mappings-verbatim:12: error: the pattern `*|*|*` has no template" in done.stderr
    assert "mappings-verbatim:7: warning:" in done.stderr  # the ${…} spelling
    assert "hint: write `$Y$E`" in done.stderr


def test_the_now_clock_is_the_throttles_clock(tmp_path: Path) -> None:
    """`--now` fixes the throttle's clock too: counts decay by the given times, not by
    how long the runs took."""
    state = str(tmp_path / "counts.sqlite")
    first = run_cli("--state", state, "--now", "2030-01-01T10:00:00Z", messages=[SPAM] * 51)
    assert rejected(first) == [51]
    # An hour later by the clock: the quota is free again, though no real time passed.
    later = run_cli("--state", state, "--now", "2030-01-01T11:00:00Z", messages=[SPAM] * 2)
    assert rejected(later) == []
    # The same moment again: the count stands where the first run left it.
    again = run_cli("--state", str(tmp_path / "other.sqlite"), "--now", "2030-01-01T10:00:00Z",
                    messages=[SPAM] * 51)  # fmt: skip
    assert rejected(again) == [51]


def test_the_hosts_clock_drives_the_throttle_and_the_greylist() -> None:
    moment = [datetime(2030, 1, 1, tzinfo=UTC)]
    host = oracle_host(
        throttle=ORACLE / "throttle.toml", greylist_delay=10.0, clock=lambda: moment[0]
    )
    throttle = host.routines.get("throttle")
    greylist = host.routines.get("grosscheck")
    assert throttle is not None and greylist is not None
    settings = load_throttle_settings(ORACLE / "throttle.toml")
    table, spec = next(iter(settings.tables.items()))
    answers = [throttle([table, "sender@example.com"]) for _ in range(spec.quota + 1)]
    assert answers[-1] == "" and None in answers[:-1]  # the hit past the quota is over
    assert greylist(["", "", "", "192.0.2.1", "a@x", "b@y"]) is not None  # first: wait
    moment[0] += timedelta(seconds=spec.quota_time)
    assert throttle([table, "sender@example.com"]) is None  # decayed by the host's clock
    assert greylist(["", "", "", "192.0.2.1", "a@x", "b@y"]) is None  # the delay is over
