"""The duplicate test (RFC 7352) at run time, read as examples: the same script run on a
message twice (or on two messages), with a clock the test moves, and what each run does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sieve
from sieve.extensions.duplicate import tracking_key

DAY = 86_400
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob@example.org")


def message(*fields: str) -> bytes:
    lines = ["From: alice@example.com", "To: bob@example.org", *fields]
    return ("\r\n".join(lines) + "\r\n\r\nHello.\r\n").encode()


FIRST = message("Subject: Hello", "Message-ID: <hello.1@example.com>")
AGAIN = message("Subject: Hello again", "Message-ID: <hello.1@example.com>")
OTHER = message("Subject: Other", "Message-ID: <other.2@example.com>")
NO_ID = message("Subject: No id")


class Mailbox:
    """One user's deliveries: a MemoryHost with a clock the test moves forward."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
        self.host = sieve.MemoryHost(clock=lambda: self.now)

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    def deliver(self, source: str, data: bytes = FIRST) -> list[dict]:
        result = sieve.compile(source).run(data, ENVELOPE, host=self.host)
        assert result.status == "success", result.errors
        return [action.to_dict() for action in result.actions]

    def is_duplicate(self, arguments: str = "", data: bytes = FIRST) -> bool:
        source = f'require ["duplicate", "variables"]; if duplicate {arguments} {{ discard; }}'
        return self.deliver(source, data) == [{"type": "discard"}]


def test_rfc_example_1_files_the_second_delivery_away() -> None:
    # RFC 7352 §5.1: duplicates go to a folder in the Trash, the rest to the inbox.
    source = """require ["duplicate", "fileinto", "mailbox"];
        if duplicate { fileinto :create "Trash/Duplicate"; }"""
    mailbox = Mailbox()
    assert mailbox.deliver(source, FIRST) == []
    assert mailbox.deliver(source, AGAIN) == [
        {
            "type": "fileinto",
            "mailbox": "Trash/Duplicate",
            "flags": [],
            "copy": False,
            "create": True,
        }
    ]
    assert mailbox.deliver(source, OTHER) == []


def test_rfc_example_2_alerts_are_flagged_seen_within_a_minute() -> None:
    # RFC 7352 §5.2: alerts about one event, from different systems, within 60 seconds.
    source = """require ["duplicate", "variables", "imap4flags", "fileinto"];
        if header :matches "subject" "ALERT: *" {
          if duplicate :seconds 60 :uniqueid "${1}" { setflag "\\\\seen"; }
          fileinto "Alerts";
        }"""
    alert = message("Subject: ALERT: disk full on db1", "Message-ID: <a@mon1.example.com>")
    same_event = message("Subject: ALERT: disk full on db1", "Message-ID: <b@mon2.example.com>")
    mailbox = Mailbox()
    assert mailbox.deliver(source, alert)[0]["flags"] == []
    mailbox.advance(30)
    assert mailbox.deliver(source, same_event)[0]["flags"] == ["\\seen"]
    mailbox.advance(31)
    assert mailbox.deliver(source, same_event)[0]["flags"] == []


def test_a_message_without_message_id_is_never_a_duplicate() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(data=NO_ID)
    assert not mailbox.is_duplicate(data=NO_ID)
    assert not mailbox.is_duplicate(data=message("Message-ID:   "))
    assert not mailbox.is_duplicate(data=message("Message-ID:   "))


def test_the_id_is_the_same_whatever_its_source() -> None:
    # RFC 7352 §3: the default, :header "message-id" and :uniqueid of its value are one entry.
    mailbox = Mailbox()
    assert not mailbox.is_duplicate()
    assert mailbox.is_duplicate(':header "message-id"')
    source = """require ["duplicate", "variables"];
        if header :matches "message-id" "*" {
          if duplicate :uniqueid "${0}" { discard; }
        }"""
    assert mailbox.deliver(source) == [{"type": "discard"}]


def test_the_header_value_is_unfolded_and_trimmed() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(data=message("Message-ID:\r\n   <hello.1@example.com>  "))
    assert mailbox.is_duplicate(data=FIRST)


def test_header_uses_the_first_field_and_an_absent_one_is_no_duplicate() -> None:
    mailbox = Mailbox()
    first = message("X-Event: 17", "X-Event: 18")
    assert not mailbox.is_duplicate(':header "x-event"', first)
    assert mailbox.is_duplicate(':header "X-Event"', message("X-Event: 17"))
    assert not mailbox.is_duplicate(':header "X-Event"', message("X-Event: 18"))
    # RFC 7352 §3: no such field: false, and nothing recorded.
    assert not mailbox.is_duplicate(':header "x-missing"', NO_ID)
    assert not mailbox.is_duplicate(':header "x-missing"', NO_ID)


