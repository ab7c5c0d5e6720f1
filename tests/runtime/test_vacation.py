"""vacation (RFC 5230) and vacation-seconds (RFC 6131) at run time, read as examples:
script + message + envelope → the reply, or no reply and why.

Every "reply or not" case below was also run through Pigeonhole's `sieve-test -e`; where
we differ on purpose, the test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sieve

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "messages"
DAY = 86_400
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

MESSAGE = (
    b"From: Alice Example <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Subject: Lunch on Thursday?\r\n"
    b"Message-ID: <lunch.1@example.com>\r\n"
    b"\r\n"
    b"Are you free?\r\n"
)
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob@example.org")


class Clock:
    """A MemoryHost clock that tests move forward."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


def new_host() -> tuple[sieve.MemoryHost, Clock]:
    clock = Clock()
    return sieve.MemoryHost(clock=clock), clock


def run(
    source: str,
    message: bytes = MESSAGE,
    envelope: sieve.Envelope = ENVELOPE,
    host: sieve.MemoryHost | None = None,
    trace: bool = False,
) -> sieve.Result:
    host = host or new_host()[0]
    return sieve.compile(source).run(message, envelope, host=host, trace=trace)


def replies(source: str, message: bytes = MESSAGE, **options: object) -> list[dict]:
    result = run(source, message, **options)  # type: ignore[arg-type]
    assert result.status == "success", result.errors
    return [action.to_dict() for action in result.actions if action.type == "vacation"]


def with_headers(*lines: str, body: str = "Hi.") -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


AWAY = 'require "vacation"; vacation "I am away until Monday.";'


# The reply (RFC 5230 §4, §5).


def test_a_message_to_the_user_gets_the_reply_with_the_defaults() -> None:
    result = run(AWAY)
    document = result.to_dict()
    assert document["actions"] == [
        {
            "type": "vacation",
            "recipient": "alice@example.com",
            "from": "bob@example.org",
            "subject": "Auto: Lunch on Thursday?",
            "reason": "I am away until Monday.",
            "period_seconds": 7 * DAY,
            "handle": document["actions"][0]["handle"],
            "mime": False,
            "in_reply_to": "<lunch.1@example.com>",
        }
    ]
    # RFC 5230 §4.7: vacation does not cancel the implicit keep.
    assert document["implicit_keep"] is True
    assert document["actions"][0]["handle"].startswith("default-")


def test_the_rfc_example_with_every_argument() -> None:
    # RFC 5230 §4.8-style example: a subject, a from, the user's other addresses, a handle.
    source = """require "vacation";
        vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
                 :subject "Out of office" :from "Tim <tjs@example.edu>" :handle "ooo"
                 "I'm out -- send mail to cyrus-bugs";"""
    message = with_headers("From: Ken <ken@example.com>", "To: ts4z@landru.example.edu")
    envelope = sieve.Envelope(mail_from="ken@example.com", rcpt_to="tim@example.edu")
    [reply] = replies(source, message, envelope=envelope)
    assert reply["recipient"] == "ken@example.com"
    assert reply["from"] == "Tim <tjs@example.edu>"
    assert reply["subject"] == "Out of office"
    assert reply["handle"] == "ooo"
    assert reply["period_seconds"] == 23 * DAY
    assert reply["in_reply_to"] == ""


def test_mime_marks_the_reason_as_a_mime_entity() -> None:
    source = """require "vacation";
        vacation :mime text:
Content-Type: text/plain; charset=utf-8

Je suis absent.
.
;"""
    [reply] = replies(source)
    assert reply["mime"] is True
    assert reply["reason"].startswith("Content-Type: text/plain")


def test_variables_are_expanded_in_the_reply() -> None:
    source = """require ["vacation", "variables"];
        if header :matches "subject" "*" { set "s" "${1}"; }
        vacation :subject "Re: ${s}" "Back on ${day}.";"""
    [reply] = replies(source)
    assert reply["subject"] == "Re: Lunch on Thursday?"
    assert reply["reason"] == "Back on ."


