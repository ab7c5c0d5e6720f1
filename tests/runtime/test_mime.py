"""RFC 5703 §4: header, address and exists with :mime and :anychild, and the MIME options
:type, :subtype, :contenttype and :param. Every expected value was compared with Dovecot
Pigeonhole's sieve-test on the same message."""

from __future__ import annotations

from pathlib import Path

import pytest

import sieve

MESSAGES = Path(__file__).parents[2] / "corpus" / "messages"
PARTS = (MESSAGES / "mime-parts.eml").read_bytes()
REQUIRE = (
    'require ["mime", "foreverypart", "variables", "fileinto", "relational", "index",'
    ' "comparator-i;ascii-numeric"];\n'
)


def run(source: str, data: bytes = PARTS, limits: sieve.Limits | None = None) -> dict:
    script = sieve.compile(REQUIRE + source)
    return script.run(data, sieve.Envelope(), limits=limits).to_dict()


def folders(document: dict) -> list[str]:
    assert document["errors"] == [], document["errors"]
    return [action["mailbox"] for action in document["actions"] if action["type"] == "fileinto"]


def is_true(test: str, data: bytes = PARTS) -> bool:
    return folders(run(f'if {test} {{ fileinto "true"; }}', data)) == ["true"]


def per_part(test: str) -> list[str]:
    """`${1}` of `test :matches ... "*"` in every part below the message, "-" where false."""
    document = run(
        f"""
        set "seen" "";
        foreverypart {{
            if not header :mime "X-Part" "root" {{
                set "value" "-";
                if {test} "*" {{ set "value" "${{1}}"; }}
                set "seen" "${{seen}}|${{value}}";
            }}
        }}
        fileinto "${{seen}}";"""
    )
    return folders(document)[0].split("|")[1:]


# In the order foreverypart visits them (the message itself left out): the alternative,
# its plain and HTML parts, the PDF, the forwarded message/rfc822 part, the message
# inside it, and a part without Content-Type.


def test_x_part_names_the_parts_in_loop_order() -> None:
    assert per_part('header :mime :matches "X-Part"') == [
        "alternative",
        "plain",
        "html",
        "pdf",
        "forwarded",
        "-",  # the forwarded message's own header has no X-Part
        "untyped",
    ]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (":type", ["multipart", "text", "TEXT", "application", "message", "text", "-"]),
        (":subtype", ["alternative", "plain", "HTML", "pdf", "rfc822", "plain", "-"]),
        (
            ":contenttype",
            [
                "multipart/alternative",
                "text/plain",
                "TEXT/HTML",  # as written: only comparators fold case
                "application/pdf",
                "message/rfc822",
                "text/plain",
                "-",  # no Content-Type field: nothing to read (no RFC 2045 default)
            ],
        ),
        (
            ':param "charset"',
            ["", "UTF-8", "iso-8859-1", "", "", "us-ascii", "-"],  # "" when there is none
        ),
    ],
)
def test_content_type_options_in_every_part(option: str, expected: list[str]) -> None:
    assert per_part(f'header :mime {option} :matches "Content-Type"') == expected


def test_content_disposition_options() -> None:
    disposition = '"Content-Disposition"'
    assert per_part(f"header :mime :type :matches {disposition}")[3] == "attachment"
    assert per_part(f"header :mime :contenttype :matches {disposition}")[3] == "attachment"
    assert per_part(f"header :mime :subtype :matches {disposition}")[3] == ""
    # RFC 2231: the extended filename, percent-decoded from UTF-8.
    assert per_part(f'header :mime :param "filename" :matches {disposition}')[3] == (
        "agenda – March.pdf"
    )


def test_the_message_itself_outside_a_loop() -> None:
    assert is_true('header :mime :contenttype "Content-Type" "multipart/mixed"')
    assert is_true('header :mime :param "boundary" "Content-Type" "outer"')
    assert is_true('header :mime :type "Content-Type" "MULTIPART"')  # i;ascii-casemap
    assert not is_true('header :mime :type :comparator "i;octet" "Content-Type" "MULTIPART"')


def test_without_an_option_mime_reads_the_whole_field() -> None:
    assert per_part('header :mime :matches "Content-Disposition"')[3] == (
        "attachment; filename*=UTF-8''agenda%20%E2%80%93%20March.pdf"
    )


def test_other_fields_give_one_empty_value_as_in_pigeonhole() -> None:
    assert is_true('header :mime :type "Subject" ""')
    assert is_true('header :mime :param "charset" "Subject" ""')
    assert is_true('header :mime :count "eq" :type "Subject" "1"')
    assert not is_true('header :mime :type "X-Nowhere" ""')