def test_an_invalid_header_name_from_a_variable_is_no_duplicate() -> None:
    source = """require ["duplicate", "variables"]; set "h" "bad name:";
        if duplicate :header "${h}" { discard; }"""
    mailbox = Mailbox()
    assert mailbox.deliver(source) == []
    assert mailbox.deliver(source) == []


def test_ids_are_compared_with_case() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(':uniqueid "Event-A"')
    assert not mailbox.is_duplicate(':uniqueid "event-a"')
    assert mailbox.is_duplicate(':uniqueid "Event-A"')


def test_a_handle_keeps_unrelated_tests_apart() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(':handle "lists"')
    assert mailbox.is_duplicate(':handle "lists"')
    assert not mailbox.is_duplicate(':handle "alerts"')
    # No handle is a handle of its own, and so is the empty one.
    assert not mailbox.is_duplicate()
    assert not mailbox.is_duplicate(':handle ""')
    assert tracking_key(None, "x") != tracking_key("", "x")


def test_seconds_zero_is_never_a_duplicate() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(":seconds 0")
    assert not mailbox.is_duplicate(":seconds 0")


def test_entries_expire_after_the_period() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate()
    mailbox.advance(7 * DAY - 1)  # the default period is 7 days
    assert mailbox.is_duplicate()
    mailbox.advance(1)
    assert not mailbox.is_duplicate()


def test_a_longer_period_than_the_maximum_is_cut_to_it() -> None:
    # RFC 7352 §3: the site maximum (30 days here) is silently used instead.
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(":seconds 999999999")
    mailbox.advance(30 * DAY - 1)
    assert mailbox.is_duplicate(":seconds 999999999")
    mailbox.advance(1)
    assert not mailbox.is_duplicate(":seconds 999999999")


def test_without_last_the_period_counts_from_the_first_delivery() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(":seconds 60")
    mailbox.advance(50)
    assert mailbox.is_duplicate(":seconds 60")
    mailbox.advance(50)
    assert not mailbox.is_duplicate(":seconds 60")


def test_with_last_the_period_counts_from_the_last_duplicate() -> None:
    mailbox = Mailbox()
    assert not mailbox.is_duplicate(":seconds 60 :last")
    mailbox.advance(50)
    assert mailbox.is_duplicate(":seconds 60 :last")
    mailbox.advance(50)
    assert mailbox.is_duplicate(":seconds 60 :last")
    mailbox.advance(61)
    assert not mailbox.is_duplicate(":seconds 60 :last")


def test_every_test_of_one_run_gives_the_same_answer() -> None:
    # RFC 7352 §3: an ID seen earlier in the same run is not a duplicate.
    source = """require ["duplicate", "fileinto"];
        if duplicate { fileinto "First"; }
        if duplicate { fileinto "Second"; }
        if not duplicate { fileinto "New"; }"""
    mailbox = Mailbox()
    assert [a["mailbox"] for a in mailbox.deliver(source)] == ["New"]
    assert [a["mailbox"] for a in mailbox.deliver(source)] == ["First", "Second"]


def test_an_untested_duplicate_records_nothing() -> None:
    # RFC 7352 §3: the ID is recorded only when the test is evaluated.
    source = 'require "duplicate"; if false { if duplicate { discard; } }'
    mailbox = Mailbox()
    mailbox.deliver(source)
    assert not mailbox.is_duplicate()


def test_a_failed_run_records_nothing() -> None:
    # RFC 7352 §3: "only update the tracking list when the Sieve script execution finishes
    # successfully", else a retried delivery would be taken for its own duplicate.
    mailbox = Mailbox()
    failing = (
        'require ["duplicate", "reject", "fileinto"]; if duplicate {} fileinto "A"; reject "x";'
    )
    result = sieve.compile(failing).run(FIRST, ENVELOPE, host=mailbox.host)
    assert result.status == "failed"
    assert not mailbox.is_duplicate()


def test_the_tracking_key_is_short_whatever_the_id() -> None:
    assert len(tracking_key("h", "x" * 100_000)) == 64
    assert tracking_key("h", "a") != tracking_key("h", "b")
    assert tracking_key("h", "\udcff") != tracking_key("h", "")