def test_without_a_subject_the_reply_says_automated_reply() -> None:
    message = with_headers("From: alice@example.com", "To: bob@example.org")
    assert replies(AWAY, message)[0]["subject"] == "Automated reply"
    # Pigeonhole answers "Auto: " to an empty Subject field; an empty subject says nothing.
    message = with_headers("From: alice@example.com", "To: bob@example.org", "Subject:  ")
    assert replies(AWAY, message)[0]["subject"] == "Automated reply"


def test_the_default_subject_is_decoded_and_stays_on_one_line() -> None:
    message = with_headers(
        "From: alice@example.com",
        "To: bob@example.org",
        "Subject: =?UTF-8?B?SMOpbGxvDQpCY2M6IHg=?=",
    )
    # The encoded word hides "Héllo\r\nBcc: x": it must not become a second header field.
    assert replies(AWAY, message)[0]["subject"] == "Auto: Héllo Bcc: x"


def test_a_subject_from_the_script_cannot_add_header_fields() -> None:
    source = 'require "vacation"; vacation :subject "Away\\r\\nBcc: eve@example.net" "x";'
    source = source.replace("\\r\\n", "\r\n")
    assert replies(source)[0]["subject"] == "Away Bcc: eve@example.net"


def test_an_invalid_from_is_ignored_with_a_warning() -> None:
    source = """require ["vacation", "variables"];
        set "f" "not an address"; vacation :from "${f}" "x";"""
    result = run(source)
    assert result.actions[0].to_dict()["from"] == "bob@example.org"
    assert [w.code for w in result.warnings] == ["bad-vacation-from"]


# The period (RFC 5230 §4.1, RFC 6131 §2).


@pytest.mark.parametrize(
    ("arguments", "seconds"),
    [
        ("", 7 * DAY),
        (":days 1", DAY),
        (":days 0", DAY),  # below the minimum: the minimum (Pigeonhole: the same)
        (":days 1000", 90 * DAY),  # above our maximum: the maximum (Pigeonhole has none)
        (":seconds 1800", 1800),
        (":seconds 0", 0),  # RFC 6131: reply to every message (Pigeonhole's minimum is 1d)
        (":seconds 2147483647", 90 * DAY),
    ],
)
def test_the_period_is_clamped_to_the_site_limits(arguments: str, seconds: int) -> None:
    source = f'require "vacation-seconds"; vacation {arguments} "x";'
    assert replies(source)[0]["period_seconds"] == seconds


def test_the_same_sender_gets_one_reply_per_period() -> None:
    host, clock = new_host()
    assert replies(AWAY, host=host)
    clock.advance(6 * DAY)
    assert replies(AWAY, host=host) == []
    clock.advance(DAY)
    assert replies(AWAY, host=host)


def test_another_sender_is_answered_in_the_same_period() -> None:
    host, _ = new_host()
    assert replies(AWAY, host=host)
    other = sieve.Envelope(mail_from="carol@example.net", rcpt_to="bob@example.org")
    assert replies(AWAY, host=host, envelope=other)[0]["recipient"] == "carol@example.net"


def test_the_sender_address_is_tracked_without_case() -> None:
    host, _ = new_host()
    assert replies(AWAY, host=host)
    shouting = sieve.Envelope(mail_from="ALICE@Example.COM", rcpt_to="bob@example.org")
    assert replies(AWAY, host=host, envelope=shouting) == []


def test_seconds_zero_answers_every_message() -> None:
    host, _ = new_host()
    source = 'require "vacation-seconds"; vacation :seconds 0 :handle "ack" "Received.";'
    assert replies(source, host=host)
    assert replies(source, host=host)


def test_a_short_period_in_seconds_expires() -> None:
    host, clock = new_host()
    source = 'require "vacation-seconds"; vacation :seconds 1800 "In a meeting.";'
    assert replies(source, host=host)
    clock.advance(1799)
    assert replies(source, host=host) == []
    clock.advance(1)
    assert replies(source, host=host)


def test_a_handle_makes_a_separate_reply() -> None:
    # RFC 5230 §4.2: replies with different handles are tracked apart.
    host, _ = new_host()
    assert replies('require "vacation"; vacation :handle "a" "x";', host=host)
    assert replies('require "vacation"; vacation :handle "b" "x";', host=host)
    assert replies('require "vacation"; vacation :handle "a" "y";', host=host) == []


