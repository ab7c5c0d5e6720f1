"""Oracle Messaging Server's own actions and its reading of spamtest, run as the server does."""

from __future__ import annotations

import sieve

SPAM = (
    b"From: a@example.com\r\nTo: b@example.org\r\nSubject: offer\r\n"
    b"X-Spam-Score: 7.4\r\n\r\nbuy now\r\n"
)
ENVELOPE = sieve.Envelope(mail_from="a@example.com", rcpt_to="b@example.org")
NUMERIC = 'require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"{more}];\n'


def mailboxes(source: str, message: bytes = SPAM, dialect: str = "oracle", **host: object) -> list:
    script = sieve.compile(source, dialect=dialect)
    result = script.run(message, ENVELOPE, host=sieve.MemoryHost(**host))  # type: ignore[arg-type]
    assert result.status == "success", result.errors
    return [getattr(a, "mailbox", a.type) for a in result.actions]


def test_oracle_spamtest_is_the_rounded_score() -> None:
    source = NUMERIC.format(more="") + (
        'if spamtest :value "eq" :comparator "i;ascii-numeric" "7" { fileinto "seven"; }'
    )
    assert mailboxes(source) == ["seven"]


def test_the_standard_dialect_scales_the_score_onto_1_to_10() -> None:
    source = NUMERIC.format(more="") + (
        'if spamtest :value "eq" :comparator "i;ascii-numeric" "8" { fileinto "eight"; }'
    )
    # 7.4 of a maximum of 10: 1 + round(9 * 0.74) = 8 (RFC 5235 §3.2).
    assert mailboxes(source, dialect="standard") == ["eight"]


def test_spamadjust_changes_what_later_spamtests_see_and_holds_to_ten() -> None:
    source = NUMERIC.format(more=', "spamadjust"') + (
        'spamadjust "+5 sender on a block list";\n'
        'if spamtest :value "eq" :comparator "i;ascii-numeric" "10" { fileinto "ten"; }'
    )
    assert mailboxes(source) == ["spamadjust", "ten"]


def test_the_caller_can_give_the_score() -> None:
    source = NUMERIC.format(more="") + (
        'if spamtest :value "eq" :comparator "i;ascii-numeric" "3" { fileinto "three"; }'
    )
    assert mailboxes(source, spam_score=3.2) == ["three"]


def test_an_unscored_message_is_not_tested() -> None:
    source = NUMERIC.format(more="") + (
        'if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "untested"; }'
    )
    assert mailboxes(source, message=b"Subject: x\r\n\r\nhi\r\n") == ["untested"]


def test_addtag_and_addheader_in_the_oracle_forms() -> None:
    source = 'require ["addtag", "addheader"]; addtag "[SPAM]"; addheader "X-Filtered: yes";'
    result = sieve.compile(source, dialect="oracle").run(SPAM, ENVELOPE)
    assert [a.to_dict() for a in result.actions] == [
        {"type": "addtag", "tag": "[SPAM]"},
        {"type": "addheader", "name": "X-Filtered", "value": "yes", "last": False},
    ]
    assert result.message.header("x-filtered") == ["yes"]


def test_erejec_is_ereject_with_a_warning() -> None:
    script = sieve.compile('require "ereject"; erejec "go away";', dialect="oracle")
    assert any("erejec" in w.message for w in script.warnings)
    result = script.run(SPAM, ENVELOPE)
    assert [a.to_dict() for a in result.actions] == [{"type": "ereject", "reason": "go away"}]
