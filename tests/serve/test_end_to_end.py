"""The service between a real SMTP client and a real SMTP sink, all on loopback."""

from __future__ import annotations

import email
import json
import logging
import smtplib
import time
import urllib.request
from collections.abc import Callable
from email import policy
from pathlib import Path

import pytest

from tests.serve.conftest import RunningService, Sink, message, write_script

FILING = """require ["fileinto", "imap4flags", "ereject", "reject"];
if header :contains "subject" "offer" { fileinto :flags "\\\\Seen" "Junk"; stop; }
if header :contains "subject" "refuse" { ereject "We do not take this mail."; }
if header :contains "subject" "bounce" { reject "Not wanted here."; }
if header :contains "subject" "drop" { discard; }
"""


def send(port: int, data: bytes, to: list[str] | None = None, sender: str = "alice@example.org"):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.sendmail(sender, to or ["bob@example.net"], data)


def refusal(port: int, data: bytes) -> tuple[int, bytes]:
    with pytest.raises(smtplib.SMTPDataError) as caught:
        send(port, data)
    return caught.value.smtp_code, caught.value.smtp_error


def test_filed_mail_reaches_the_next_hop_with_mailbox_and_flags(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    assert send(service.port, message("special offer")) == {}
    assert send(service.port, message("lunch")) == {}
    junk, inbox = sink.to("bob@example.net")
    filed = email.message_from_bytes(junk.data, policy=policy.default)
    assert filed["X-Sieve-Mailbox"] == "Junk"
    assert filed["X-Sieve-Flags"] == "\\Seen"
    assert filed["Subject"] == "special offer"
    assert email.message_from_bytes(inbox.data)["X-Sieve-Mailbox"] == "INBOX"
    assert junk.mail_from == "alice@example.org"


def test_a_forged_mailbox_header_from_the_sender_is_removed(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    send(service.port, message("hi", extra="X-Sieve-Mailbox: Admin\r\n"))
    delivered = email.message_from_bytes(sink.received[0].data)
    assert delivered.get_all("X-Sieve-Mailbox") == ["INBOX"]


def test_ereject_is_a_5xx_reply_with_the_reason_and_nothing_relayed(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    code, text = refusal(service.port, message("please refuse"))
    assert code == 550
    assert b"We do not take this mail." in text
    assert sink.received == []


def test_reject_sends_an_mdn_to_the_sender_and_discard_drops(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    assert send(service.port, message("bounce this")) == {}
    assert send(service.port, message("drop this")) == {}
    (notice,) = sink.received
    assert notice.mail_from == "<>"  # RFC 5429: the null return path
    assert notice.recipients == ["alice@example.org"]
    report = email.message_from_bytes(notice.data, policy=policy.default)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "disposition-notification"
    parts = [part.get_content_type() for part in report.iter_parts()]
    assert parts == ["text/plain", "message/disposition-notification", "text/rfc822-headers"]
    assert "Not wanted here." in report.get_body(("plain",)).get_content()


def test_redirect_and_vacation_go_through_the_next_hop(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    script = """require ["vacation", "copy"];
redirect :copy "archive@example.net";
vacation :days 1 :subject "Away" "I am away until Monday.";
"""
    service = start_service(system=write_script(tmp_path / "system.sieve", script))
    assert send(service.port, message("question")) == {}
    (archived,) = sink.to("archive@example.net")
    assert archived.mail_from == "alice@example.org"
    assert b"X-Sieve-Mailbox" not in archived.data
    (reply,) = sink.to("alice@example.org")
    answer = email.message_from_bytes(reply.data, policy=policy.default)
    assert reply.mail_from == "<>"
    assert answer["Subject"] == "Away"
    assert answer["Auto-Submitted"] == "auto-replied"
    assert answer["In-Reply-To"] == "<question@example.org>"
    assert len(sink.to("bob@example.net")) == 1  # the implicit keep


def test_a_script_over_a_limit_still_delivers_and_the_log_line_says_why(
    tmp_path: Path,
    sink: Sink,
    start_service: Callable[..., RunningService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fanout = "".join(f'redirect "user{n}@example.net";\n' for n in range(5))
    service = start_service(system=write_script(tmp_path / "system.sieve", fanout))
    with caplog.at_level(logging.INFO, logger="sieve.serve.messages"):
        assert send(service.port, message("fan out")) == {}
    assert len(sink.to("bob@example.net")) == 1  # the implicit keep, nothing redirected
    assert not any(item.recipients[0].startswith("user") for item in sink.received)
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name.endswith("messages")]
    [recipient] = line["recipients"]
    [problem] = recipient["problems"]
    assert problem.startswith("system:max_redirects: ")


def test_messages_reach_the_next_hop_over_one_kept_connection(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    for n in range(4):
        assert send(service.port, message(f"lunch {n}")) == {}
    assert len(sink.received) == 4
    assert len({item.peer for item in sink.received}) == 1
    assert service.service.handler.next_hop.connections_opened == 1


def test_next_hop_down_gives_451_then_delivery_after_it_returns(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    sink.stop()
    code, _ = refusal(service.port, message("while down"))
    assert code == 451  # the sending MTA keeps the message
    sink.start()
    assert send(service.port, message("while down")) == {}  # its retry
    assert [email.message_from_bytes(r.data)["Subject"] for r in sink.received] == ["while down"]


def test_a_failure_inside_the_service_defers_with_451(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))

    def broken(recipient: str) -> list:
        raise RuntimeError("store exploded")

    service.service.store.hierarchy = broken  # type: ignore[method-assign]
    code, _ = refusal(service.port, message("anything"))
    assert code == 451
    assert sink.received == []


def test_a_script_edited_into_a_syntax_error_keeps_the_old_one_running(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    path = write_script(tmp_path / "system.sieve", FILING)
    service = start_service(system=path)
    write_script(path, 'require "fileinto";\nif header :contains "subject" "offer" {\n')
    deadline = time.monotonic() + 5
    while service.service.store.failures == 0 and time.monotonic() < deadline:
        send(service.port, message("lunch"))  # mail flows during the edit
        time.sleep(0.02)
    assert service.service.store.failures >= 1
    assert send(service.port, message("special offer")) == {}
    assert email.message_from_bytes(sink.received[-1].data)["X-Sieve-Mailbox"] == "Junk"
    write_script(path, 'require "fileinto";\nfileinto "Fixed";\n')
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        send(service.port, message("special offer"))
        if email.message_from_bytes(sink.received[-1].data)["X-Sieve-Mailbox"] == "Fixed":
            break
        time.sleep(0.02)
    assert email.message_from_bytes(sink.received[-1].data)["X-Sieve-Mailbox"] == "Fixed"


def test_lmtp_answers_each_recipient(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    users = tmp_path / "users"
    users.mkdir()
    write_script(users / "carol.sieve", 'require "ereject";\nereject "Carol is not here.";\n')
    service = start_service(protocol="lmtp", users=users)
    client = smtplib.LMTP("127.0.0.1", service.port, timeout=10)
    try:
        client.ehlo()
        client.mail("alice@example.org")
        client.rcpt("bob@example.net")
        client.rcpt("carol@example.net")
        first = client.data(message("for two"))
        second = client.getreply()
    finally:
        client.close()
    assert first[0] == 250
    assert second[0] == 550 and b"Carol is not here." in second[1]
    assert [r.recipients for r in sink.received] == [["bob@example.net"]]


def test_smtp_with_one_erejecting_recipient_delivers_the_others_and_notifies(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    users = tmp_path / "users"
    users.mkdir()
    write_script(users / "carol.sieve", 'require "ereject";\nereject "Carol is not here.";\n')
    service = start_service(users=users)
    assert send(service.port, message("for two"), ["bob@example.net", "carol@example.net"]) == {}
    assert len(sink.to("bob@example.net")) == 1
    assert sink.to("carol@example.net") == []
    (notice,) = sink.to("alice@example.org")
    report = email.message_from_bytes(notice.data, policy=policy.default)
    assert "Carol is not here." in report.get_body(("plain",)).get_content()


def test_metrics_are_served_in_prometheus_text(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    from tests.serve.conftest import free_port

    service = start_service(
        system=write_script(tmp_path / "system.sieve", FILING), metrics_port=free_port()
    )
    send(service.port, message("special offer"))
    with pytest.raises(smtplib.SMTPDataError):
        send(service.port, message("refuse"))
    url = f"http://127.0.0.1:{service.service.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as answer:
        text = answer.read().decode()
    assert 'sieve_messages_total{outcome="accepted"} 1' in text
    assert 'sieve_messages_total{outcome="refused"} 1' in text
    assert 'sieve_actions_total{type="fileinto"} 1' in text
    assert "sieve_message_seconds_count 2" in text


def test_sessions_over_the_limit_get_421(
    sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(max_sessions=1)
    with smtplib.SMTP("127.0.0.1", service.port, timeout=10) as first:
        first.ehlo()
        with pytest.raises(smtplib.SMTPConnectError) as caught:
            smtplib.SMTP("127.0.0.1", service.port, timeout=10)
        assert caught.value.smtp_code == 421
        assert first.sendmail("a@example.org", ["b@example.net"], message()) == {}
    assert len(sink.received) == 1


def test_malformed_mail_is_still_delivered(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    garbage = b"\x00\xff no header here\r\n: also not\r\nSubject: =?bogus?Q?x\r\n\r\n\xfe"
    assert send(service.port, garbage) == {}
    (delivered,) = sink.received
    assert delivered.data.startswith(b"X-Sieve-Mailbox: INBOX\r\n")
    assert b"\xfe" in delivered.data  # the body, byte for byte


def test_killing_the_downstream_mid_run_loses_no_message(
    tmp_path: Path, sink: Sink, start_service: Callable[..., RunningService]
) -> None:
    """A stream of 30 messages, the next hop stopped after the 10th and back after the
    20th; the sender, like an MTA, retries what got a 4xx. Every message arrives, once."""
    service = start_service(system=write_script(tmp_path / "system.sieve", FILING))
    pending = [f"message {n}" for n in range(30)]
    deferred: list[str] = []
    for number, subject in enumerate(pending):
        if number == 10:
            sink.stop()
        if number == 20:
            sink.start()
        try:
            send(service.port, message(subject))
        except smtplib.SMTPDataError as error:
            assert error.smtp_code == 451  # never a 5xx, never a silent loss
            deferred.append(subject)
    assert len(deferred) == 10
    for subject in deferred:  # the sending MTA's queue run
        assert send(service.port, message(subject)) == {}
    subjects = [email.message_from_bytes(r.data)["Subject"] for r in sink.received]
    assert sorted(subjects) == sorted(pending)
