"""Notifications (RFC 5435) by the mailto method (RFC 5436) at run time, read as examples:
script + message → the notification, or the error. URI validity was compared case by case
with Pigeonhole's `valid_notify_method` (sieve-test); differences are marked."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sieve
from sieve.extensions.enotify import MAX_RECIPIENTS, MethodError, parse_method

KNITTING = (
    b"Return-Path: <knitting-bounces@example.com>\r\n"
    b"Message-ID: <1234567.89ABCDEF@example.com>\r\n"
    b"Date: Wed, 07 Dec 2005 10:59:19 +0100\r\n"
    b"Precedence: list\r\n"
    b"List-Id: Knitting Mailing List <knitting.example.com>\r\n"
    b"Sender: knitting-bounces@example.com\r\n"
    b'From: "Jeff Smith" <jeff@hobbies.example.com>\r\n'
    b'To: "Knitting Mailing List" <knitting@example.com>\r\n'
    b"Subject: [Knitting] A new sweater\r\n"
    b"\r\n"
    b"I just finished a great new sweater!\r\n"
)
BOSS = (
    b"From: The Boss <boss@example.org>\r\n"
    b"To: alm@example.org\r\n"
    b"Subject: Budget\r\n"
    b"\r\n"
    b"See me.\r\n"
)
ENVELOPE = sieve.Envelope(mail_from="boss@example.org", rcpt_to="alm@example.org")


def run(source: str, message: bytes = BOSS, **options: object) -> sieve.Result:
    envelope = options.pop("envelope", ENVELOPE)
    return sieve.compile(source).run(message, envelope, **options)  # type: ignore[arg-type]


def notifications(source: str, message: bytes = BOSS, **options: object) -> list[dict]:
    result = run(source, message, **options)
    assert result.status == "success", result.errors
    return [action.to_dict() for action in result.actions if action.type == "notify"]


# The notify action (RFC 5435 §3, RFC 5436 §2).


def test_rfc_5435_example_1_notifies_about_mail_from_the_boss() -> None:
    source = """require ["enotify", "fileinto", "variables"];
        if header :contains "from" "boss@example.org" {
            notify :importance "1" :message "This is probably very important"
                "mailto:alm@example.com";
            stop;
        }"""
    result = run(source)
    assert result.to_dict() == {
        "status": "success",
        "actions": [
            {
                "type": "notify",
                "method": "mailto:alm@example.com",
                "from": "",
                "importance": 1,
                "message": "This is probably very important",
                "options": [],
                "recipients": ["alm@example.com"],
                "subject": "This is probably very important",
                "body": "",
            }
        ],
        # RFC 5435 §7: notify never cancels the implicit keep.
        "implicit_keep": True,
        "implicit_keep_flags": [],
        "errors": [],
        "warnings": [],
    }


def test_rfc_5436_example_the_knitting_list_notifies_two_phones() -> None:
    source = """require ["enotify", "variables"];
        if header :contains "list-id" "knitting.example.com" {
          if header :matches "Subject" "[*] *" {
            notify :message "From ${1} list: ${2}" :importance "3"
                "mailto:0123456789@sms.example.net?to=backup@example.com";
          }
        }"""
    [notification] = notifications(source, KNITTING)
    assert notification["recipients"] == ["0123456789@sms.example.net", "backup@example.com"]
    assert notification["subject"] == "From Knitting list: A new sweater"
    assert notification["importance"] == 3


def test_the_default_message_holds_the_from_and_the_subject() -> None:
    # RFC 5435 §3.6; the mailto subject is then the message's own (RFC 5436 §2.7).
    [notification] = notifications('require "enotify"; notify "mailto:alm@example.com";')
    assert notification["message"] == "The Boss <boss@example.org>: Budget"
    assert notification["subject"] == "Budget"
    assert notification["importance"] == 2


def test_uri_fields_give_the_subject_body_and_more_recipients() -> None:
    uri = "mailto:alm@example.com?cc=bob@example.com&subject=New%20mail&body=Line%201%0D%0ALine%202"
    source = f'require "enotify"; notify "{uri}";'
    [notification] = notifications(source)
    assert notification["recipients"] == ["alm@example.com", "bob@example.com"]
    assert notification["subject"] == "New mail"
    assert notification["body"] == "Line 1\r\nLine 2"


def test_the_message_tag_wins_over_the_uri_subject() -> None:
    source = 'require "enotify"; notify :message "Hi" "mailto:alm@example.com?subject=Other";'
    assert notifications(source)[0]["subject"] == "Hi"


def test_unsafe_uri_fields_are_ignored_with_a_warning() -> None:
    # RFC 5436 §2.7: from, auto-submitted, received, message-id and date must be ignored;
    # bcc would add hidden recipients (Pigeonhole ignores it too).
    source = """require "enotify";
        notify "mailto:alm@example.com?bcc=eve@example.net&from=eve@example.net&received=x";"""
    result = run(source)
    [action] = result.actions
    assert action.to_dict()["recipients"] == ["alm@example.com"]
    assert [w.code for w in result.warnings] == ["notify-ignored-fields"]
    assert "bcc, from, received" in result.warnings[0].message


def test_encodeurl_keeps_a_value_inside_its_uri_field() -> None:
    # RFC 5435 §6, example 6.
    source = """require ["enotify", "variables"];
        set :encodeurl "body_param" "Safe body&evil=evilbody";
        notify "mailto:tim@example.com?body=${body_param}";"""
    [notification] = notifications(source)
    assert notification["body"] == "Safe body&evil=evilbody"
    assert notification["method"] == "mailto:tim@example.com?body=Safe%20body%26evil%3Devilbody"


def test_from_must_be_an_address() -> None:
    source = 'require "enotify"; notify :from "Alm <alm@example.org>" "mailto:x@example.com";'
    assert notifications(source)[0]["from"] == "Alm <alm@example.org>"
    source = """require ["enotify", "variables"]; set "f" "not valid";
        notify :from "${f}" "mailto:x@example.com";"""
    result = run(source)  # Pigeonhole: the same run-time error
    assert result.status == "failed"
    assert [e.code for e in result.errors] == ["bad-notify-from"]


def test_options_must_be_name_equals_value() -> None:
    source = 'require "enotify"; notify :options ["a=b", "c.d-e_f="] "mailto:x@example.com";'
    assert notifications(source)[0]["options"] == ["a=b", "c.d-e_f="]
    result = run('require "enotify"; notify :options "novalue" "mailto:x@example.com";')
    assert [e.code for e in result.errors] == ["bad-notify-option"]


def test_a_second_notification_to_the_same_recipients_is_not_sent_again() -> None:
    # RFC 5435 §7 lets a method collapse notifications; Pigeonhole keeps the first. The
    # domain compares without case, the local part with it (RFC 5321 §2.4), as there.
    source = """require "enotify";
        notify "mailto:carol@example.com";
        notify :message "x" "mailto:carol@Example.COM";
        notify "mailto:Carol@example.com";
        notify "mailto:dave@example.com";"""
    assert [n["recipients"] for n in notifications(source)] == [
        ["carol@example.com"],
        ["Carol@example.com"],
        ["dave@example.com"],
    ]


def test_repeated_recipients_in_one_uri_count_once() -> None:
    source = 'require "enotify"; notify "mailto:bob@example.com?to=bob@example.com";'
    assert notifications(source)[0]["recipients"] == ["bob@example.com"]


def test_a_uri_without_recipients_notifies_nobody() -> None:
    result = run('require "enotify"; notify "mailto:";')
    assert result.status == "success" and result.actions == []
    assert [w.code for w in result.warnings] == ["notify-no-recipients"]


# Run-time errors and limits.


@pytest.mark.parametrize(
    "method",
    [
        "xmpp:tim@example.com",  # RFC 5435 §3.2: unsupported method (Pigeonhole: the same)
        "tel:+14085551212",
        "mailto:bob",
        "mailto: bob@example.com",
        "mailto:bob@example.com?subject=%",
        "mailto:bob@example.com?to=",
        "mailto:Bob%20<bob@example.com>",
        "no uri at all",
    ],
)
def test_an_unusable_method_is_a_run_time_error(method: str) -> None:
    source = f'require ["enotify", "variables"]; set "m" "{method}"; notify "${{m}}";'
    result = run(source)
    assert result.status == "failed"
    assert [e.code for e in result.errors] == ["bad-notify-method"]
    assert result.implicit_keep is True


def test_too_many_notifications_end_the_run_at_the_limit() -> None:
    source = 'require "enotify";' + "".join(
        f'notify "mailto:user{n}@example.com";' for n in range(3)
    )
    result = run(source, limits=sieve.Limits(max_notifications=2))
    assert result.status == "limit"
    assert [e.code for e in result.errors] == ["max_notifications"]


def test_too_many_recipients_in_one_notification_end_the_run() -> None:
    to = ",".join(f"user{n}@example.com" for n in range(MAX_RECIPIENTS + 1))
    result = run(f'require "enotify"; notify "mailto:{to}";')
    assert result.status == "limit"
    assert [e.code for e in result.errors] == ["max_notify_recipients"]


# Loops (RFC 5436 §2.7).


@pytest.mark.parametrize(
    ("auto_submitted", "sent"),
    [("auto-replied", 0), ("auto-notified", 0), ("auto-generated", 0), ("no", 1)],
)
def test_automatic_messages_trigger_no_notification(auto_submitted: str, sent: int) -> None:
    message = BOSS.replace(b"\r\n\r\n", f"\r\nAuto-Submitted: {auto_submitted}\r\n\r\n".encode())
    result = run('require "enotify"; notify "mailto:alm@example.com";', message, trace=True)
    assert result.status == "success"
    assert len(result.actions) == sent
    if not sent:
        assert any("auto-submitted" in e.text for e in result.trace if e.kind == "notify")


def test_a_message_with_the_null_sender_still_notifies() -> None:
    # RFC 5436 §2.7: "MUST allow messages with empty envelope senders to trigger".
    envelope = sieve.Envelope(mail_from="", rcpt_to="alm@example.org")
    source = 'require "enotify"; notify "mailto:alm@example.com";'
    assert len(notifications(source, envelope=envelope)) == 1


# valid_notify_method (RFC 5435 §4).

VALIDITY = [
    # Pigeonhole agrees on each of these.
    ("mailto:", True),
    ("mailto:bob@example.com", True),
    ("mailto:?to=bob@example.com", True),
    ("MAILTO:bob@example.com", True),
    ("mailto:bob%40example.com", True),
    ("mailto:%22bob%20x%22@example.com", True),
    ("mailto:bob@example.com?subject=hi%20there&body=x", True),
    ("mailto:bob@example.com?cc=carol@example.com", True),
    ("mailto:bob@example.com?bcc=carol@example.com", True),
    ("mailto:bob@example.com?from=x@example.com", True),
    ("mailto:bob@example.com?x-foo=1&subject=", True),
    ("mailto:bob@example.com?subject", True),
    ("mailto:bob@example.com?body=a%0D%0Ab", True),
    ("mailto:bob", False),
    ("xmpp:bob@example.com", False),
    ("mailto:bob@example.com?subject=%", False),
    ("mailto:<bob@example.com>", False),
    ("mailto:Bob%20<bob@example.com>", False),
    ("mailto:bob@example.com?to=", False),
    ("mailto: bob@example.com", False),
    # RFC 6068 §2 separates addresses with ","; Pigeonhole wants it encoded as %2C.
    ("mailto:bob@example.com,carol@example.com", True),
]


@pytest.mark.parametrize(("uri", "valid"), VALIDITY)
def test_valid_notify_method_checks_like_notify(uri: str, valid: bool) -> None:
    source = f'require "enotify"; if valid_notify_method "{uri}" {{ discard; }}'
    assert (run(source).actions != []) is valid


def test_valid_notify_method_is_true_only_when_every_uri_is() -> None:
    source = """require "enotify";
        if valid_notify_method ["mailto:a@example.com", "foo:bar"] { discard; }"""
    assert run(source).actions == []
    source = source.replace("foo:bar", "mailto:b@example.com")
    assert run(source).actions != []


# notify_method_capability (RFC 5435 §5, RFC 5436 §2.2).


@pytest.mark.parametrize(
    ("arguments", "true"),
    [
        ('"mailto:bob@example.com" "online" "maybe"', True),
        ('"mailto:bob@example.com" "ONLINE" "MAYBE"', True),
        ('"mailto:bob@example.com" "online" ["yes", "no"]', False),
        ('"mailto:bob" "online" "maybe"', False),  # invalid URI: false, not an error
        ('"xmpp:bob@example.com" "online" "maybe"', False),
        ('"mailto:bob@example.com" "vnd.example.color" ""', False),  # unknown capability
        (':count "eq" "mailto:bob@example.com" "online" "1"', True),
        (':count "eq" "mailto:bob@example.com" "other" "0"', False),
        (':matches "mailto:bob@example.com" "online" "m*"', True),
    ],
)
def test_notify_method_capability(arguments: str, true: bool) -> None:
    source = f"""require ["enotify", "relational"];
        if notify_method_capability {arguments} {{ discard; }}"""
    result = run(source)
    assert result.status == "success"
    assert (result.actions != []) is true


def test_the_host_may_know_better_than_maybe() -> None:
    class PresenceHost(sieve.MemoryHost):
        def notify_method_capability(self, uri: str, capability: str) -> str | None:
            return "yes" if capability == "online" and "tim" in uri else None

    source = """require "enotify";
        if notify_method_capability "mailto:tim@example.com" "online" "yes" { discard; }"""
    assert run(source, host=PresenceHost()).actions != []


# Hostile input.


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_method_or_a_method_error(text: str) -> None:
    for uri in (text, "mailto:" + text):
        try:
            parsed = parse_method(uri)
        except MethodError:
            continue
        assert all("@" in address for address in parsed.recipients)
        assert parsed.subject is None or "\n" not in parsed.subject


def test_checking_a_long_hostile_uri_takes_linear_time() -> None:
    for uri in (
        "mailto:" + "a." * 30_000 + "@",
        "mailto:" + '"' + "\\a" * 30_000,
        "mailto:x@example.com?" + "&" * 60_000,
        "mailto:" + "a" * 60_000 + "@" + "b." * 20_000,
    ):
        started = time.perf_counter()
        with contextlib.suppress(MethodError):
            parse_method(uri)
        assert time.perf_counter() - started < 0.5