def test_the_default_handle_follows_the_arguments_not_the_variables() -> None:
    # RFC 5230 §4.2: without :handle, the reason, :subject, :from and :mime tell replies
    # apart; like Pigeonhole we take the script's text, so a reason built from variables
    # is still one reply per period.
    host, _ = new_host()
    first = replies('require "vacation"; vacation "Away.";', host=host)[0]["handle"]
    second = replies('require "vacation"; vacation "Away!";', host=host)[0]["handle"]
    assert first != second
    source = 'require ["vacation", "variables"]; set "n" "${n}1"; vacation "Away ${n}";'
    assert replies(source, host=host)
    assert replies(source.replace('"${n}1"', '"2"'), host=host) == []
    subject = replies('require "vacation"; vacation :subject "S" "Away.";', host=host)
    assert subject and subject[0]["handle"] not in (first, second)


def test_a_reply_is_remembered_only_when_the_run_succeeds() -> None:
    host, _ = new_host()
    failing = 'require ["vacation", "reject"]; vacation "x"; reject "no";'
    result = run(failing, host=host)
    assert result.status == "failed"
    assert [e.code for e in result.errors] == ["action-conflict"]
    assert replies('require "vacation"; vacation "x";', host=host)


# When not to reply (RFC 5230 §4.5, §4.6).


NO_REPLY_SENDERS = [
    ("", "null path"),
    ("<>", "null path"),
    ("MAILER-DAEMON@example.com", "mail system"),
    ("Mailer-Daemon@example.com", "mail system"),
    ("owner-dev@lists.example.net", "mail system"),
    # Pigeonhole compares "owner-" and "-request" with case; we do not.
    ("OWNER-dev@lists.example.net", "mail system"),
    ("dev-request@lists.example.net", "mail system"),
    ("LISTSERV@example.com", "mail system"),
    ("majordomo@example.com", "mail system"),
    ("bob@example.org", "own addresses"),
    ("BOB@example.org", "own addresses"),
    ("alias@example.org", "own addresses"),
    ("nodomain", "not an address"),
]


@pytest.mark.parametrize(("sender", "why"), NO_REPLY_SENDERS)
def test_some_senders_never_get_a_reply(sender: str, why: str) -> None:
    source = 'require "vacation"; vacation :addresses "alias@example.org" "x";'
    envelope = sieve.Envelope(mail_from=sender, rcpt_to="bob@example.org")
    result = run(source, envelope=envelope, trace=True)
    assert result.to_dict()["actions"] == []
    assert result.implicit_keep is True
    [event] = [e for e in result.trace if e.kind == "vacation"]
    assert why in event.text


NO_REPLY_FIELDS = [
    (["Auto-Submitted: auto-replied"], "auto-submitted"),
    (["Auto-Submitted: auto-generated"], "auto-submitted"),
    (["Auto-Submitted: No (a person)"], None),
    (["Auto-Submitted: no", "Auto-Submitted: auto-notified"], "auto-submitted"),
    (["Auto-Submitted: "], "auto-submitted"),
    (["Precedence: bulk"], "Precedence"),
    (["Precedence: list"], "Precedence"),
    (["Precedence: JUNK"], "Precedence"),
    (["Precedence: first-class"], None),
    (["List-Id: Dev <dev.lists.example.net>"], "mailing list"),
    (["List-Unsubscribe: <mailto:leave@example.net>"], "mailing list"),
    (["List-Post: <mailto:dev@example.net>"], "mailing list"),
    (["List-Archive: <https://example.net/archive>"], "mailing list"),
    (["List-Help: <mailto:help@example.net>"], "mailing list"),
]


@pytest.mark.parametrize(("fields", "why"), NO_REPLY_FIELDS)
def test_automatic_and_list_mail_gets_no_reply(fields: list[str], why: str | None) -> None:
    message = with_headers("From: alice@example.com", "To: bob@example.org", *fields)
    result = run(AWAY, message, trace=True)
    events = [e.text for e in result.trace if e.kind == "vacation"]
    if why is None:
        assert len(result.actions) == 1 and events == []
    else:
        assert result.actions == []
        assert why in events[0]