def test_param_gives_one_value_per_parameter_found() -> None:
    data = (
        b"Content-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n"
        b"Subject: invitation\r\n\r\nBEGIN:VCALENDAR\r\n"
    )
    assert is_true('header :mime :count "eq" :param ["method", "charset"] "Content-Type" "2"', data)
    assert is_true('header :mime :param ["method", "charset"] "Content-Type" "request"', data)
    assert is_true('header :mime :count "eq" :param ["method", "x"] "Content-Type" "1"', data)
    assert is_true('header :mime :count "eq" :param "x" "Content-Type" "1"', data)
    assert is_true('header :mime :param "x" "Content-Type" ""', data)


def test_param_decodes_rfc2231_continuations_and_charsets() -> None:
    data = (
        b"Content-Type: application/x-stuff;\r\n"
        b"\ttitle*0*=iso-8859-1'fr'Caf%E9%20;\r\n"
        b'\ttitle*1="du matin"\r\n'
        b"\r\nbody\r\n"
    )
    assert is_true('header :mime :param "title" "Content-Type" "Café du matin"', data)


def test_comments_and_spaces_in_content_type_are_skipped() -> None:
    data = b'Content-Type: TEXT / Plain (yes) ; Charset = "utf-8" (c)\r\n\r\nbody\r\n'
    assert is_true('header :mime :contenttype "Content-Type" "text/plain"', data)
    assert is_true('header :mime :param "charset" "Content-Type" "utf-8"', data)


def test_a_content_type_that_does_not_parse_gives_empty_values() -> None:
    data = b"Content-Type: garbage\r\n\r\nbody\r\n"
    assert is_true('header :mime :type "Content-Type" ""', data)
    assert is_true('header :mime :contenttype "Content-Type" ""', data)


def test_index_picks_one_of_several_fields() -> None:
    data = b"Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\nbody\r\n"
    assert is_true('header :mime :index 2 :subtype "Content-Type" "html"', data)
    assert not is_true('header :mime :index 1 :subtype "Content-Type" "html"', data)
    assert is_true('header :mime :index 1 :last :subtype "Content-Type" "html"', data)


# :anychild (RFC 5703 §4.1): the current part and every part below it, as Pigeonhole
# reads it (its "header :mime :anychild" matches the top-level header too).


def test_anychild_outside_a_loop_searches_the_whole_message() -> None:
    assert is_true('header :mime :anychild :contenttype "Content-Type" "application/pdf"')
    assert is_true(
        'header :mime :anychild :matches :param "filename" "Content-Disposition" "*.pdf"'
    )
    assert is_true('header :mime :anychild "X-Part" "root"')  # the current part counts


def test_anychild_inside_a_loop_searches_the_current_part_and_below() -> None:
    # The forwarded message/rfc822 part finds the Subject of the message inside it, and
    # that inner message finds its own. (Pigeonhole 2.3 also reports it on the HTML leaf
    # part before them, which has no Subject and no children: we take that for its bug.)
    found = per_part('header :mime :anychild :matches "Subject"')
    assert found == ["-", "-", "-", "-", "the original", "the original", "-"]


# address and exists (RFC 5703 §4.2, §4.3).


def test_address_mime_reads_the_forwarded_message() -> None:
    assert per_part('address :mime :all :matches "From"')[5] == "carol@example.net"
    assert is_true('address :mime :anychild :domain "From" "example.net"')
    assert not is_true('address :mime :domain "From" "example.net"')  # the message's own From


def test_exists_mime_and_anychild() -> None:
    document = run(
        """
        foreverypart {
            if exists :mime "Content-Disposition" { fileinto "has a disposition"; }
        }"""
    )
    assert folders(document) == ["has a disposition"]
    assert is_true('exists :mime :anychild ["Content-Disposition", "X-Part"]')
    assert not is_true('exists :mime :anychild ["Content-Disposition", "X-Nowhere"]')


def test_anychild_counts_against_the_mime_part_limit() -> None:
    # Parts are counted per run: two looks at the two children (the message is parsed no
    # further than the limit) make four.
    document = run(
        """
        if anyof(header :mime :anychild "X-Part" "nowhere",
                 header :mime :anychild "X-Part" "nowhere") { keep; }""",
        limits=sieve.Limits(max_mime_parts=3),
    )
    assert document["status"] == "limit"
    assert [error["code"] for error in document["errors"]] == ["max_mime_parts"]
    assert document["implicit_keep"] is True
