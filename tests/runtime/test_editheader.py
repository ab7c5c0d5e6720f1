"""RFC 5293 editheader: addheader and deleteheader, read as script + message → result.
Behaviour was compared with Dovecot Pigeonhole's sieve-test (-x +editheader)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

import sieve
from sieve.extensions.editheader import MAX_VALUE_BYTES, field_value
from sieve.runtime.message import Message, decode_encoded_words

MESSAGE = (
    b"Received: from mx.example.net by mail.example.org; Mon, 3 Mar 2025 08:15:02 +0100\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"From: Alice <alice@example.com>\r\n"
    b"To: bob@example.org\r\n"
    b"Subject: hello\r\n"
    b"X-Hello: one\r\n"
    b"X-Hello: two\r\n"
    b"X-Hello: three\r\n"
    b"X-Hello: four\r\n"
    b"\r\n"
    b"body\r\n"
)
REQUIRE = 'require ["editheader", "variables", "fileinto", "index", "relational"];\n'


def run(source: str, data: bytes | Message = MESSAGE) -> dict:
    script = sieve.compile(REQUIRE + source)
    return script.run(data, sieve.Envelope(rcpt_to="bob@example.org")).to_dict()


def folders(document: dict) -> list[str]:
    return [action["mailbox"] for action in document["actions"] if action["type"] == "fileinto"]


def edits(document: dict) -> list[dict]:
    return [a for a in document["actions"] if a["type"] in ("addheader", "deleteheader")]


def hello_fields(source: str) -> list[str]:
    """The X-Hello values after `source`, read back by the script itself."""
    document = run(
        source
        + """
        set "seen" "";
        if header :index 1 :matches "x-hello" "*" { set "seen" "${1}"; }
        if header :index 2 :matches "x-hello" "*" { set "seen" "${seen},${1}"; }
        if header :index 3 :matches "x-hello" "*" { set "seen" "${seen},${1}"; }
        if header :index 4 :matches "x-hello" "*" { set "seen" "${seen},${1}"; }
        if header :index 5 :matches "x-hello" "*" { set "seen" "${seen},${1}"; }
        fileinto "${seen}";"""
    )
    assert document["status"] == "success", document["errors"]
    seen = folders(document)[-1]
    return seen.split(",") if seen else []


# addheader (RFC 5293 §4).


def test_addheader_puts_the_field_on_top_and_later_tests_see_it() -> None:
    document = run(
        """
        addheader "X-Sieve" "filtered";
        if header :index 1 :is "x-sieve" "filtered" { fileinto "seen"; }"""
    )
    assert document["actions"] == [
        {"type": "addheader", "name": "X-Sieve", "value": "filtered", "last": False},
        {"type": "fileinto", "mailbox": "seen", "flags": [], "copy": False, "create": False},
    ]


def test_addheader_last_appends_the_field() -> None:
    assert hello_fields('addheader :last "X-Hello" "five";') == [
        "one",
        "two",
        "three",
        "four",
        "five",
    ]
    assert hello_fields('addheader "X-Hello" "zero";')[:2] == ["zero", "one"]


def test_addheader_does_not_touch_the_implicit_keep() -> None:
    document = run('addheader "X-Sieve" "yes";')
    assert document["implicit_keep"] is True


def test_a_non_ascii_value_is_rfc2047_encoded_and_read_back_decoded() -> None:
    document = run(
        """
        addheader "X-Note" "Grüße aus Köln";
        if header :is "x-note" "Grüße aus Köln" { fileinto "decoded"; }"""
    )
    value = edits(document)[0]["value"]
    assert value.startswith("=?UTF-8?B?") and value.isascii()
    assert decode_encoded_words(value) == "Grüße aus Köln"
    assert folders(document) == ["decoded"]


def test_line_breaks_in_a_value_become_folds() -> None:
    document = run(
        """
        set "value" text:
first line
second line
.
;
        addheader "X-Lines" "${value}";
        if header :is "x-lines" "first line second line" { fileinto "one line"; }"""
    )
    assert edits(document)[0]["value"] == "first line second line"
    assert folders(document) == ["one line"]


def test_leading_and_trailing_white_space_go() -> None:
    document = run('addheader "X-Pad" "  padded  ";')
    assert edits(document)[0]["value"] == "padded"


def test_text_that_would_read_as_an_encoded_word_is_encoded_itself() -> None:
    document = run(
        """
        addheader "X-Literal" "=?utf-8?q?not_a_word?=";
        if header :is "x-literal" "=?utf-8?q?not_a_word?=" { fileinto "literal"; }"""
    )
    assert folders(document) == ["literal"]


def test_a_word_too_long_for_a_line_is_encoded_so_it_can_be_folded() -> None:
    word = "x" * 1500
    document = run(f'addheader "X-Long" "{word}"; if header :is "x-long" "{word}" {{ keep; }}')
    value = edits(document)[0]["value"]
    assert all(len(piece) <= 75 for piece in value.split(" "))
    assert [action["type"] for action in document["actions"]] == ["addheader", "keep"]


def test_a_value_over_the_size_limit_is_a_run_time_error() -> None:
    long = "word " * (MAX_VALUE_BYTES // 5 + 1)
    document = run(f'set "v" "{long}"; addheader "X-Long" "${{v}}";')
    assert document["status"] == "failed"
    assert [error["code"] for error in document["errors"]] == ["header-too-long"]
    assert document["actions"] == [] and document["implicit_keep"] is True


def test_an_invalid_field_name_from_a_variable_is_a_run_time_error() -> None:
    document = run('set "name" "Bad Name"; addheader "${name}" "x";')
    assert document["status"] == "failed"
    assert [error["code"] for error in document["errors"]] == ["bad-header-name"]


def test_adding_received_is_allowed_as_in_pigeonhole() -> None:
    document = run(
        """
        addheader "Received" "from sieve by example.org";
        if header :index 1 :is "received" "from sieve by example.org" { fileinto "added"; }"""
    )
    assert folders(document) == ["added"]


# deleteheader (RFC 5293 §5).


def test_deleteheader_deletes_every_field_of_that_name() -> None:
    document = run('deleteheader "x-hello"; if not exists "X-Hello" { fileinto "gone"; }')
    assert edits(document) == [
        {
            "type": "deleteheader",
            "name": "x-hello",
            "index": None,
            "last": False,
            "value_patterns": [],
            "deleted": 4,
        }
    ]
    assert folders(document) == ["gone"]


def test_value_patterns_choose_the_fields_to_delete() -> None:
    assert hello_fields('deleteheader :contains "X-Hello" ["w", "ou"];') == ["one", "three"]
    assert hello_fields('deleteheader :matches "X-Hello" "t*";') == ["one", "four"]
    assert hello_fields('deleteheader "X-Hello" "TWO";') == ["one", "three", "four"]
    assert hello_fields('deleteheader :comparator "i;octet" "X-Hello" "TWO";') == [
        "one",
        "two",
        "three",
        "four",
    ]


def test_index_is_counted_before_the_patterns_are_tried() -> None:
    # RFC 5293 §5: `deleteheader :index 1 :contains "Delivered-To" "bob@example.com"`
    # deletes the first field only if it matches.
    assert hello_fields('deleteheader :index 1 :is "X-Hello" "two";') == [
        "one",
        "two",
        "three",
        "four",
    ]
    assert hello_fields('deleteheader :index 2 :is "X-Hello" "two";') == ["one", "three", "four"]
    assert hello_fields('deleteheader :index 1 :last "X-Hello";') == ["one", "two", "three"]


def test_an_index_past_the_fields_deletes_nothing() -> None:
    assert hello_fields('deleteheader :index 5 "X-Hello";') == ["one", "two", "three", "four"]
    # Pigeonhole deletes every field for :index 0; the index is 1-based, so we delete none.
    assert hello_fields('deleteheader :index 0 "X-Hello";') == ["one", "two", "three", "four"]


def test_matches_patterns_set_the_match_variables_as_in_pigeonhole() -> None:
    document = run('deleteheader :matches "X-Hello" "th*"; fileinto "${1}";')
    assert folders(document) == ["ree"]


# RFC 5293 §7: edits see each other.


def test_adding_then_deleting_the_first_field_leaves_the_message_unchanged() -> None:
    assert hello_fields('addheader "X-Hello" "World"; deleteheader :index 1 "X-Hello";') == [
        "one",
        "two",
        "three",
        "four",
    ]


def test_deleting_index_1_then_index_2_deletes_the_first_and_the_third() -> None:
    fields = hello_fields('deleteheader :index 1 "X-Hello"; deleteheader :index 2 "X-Hello";')
    assert fields == ["two", "four"]


def test_subject_may_be_added_and_deleted() -> None:
    # RFC 5293 §6: implementations MUST permit adding and deleting Subject.
    document = run(
        """
        deleteheader "Subject";
        addheader "Subject" "replaced";
        if header :is "subject" "replaced" { fileinto "new subject"; }"""
    )
    assert folders(document) == ["new subject"]


# RFC 5293 §6: protected fields.


def test_received_and_auto_submitted_cannot_be_deleted() -> None:
    document = run(
        """
        deleteheader "Received";
        deleteheader "auto-submitted";
        if allof(exists "received", exists "auto-submitted") { fileinto "both kept"; }"""
    )
    assert folders(document) == ["both kept"]
    assert edits(document) == []
    assert [warning["code"] for warning in document["warnings"]] == ["header-protected"] * 2
    assert document["status"] == "success"


# Edits belong to one run.


def test_a_failed_run_keeps_the_original_message_and_no_edits() -> None:
    # RFC 5293 §7: after an error the implicit keep uses the original header.
    document = run('addheader "X-Sieve" "yes"; set "n" "a:b"; deleteheader "${n}";')
    assert document["status"] == "failed"
    assert document["actions"] == [] and document["implicit_keep"] is True


def test_edits_do_not_leak_into_the_next_run_of_the_same_message() -> None:
    parsed = Message.parse(MESSAGE)
    first = run('addheader "X-Sieve" "yes"; deleteheader "X-Hello";', parsed)
    assert first["status"] == "success"
    second = run(
        'if allof(not exists "x-sieve", exists "x-hello") { fileinto "pristine"; }', parsed
    )
    assert folders(second) == ["pristine"]
    assert parsed.header("X-Hello") == ["one", "two", "three", "four"]


# The value rules as a property.

values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=300, deadline=None)
@given(values)
def test_a_field_value_is_one_line_and_decodes_to_what_was_asked(value: str) -> None:
    written = field_value("X-Test", value)
    assert "\r" not in written and "\n" not in written
    assert all(len(word) <= 998 for word in written.split(" "))
    unfolded = re.sub(r"(?:\r\n|\r|\n)([ \t]*)", lambda m: m.group(1) or " ", value)
    assert decode_encoded_words(written) == unfolded.strip(" \t")
