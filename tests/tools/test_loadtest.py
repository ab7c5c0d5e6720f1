"""The load test's accounting, its id parsing, and quick runs on loopback: 2 clients x 20
messages through the plain relay and through `sieve serve`, with every message accounted."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def load_loadtest() -> ModuleType:
    """tools/ is not a package: load the script as a module by its path."""
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "tools" / "loadtest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


lt = load_loadtest()

needs_serve = pytest.mark.skipif(not lt.serve_available(), reason="no `sieve serve` here")


def sent(*ids: str) -> list:
    return [lt.LoadMessage(load_id, "a@example.com", "b@example.com", b"") for load_id in ids]


def replied(load_id: str, code: int | None, reply: str = "") -> object:
    return lt.Outcome(load_id, code, reply, 0.01)


# --- the accounting -------------------------------------------------------------------


def test_relayed_refused_and_discarded_messages_are_all_accounted_for() -> None:
    outcomes = [replied("m1", 250), replied("m2", 550, "5.7.1 no thanks"), replied("m3", 250)]
    result = lt.account(sent("m1", "m2", "m3"), outcomes, Counter({"m1": 1}), set(), {"m3"})
    assert result.ok
    assert result.relayed == {"m1"}
    assert result.refused == {"m2": "550 5.7.1 no thanks"}
    assert result.discarded == {"m3"}


def test_an_accepted_message_the_sink_never_saw_is_missing() -> None:
    result = lt.account(sent("m1"), [replied("m1", 250)], Counter(), set(), set())
    assert not result.ok
    assert result.missing == {"m1"}
    assert result.problems() == ["missing: 1: m1"]


def test_a_message_without_any_reply_and_no_copy_is_missing() -> None:
    result = lt.account(sent("m1", "m2"), [replied("m1", 250)], Counter({"m1": 1}), set(), set())
    assert result.missing == {"m2"}
    assert result.relayed == {"m1"}


def test_the_same_copy_twice_at_the_sink_is_a_duplicate() -> None:
    result = lt.account(sent("m1"), [replied("m1", 250)], Counter({"m1": 1}), {"m1"}, set())
    assert result.duplicated == {"m1"}
    assert not result.ok


def test_a_refused_message_that_was_relayed_anyway_is_a_duplicate() -> None:
    # The sender retries after 451, so the copy already relayed would arrive twice.
    outcomes = [replied("m1", 451, "4.4.1 try later")]
    result = lt.account(sent("m1"), outcomes, Counter({"m1": 1}), set(), set())
    assert result.duplicated == {"m1"}
    assert result.refused == {}


def test_a_relayed_message_whose_client_got_no_reply_is_a_problem() -> None:
    outcomes = [replied("m1", None, "SMTPServerDisconnected: gone")]
    result = lt.account(sent("m1"), outcomes, Counter({"m1": 1}), set(), set())
    assert result.unacknowledged == {"m1"}
    assert not result.ok


def test_a_copy_the_run_never_sent_is_reported() -> None:
    result = lt.account(sent("m1"), [replied("m1", 250)], Counter({"m1": 1, "x9": 1}), set(), set())
    assert result.unexpected == {"x9"}
    assert not result.ok


def test_a_discard_the_filter_did_not_predict_is_missing() -> None:
    result = lt.account(sent("m1"), [replied("m1", 250)], Counter(), set(), {"other"})
    assert result.missing == {"m1"}


# --- ids, copies and figures ----------------------------------------------------------


def test_the_load_id_is_read_from_the_message_head_only() -> None:
    notice = (
        b"From: MAILER-DAEMON@localhost\r\nContent-Type: message/rfc822\r\n\r\n"
        b"X-Loadtest-Id: lt-000001\r\nSubject: the original\r\n\r\nbody\r\n"
    )
    assert lt.load_id_of(notice) is None
    assert lt.load_id_of(b"X-Sieve-Mailbox: Junk\r\nx-loadtest-id: lt-000002\r\n\r\n") == (
        "lt-000002"
    )


def test_with_load_id_puts_the_header_on_top_and_crlf_line_ends() -> None:
    data = lt.with_load_id(b"Subject: hi\n\nline one\nline two\n", "lt-000007")
    assert data == b"X-Loadtest-Id: lt-000007\r\nSubject: hi\r\n\r\nline one\r\nline two\r\n"
    assert lt.load_id_of(data) == "lt-000007"


def test_copies_filed_into_two_folders_are_distinct_but_the_same_folder_is_not() -> None:
    junk = lt.copy_key(b"X-Sieve-Mailbox: Junk\r\nX-Loadtest-Id: a\r\n\r\n", ["b@x", "a@x"])
    inbox = lt.copy_key(b"X-Sieve-Mailbox: INBOX\r\nX-Loadtest-Id: a\r\n\r\n", ["a@x", "b@x"])
    again = lt.copy_key(b"X-Sieve-Mailbox: Junk\r\n\r\n", ["a@x", "b@x"])
    assert junk == ("a@x", "b@x", "Junk") == again
    assert junk != inbox


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_hostile_content_never_breaks_the_id_reader(content: bytes) -> None:
    found = lt.load_id_of(content)
    assert found is None or (found and not any(c.isspace() for c in found))
    assert isinstance(lt.copy_key(content, ["r@x"]), tuple)


def test_the_id_reader_is_linear_on_a_huge_header_line() -> None:
    content = b"X-Loadtest-Id:" + b" " * 2_000_000 + b"\r\n" + b"a" * 2_000_000
    started = time.perf_counter()
    assert lt.load_id_of(content) is None
    assert time.perf_counter() - started < 1.0


def test_percentiles_use_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [lt.percentile(values, s) for s in (0.5, 0.9, 0.99)] == [50.0, 90.0, 99.0]
    assert lt.percentile([], 0.5) == 0.0
    assert lt.percentile([3.0], 0.99) == 3.0


def test_the_serve_configuration_names_the_sink_and_the_script(tmp_path: Path) -> None:
    from sieve.serve.config import load_config

    script = tmp_path / "s.sieve"
    config = load_config(lt.write_serve_config(tmp_path, 2525, 2526, script, 30))
    assert (config.listen_port, config.next_port, config.max_sessions) == (2525, 2526, 30)
    assert config.system == script.resolve()


def test_service_log_decisions_are_counted_by_kind(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    log.write_text(
        'INFO {"id": "1", "recipients": [{"decision": "fileinto:Junk"}]}\n'
        'INFO {"id": "2", "recipients": [{"decision": "discard"}, {"decision": null}]}\n'
        'INFO {"id": "3", "recipients": not json\n'
        "a line of something else\n"
    )
    assert lt.logged_decisions(log) == Counter(
        {"fileinto": 1, "discard": 1, "none": 1, "unreadable": 1}
    )


# --- quick runs on loopback (real processes) ------------------------------------------


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> list:
    return lt.build_messages(20, tmp_path_factory.mktemp("mail"))


def test_every_message_passes_through_the_plain_relay(messages: list, tmp_path: Path) -> None:
    with lt.running_sink() as (sink, port):
        relay = lt.start_relay(port, tmp_path)
        try:
            run = lt.run_mode(relay, sink, messages, 2, set())
        finally:
            relay.stop()
    assert run.accounting.ok
    assert len(run.accounting.relayed) == 20
    assert len(run.latencies) == 20 and run.rate > 0


def test_a_relay_whose_next_hop_is_down_refuses_everything_with_a_reason(
    messages: list, tmp_path: Path
) -> None:
    with lt.running_sink() as (sink, _):
        relay = lt.start_relay(lt.free_port(), tmp_path)  # nobody listens there
        try:
            run = lt.run_mode(relay, sink, messages[:4], 2, set())
        finally:
            relay.stop()
    assert run.accounting.ok
    assert len(run.accounting.refused) == 4
    assert all(reply.startswith("451 4.4.1") for reply in run.accounting.refused.values())


@needs_serve
def test_sieve_serve_relays_refuses_and_discards_as_its_script_says(
    messages: list, tmp_path: Path
) -> None:
    script = tmp_path / "rules.sieve"
    script.write_text(
        'require ["ereject"];\n'
        'if header :matches "X-Loadtest-Id" "*3" { ereject "nothing ending in 3"; }\n'
        'elsif header :matches "X-Loadtest-Id" "*7" { discard; }\n'
    )
    discarded = lt.predicted_discards(script, messages)
    assert discarded == {"lt-000007", "lt-000017"}
    with lt.running_sink() as (sink, port):
        service = lt.start_serve("filtered", port, tmp_path, script, 12)
        try:
            run = lt.run_mode(service, sink, messages, 2, discarded)
        finally:
            service.stop()
    accounting = run.accounting
    assert accounting.ok, accounting.problems()
    assert set(accounting.refused) == {"lt-000003", "lt-000013"}
    assert all("nothing ending in 3" in reply for reply in accounting.refused.values())
    assert accounting.discarded == discarded
    assert len(accounting.relayed) == 16
    assert run.decisions["discard"] == 2


@needs_serve
def test_main_prints_both_modes_and_the_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    status = lt.main(["--clients", "2", "--messages", "20"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "pass-through" in out and "filtered" in out
    assert "ratio filtered / pass-through:" in out
    assert "every message accounted for" in out