@pytest.mark.parametrize(
    "recipient_field",
    [
        "Cc: Bob <BOB@Example.ORG>",
        "Bcc: bob@example.org",
        "Resent-To: bob@example.org",
        "Resent-Cc: bob@example.org",
        "Resent-Bcc: bob@example.org",
        "Cc: friends: carol@example.org, Bob <bob@example.org>;",
    ],
)
def test_the_user_may_be_in_any_recipient_field(recipient_field: str) -> None:
    message = with_headers("From: alice@example.com", "To: carol@example.org", recipient_field)
    assert len(replies(AWAY, message)) == 1


def test_a_message_not_sent_to_the_user_gets_no_reply() -> None:
    # RFC 5230 §4.5: Delivered-To does not count, nor a subaddress (as in Pigeonhole).
    message = with_headers(
        "From: alice@example.com", "To: bob+work@example.org", "Delivered-To: bob@example.org"
    )
    result = run(AWAY, message, trace=True)
    assert result.actions == []
    assert "none of the user's addresses" in result.trace[-1].text


def test_addresses_names_the_users_other_addresses() -> None:
    message = with_headers("From: alice@example.com", "To: Robert <robert@example.net>")
    assert replies(AWAY, message) == []
    source = 'require "vacation"; vacation :addresses ["robert@example.net"] "x";'
    assert len(replies(source, message)) == 1


def test_the_original_recipient_counts_as_the_users_address() -> None:
    message = with_headers("From: alice@example.com", "To: info@example.org")
    envelope = sieve.Envelope(
        mail_from="alice@example.com", rcpt_to="bob@example.org", orig_to="info@example.org"
    )
    assert len(replies(AWAY, message, envelope=envelope)) == 1


@pytest.mark.parametrize("sample", ["list.eml", "auto.eml"])
def test_the_sample_list_and_auto_reply_messages_get_no_reply(sample: str) -> None:
    message = (CORPUS / sample).read_bytes()
    envelope = sieve.Envelope(mail_from="leo@example.com", rcpt_to="nils@example.com")
    source = 'require "vacation"; vacation :addresses "dev-announce@lists.example.net" "x";'
    assert replies(source, message, envelope=envelope) == []


def test_a_declined_reply_is_not_remembered() -> None:
    host, _ = new_host()
    bulk = with_headers("From: alice@example.com", "To: bob@example.org", "Precedence: bulk")
    assert replies(AWAY, bulk, host=host) == []
    assert replies(AWAY, host=host)


# Interaction with other actions (RFC 5230 §4.7).


def test_vacation_keeps_and_files_alongside_other_actions() -> None:
    source = 'require ["vacation", "fileinto"]; fileinto "Later"; vacation "x";'
    document = run(source).to_dict()
    assert [a["type"] for a in document["actions"]] == ["fileinto", "vacation"]
    assert document["implicit_keep"] is False


def test_vacation_and_reject_conflict() -> None:
    result = run('require ["vacation", "reject"]; reject "no"; vacation "x";')
    assert result.status == "failed"
    assert result.implicit_keep is True and result.actions == []


# Hostile input.


@settings(max_examples=60, deadline=None)
@given(
    subject=st.text(max_size=200),
    sender=st.text(max_size=60),
    extra=st.binary(max_size=200),
)
def test_any_message_or_sender_gives_a_clean_result(
    subject: str, sender: str, extra: bytes
) -> None:
    message = (
        b"From: a@example.com\r\nTo: bob@example.org\r\nSubject: "
        + subject.encode("utf-8", "surrogateescape")
        + b"\r\n"
        + extra
        + b"\r\n\r\nbody\r\n"
    )
    envelope = sieve.Envelope(mail_from=sender, rcpt_to="bob@example.org")
    source = 'require "vacation"; vacation :subject "${x}" "x";'
    for script in (AWAY, source):
        result = run(script, message, envelope=envelope)
        assert result.status == "success", result.errors
        for action in result.actions:
            assert "\n" not in action.to_dict()["subject"]
            assert "\r" not in action.to_dict()["subject"]
