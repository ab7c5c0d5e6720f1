"""RFC 5703 §3: the foreverypart loop and break (VM instructions LOOP_BEGIN, LOOP_NEXT and
BREAK), over the corpus' multipart messages. Orders and break targets were compared with
Dovecot Pigeonhole's sieve-test."""

from __future__ import annotations

import time
from pathlib import Path

import sieve

MESSAGES = Path(__file__).parents[2] / "corpus" / "messages"
PARTS = (MESSAGES / "mime-parts.eml").read_bytes()
NESTED = (MESSAGES / "nested.eml").read_bytes()
REQUIRE = 'require ["mime", "foreverypart", "variables", "fileinto", "include"];\n'
# Appends the current part's content type to ${trail}.
NOTE = 'if header :mime :contenttype :matches "Content-Type" "*" { set "trail" "${trail} %s${1}"; }'


def run(
    source: str,
    data: bytes = PARTS,
    limits: sieve.Limits | None = None,
    host: sieve.MemoryHost | None = None,
) -> dict:
    script = sieve.compile(REQUIRE + source)
    return script.run(data, sieve.Envelope(), host=host, limits=limits).to_dict()


def trail(source: str, data: bytes = PARTS, **options: object) -> list[str]:
    """The ${trail} a script builds, as a list."""
    document = run(f'set "trail" "";\n{source}\nfileinto "${{trail}}";', data, **options)  # type: ignore[arg-type]
    assert document["errors"] == [], document["errors"]
    return document["actions"][-1]["mailbox"].split()


def note(prefix: str = "") -> str:
    return NOTE % prefix


def test_the_loop_walks_the_parts_depth_first() -> None:
    assert trail(f"foreverypart {{ {note()} }}", NESTED) == [
        "multipart/mixed",  # the message itself comes first
        "text/plain",
        "message/rfc822",
        "multipart/alternative",  # the forwarded message itself
        "text/plain",
        "text/html",
    ]


def test_the_message_itself_is_the_first_part() -> None:
    # As in Pigeonhole (and Stalwart): a single-part message is looped over once.
    assert trail(f"foreverypart {{ {note()} }}")[:2] == ["multipart/mixed", "multipart/alternative"]
    single = b"From: a@example.com\r\nSubject: plain\r\n\r\njust text\r\n"
    assert trail(f"foreverypart {{ {note()} }}", single) == []  # no Content-Type field
    document = run('foreverypart { fileinto "looped"; }', single)
    assert [action["mailbox"] for action in document["actions"]] == ["looped"]


def test_a_nested_loop_walks_the_parts_below_the_current_one() -> None:
    source = f"""
        foreverypart {{
            if header :mime :subtype "Content-Type" "alternative" {{
                {note("outer:")}
                foreverypart {{ {note("inner:")} }}
            }}
        }}"""
    assert trail(source) == [
        "outer:multipart/alternative",
        "inner:text/plain",
        "inner:TEXT/HTML",
    ]


def test_break_ends_the_innermost_loop() -> None:
    source = f"""
        foreverypart {{
            {note()}
            if header :mime :type "Content-Type" "application" {{ break; }}
        }}"""
    assert trail(source) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "TEXT/HTML",
        "application/pdf",
    ]


# Below the forwarded message of nested.eml: the message/rfc822 part holds a
# multipart/alternative with a text/plain and a text/html part.
IN_THE_FORWARDED_MESSAGE = """
    foreverypart {
        if header :mime :subtype "Content-Type" "rfc822" {
            %s
        }
    }
    %s"""


def test_break_with_a_name_ends_the_loops_up_to_that_one() -> None:
    loops = f"""
        foreverypart :name "outer" {{
            {note("O:")}
            foreverypart :name "inner" {{
                {note("I:")}
                if header :mime :subtype "Content-Type" "html" {{ break :name "outer"; }}
            }}
            {note("never:")}
        }}
        {note("after:")}"""
    source = IN_THE_FORWARDED_MESSAGE % (loops, note("end:"))
    assert trail(source, NESTED) == [
        "O:multipart/alternative",
        "I:text/plain",
        "I:text/html",
        "after:message/rfc822",  # back at the part of the enclosing loop
        "end:multipart/mixed",  # outside every loop, :mime reads the message again
    ]


def test_break_with_the_inner_name_lets_the_outer_loop_go_on() -> None:
    loops = f"""
        foreverypart :name "outer" {{
            foreverypart :name "inner" {{
                {note("I:")}
                break :name "inner";
            }}
            {note("O:")}
        }}"""
    source = IN_THE_FORWARDED_MESSAGE % (loops, "")
    assert trail(source, NESTED) == [
        "I:text/plain",  # the first part below the alternative, then break
        "O:multipart/alternative",
        "O:text/plain",
        "O:text/html",
    ]


def test_stop_inside_a_loop_ends_the_script() -> None:
    document = run('foreverypart { discard; stop; } fileinto "never";')
    assert [action["type"] for action in document["actions"]] == ["discard"]


def test_an_included_script_loops_below_the_includers_current_part() -> None:
    host = sieve.MemoryHost(
        scripts={"inner": REQUIRE + 'global "trail"; foreverypart { ' + note("inc:") + " }"}
    )
    source = """
        global "trail";
        set "trail" "";
        foreverypart {
            if header :mime :subtype "Content-Type" "rfc822" { include "inner"; }
        }
        fileinto "${trail}";"""
    document = run(source, host=host)
    assert [action["mailbox"] for action in document["actions"]] == [" inc:text/plain"]


# Limits: every part visited counts against Limits.max_mime_parts.


def test_loops_stop_at_the_mime_part_limit() -> None:
    source = "foreverypart { keep; } foreverypart { keep; }"
    document = run(source, limits=sieve.Limits(max_mime_parts=10))
    assert document["status"] == "limit"
    assert [error["code"] for error in document["errors"]] == ["max_mime_parts"]
    assert document["implicit_keep"] is True and document["actions"] == []


def test_a_message_of_thousands_of_parts_is_walked_no_further_than_the_limit() -> None:
    boundary = b"b"
    body = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\npart\r\n" for _ in range(10_000))
    data = (
        b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n" + body + b"--b--\r\n"
    )
    started = time.perf_counter()
    document = run(
        "foreverypart { foreverypart { keep; } }", data, limits=sieve.Limits(max_mime_parts=500)
    )
    assert time.perf_counter() - started < 2.0
    assert document["status"] in ("success", "limit")
    document = run(
        "foreverypart { keep; } foreverypart { keep; }",
        data,
        limits=sieve.Limits(max_mime_parts=500),
    )
    assert document["status"] == "limit"


def test_every_step_in_the_loop_counts() -> None:
    document = run('foreverypart { set "a" "b"; set "a" "c"; }', limits=sieve.Limits(max_steps=20))
    assert document["status"] == "limit"
    assert [error["code"] for error in document["errors"]] == ["max_steps"]


# include inside a loop.


def test_return_from_a_loop_in_an_included_script_restores_the_current_part() -> None:
    host = sieve.MemoryHost(
        scripts={"inner": 'require ["foreverypart", "include"]; foreverypart { return; }'}
    )
    source = f"""
        foreverypart {{
            if header :mime :subtype "Content-Type" "alternative" {{
                include "inner";
                {note()}
            }}
        }}"""
    assert trail(source, host=host) == ["multipart/alternative"]
