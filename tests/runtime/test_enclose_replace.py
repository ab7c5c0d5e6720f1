"""RFC 5703 §5 replace and §6 enclose: the actions they record, and the new message that
later tests of the run see. Pigeonhole implements neither, so these follow the RFC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sieve

MESSAGES = Path(__file__).parents[2] / "corpus" / "messages"
MULTIPART = (MESSAGES / "multipart.eml").read_bytes()  # "Quarterly report", with a PDF
PLAIN = (
    b"From: Alice <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Date: Mon, 3 Mar 2025 08:15:02 +0100\r\n"
    b"Subject: lunch?\r\n"
    b"Message-ID: <lunch.1@example.com>\r\n"
    b"Content-Type: text/plain; charset=us-ascii\r\n"
    b"\r\n"
    b"Shall we meet at noon?\r\n"
)
REQUIRE = (
    'require ["enclose", "replace", "editheader", "mime", "foreverypart", "variables",'
    ' "fileinto", "body", "relational", "comparator-i;ascii-numeric"];\n'
)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def run(source: str, data: bytes = PLAIN) -> dict:
    script = sieve.compile(REQUIRE + source)
    host = sieve.MemoryHost(clock=lambda: NOW)
    envelope = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob@example.org")
    return script.run(data, envelope, host=host).to_dict()


def folders(document: dict) -> list[str]:
    assert document["errors"] == [], document["errors"]
    return [action["mailbox"] for action in document["actions"] if action["type"] == "fileinto"]


def checks(document: dict) -> list[str]:
    """The names of the checks a script found true (each files into its name)."""
    return folders(document)


# enclose (RFC 5703 §6).


def test_enclose_wraps_the_message_after_a_text_part() -> None:
    document = run(
        """
        enclose "This message was held for review.";
        if header :mime :contenttype "Content-Type" "multipart/mixed" { fileinto "mixed"; }
        if header :mime :anychild :contenttype "Content-Type" "message/rfc822" {
            fileinto "attached";
        }
        if body :content "text/plain" :contains "held for review" { fileinto "text first"; }
        if header :is "subject" "lunch?" { fileinto "subject kept"; }
        if header :is "date" "Sat, 28 Nov 2026 12:00:00 +0000" { fileinto "dated now"; }
        if header :is "from" "bob@example.org" { fileinto "from the user"; }
        if address :mime :anychild :all "from" "alice@example.com" { fileinto "original inside"; }
        """
    )
    assert document["actions"][0] == {
        "type": "enclose",
        "subject": "lunch?",
        "headers": [],
        "text": "This message was held for review.",
    }
    assert checks(document) == [
        "mixed",
        "attached",
        "text first",
        "subject kept",
        "dated now",
        "from the user",
        "original inside",
    ]


def test_enclose_leaves_the_implicit_keep_alone() -> None:
    document = run('enclose "held";')
    assert document["implicit_keep"] is True
    assert [action["type"] for action in document["actions"]] == ["enclose"]


def test_enclose_subject_may_hold_any_text() -> None:
    document = run(
        """
        enclose :subject "Prüfung: lunch?" "see attachment";
        if header :is "subject" "Prüfung: lunch?" { fileinto "decoded"; }
        """
    )
    assert document["actions"][0]["subject"] == "Prüfung: lunch?"
    assert checks(document) == ["decoded"]


def test_enclose_headers_copies_fields_of_the_enclosed_message() -> None:
    document = run(
        """
        enclose :headers ["To", "Date", "Subject", "X-Reason: quarantined"] "held";
        if header :is "to" "Bob <bob@example.org>" { fileinto "to copied"; }
        if header :is "date" "Mon, 3 Mar 2025 08:15:02 +0100" { fileinto "date copied"; }
        if header :count "eq" "date" "1" { fileinto "one date"; }
        if header :count "eq" "subject" "1" { fileinto "one subject"; }
        if header :is "x-reason" "quarantined" { fileinto "field added"; }
        """
    )
    assert document["actions"][0]["headers"] == ["To", "Date", "Subject", "X-Reason: quarantined"]
    assert checks(document) == [
        "to copied",
        "date copied",
        "one date",
        "one subject",
        "field added",
    ]


def test_header_edits_before_enclose_are_in_the_enclosed_message() -> None:
    document = run(
        """
        addheader "X-Checked" "yes";
        enclose "held";
        if not exists "x-checked" { fileinto "not on the new message"; }
        if header :mime :anychild "x-checked" "yes" { fileinto "on the enclosed one"; }
        """
    )
    assert checks(document) == ["not on the new message", "on the enclosed one"]


def test_each_enclose_wraps_the_message_again() -> None:
    document = run(
        """
        enclose "first";
        enclose :subject "twice" "second";
        set "seen" "";
        foreverypart {
            if header :mime :contenttype "Content-Type" "message/rfc822" { set "seen" "${seen}+"; }
        }
        if string "${seen}" "++" { fileinto "two envelopes"; }
        if size :over 600 { fileinto "bigger"; }
        """
    )
    assert [action["type"] for action in document["actions"]][:2] == ["enclose", "enclose"]
    assert checks(document) == ["two envelopes", "bigger"]


def test_the_same_message_is_always_enclosed_the_same_way() -> None:
    source = """
        enclose "held";
        if header :mime :param "boundary" :matches "Content-Type" "*" { fileinto "${1}"; }"""
    first, second = checks(run(source)), checks(run(source))
    assert first == second and first[0].startswith("sieve-enclose-")


def test_enclose_inside_a_loop_is_recorded_but_the_run_reads_the_original() -> None:
    document = run(
        """
        foreverypart { enclose "held"; break; }
        if header :is "subject" "Quarterly report" { fileinto "original"; }
        """,
        MULTIPART,
    )
    assert [action["type"] for action in document["actions"]] == ["enclose", "fileinto"]
    assert checks(document) == ["original"]
    assert [warning["code"] for warning in document["warnings"]] == ["enclose-in-loop"]


def test_enclose_with_a_bad_field_name_fails() -> None:
    document = run('set "name" "Bad Name"; enclose :headers "${name}" "held";')
    assert document["status"] == "failed"
    assert [error["code"] for error in document["errors"]] == ["bad-header-name"]
    assert document["actions"] == [] and document["implicit_keep"] is True


# replace (RFC 5703 §5).


def test_replace_swaps_the_body_and_keeps_the_header() -> None:
    document = run(
        """
        replace "The attachment was removed by the mail filter.";
        if body :text :contains "removed by the mail filter" { fileinto "new body"; }
        if not body :text :contains "quarterly report" { fileinto "old body gone"; }
        if header :mime :contenttype "content-type" "text/plain" { fileinto "text/plain"; }
        if header :mime :param "charset" "content-type" "utf-8" { fileinto "utf-8"; }
        if allof(header :is "subject" "Quarterly report",
                 header :is "to" "Ivan Receiver <ivan@example.org>") { fileinto "header kept"; }
        if header :count "eq" "content-type" "1" { fileinto "one content-type"; }
        if not header :mime :anychild :type "content-type" "application" { fileinto "no pdf"; }
        """,
        MULTIPART,
    )
    assert document["actions"][0] == {
        "type": "replace",
        "replacement": "The attachment was removed by the mail filter.",
        "mime": False,
        "subject": "",
        "part": None,
        "from": "",
    }
    assert checks(document) == [
        "new body",
        "old body gone",
        "text/plain",
        "utf-8",
        "header kept",
        "one content-type",
        "no pdf",
    ]


def test_replace_subject_and_from_keep_the_old_fields() -> None:
    document = run(
        """
        replace :subject "Ärger: lunch" :from "Filter <filter@example.org>" "gone";
        if header :is "subject" "Ärger: lunch" { fileinto "new subject"; }
        if header :is "original-subject" "lunch?" { fileinto "original subject"; }
        if address :is "from" "filter@example.org" { fileinto "new from"; }
        if address :is "original-from" "alice@example.com" { fileinto "original from"; }
        """
    )
    assert document["actions"][0]["subject"] == "Ärger: lunch"
    assert document["actions"][0]["from"] == "Filter <filter@example.org>"
    assert checks(document) == ["new subject", "original subject", "new from", "original from"]


def test_replace_from_must_be_a_mailbox_list() -> None:
    document = run('replace :from "not an address" "gone";')
    assert document["status"] == "failed"
    assert [error["code"] for error in document["errors"]] == ["bad-address"]


def test_replace_mime_takes_a_whole_entity() -> None:
    document = run(
        """
        replace :mime text:
Content-Type: text/html; charset=utf-8
X-Not-Mime: dropped

<p>Lunch is <b>cancelled</b>.</p>
.
;
        if header :mime :contenttype "content-type" "text/html" { fileinto "html"; }
        if body :content "text/html" :contains "cancelled" { fileinto "content"; }
        if not exists "x-not-mime" { fileinto "only content fields"; }
        """
    )
    assert document["actions"][0]["mime"] is True
    assert checks(document) == ["html", "content", "only content fields"]


def test_replace_mime_without_a_header_is_all_content() -> None:
    document = run(
        """
        replace :mime "just words";
        if body :raw :contains "just words" { fileinto "kept"; }"""
    )
    assert checks(document) == ["kept"]


def test_replace_inside_a_loop_is_recorded_for_its_part() -> None:
    document = run(
        """
        foreverypart {
            if header :mime :type "content-type" "application" {
                replace :subject "ignored here" "The PDF was removed.";
            }
        }
        if header :mime :anychild :type "content-type" "application" { fileinto "run unchanged"; }
        """,
        MULTIPART,
    )
    replace = document["actions"][0]
    assert replace["type"] == "replace" and replace["part"] == 4 and replace["subject"] == ""
    assert checks(document) == ["run unchanged"]
    assert [warning["code"] for warning in document["warnings"]] == ["replace-part"] * 2


def test_replace_then_enclose_encloses_the_replaced_message() -> None:
    document = run(
        """
        replace "short";
        enclose "see below";
        if body :content "message/rfc822" :contains "Content-Type: text/plain; charset=utf-8" {
            fileinto "replaced inside";
        }
        """
    )
    assert checks(document) == ["replaced inside"]


def test_a_failed_run_delivers_the_original_message() -> None:
    document = run('replace "gone"; set "n" "a b"; addheader "${n}" "x";')
    assert document["status"] == "failed"
    assert document["actions"] == [] and document["implicit_keep"] is True
