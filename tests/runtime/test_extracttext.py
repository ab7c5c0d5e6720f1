"""RFC 5703 §7 extracttext: the decoded text of the current part of a foreverypart loop,
:first, and the set modifiers. Compared with Dovecot Pigeonhole's sieve-test, which also
strips HTML markup and applies :first before the modifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

import sieve
from sieve.runtime.control import RunStop
from sieve.runtime.message import Message
from sieve.runtime.vm import Run

MESSAGES = Path(__file__).parents[2] / "corpus" / "messages"
PARTS = (MESSAGES / "mime-parts.eml").read_bytes()
REQUIRE = 'require ["mime", "foreverypart", "extracttext", "variables", "fileinto", "include"];\n'


def run(
    source: str,
    data: bytes = PARTS,
    host: sieve.MemoryHost | None = None,
    limits: sieve.Limits | None = None,
) -> dict:
    script = sieve.compile(REQUIRE + source)
    return script.run(data, sieve.Envelope(), host=host, limits=limits).to_dict()


def texts(command: str, data: bytes = PARTS) -> dict[str, str]:
    """What `command` stores in ${text} for each part, by the part's X-Part name."""
    document = run(
        f"""
        foreverypart {{
            if header :mime :matches "X-Part" "*" {{ set "name" "${{1}}"; }}
            else {{ set "name" "(no name)"; }}
            {command}
            fileinto "${{name}}=${{text}}";
        }}""",
        data,
    )
    assert document["errors"] == [], document["errors"]
    found = [action["mailbox"].split("=", 1) for action in document["actions"]]
    return {name: text for name, text in found if name != "root"}


def test_each_part_gives_its_decoded_text() -> None:
    assert texts('extracttext "text";') == {
        "alternative": "",  # a multipart has no text of its own
        "plain": "Café at ten?",  # quoted-printable UTF-8
        "html": "\nCafé at ten?\n",  # quoted-printable Latin-1, markup dropped
        "pdf": "",  # not textual (Pigeonhole stores the raw PDF)
        "forwarded": "",  # a message/rfc822 part: its text is in the part below
        "(no name)": "Forwarded words.",
        "untyped": "A part without Content-Type is text/plain.",
    }


def test_a_single_part_message_is_one_part() -> None:
    data = b"From: a@example.com\r\nSubject: hi\r\n\r\nHello there, reader.\r\n"
    document = run('foreverypart { extracttext :first 11 "text"; } fileinto "${text}";', data)
    assert [action["mailbox"] for action in document["actions"]] == ["Hello there"]


def test_first_keeps_that_many_characters() -> None:
    found = texts('extracttext :first 4 "text";')
    assert found["plain"] == "Café"
    assert found["untyped"] == "A pa"
    assert texts('extracttext :first 500 "text";')["plain"] == "Café at ten?"
    assert texts('extracttext :first 0 "text";')["plain"] == ""


def test_modifiers_apply_after_first() -> None:
    assert texts('extracttext :upper "text";')["plain"] == "CAFÉ AT TEN?"
    assert texts('extracttext :lower :upperfirst "text";')["untyped"] == (
        "A part without content-type is text/plain."
    )
    assert texts('extracttext :length "text";')["plain"] == "12"
    assert texts('extracttext :length :first 4 "text";')["plain"] == "4"
    assert texts('extracttext :quotewildcard "text";')["plain"] == "Café at ten\\?"


def test_base64_text_in_its_charset() -> None:
    data = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\n"
        b"Content-Type: text/plain; charset=iso-8859-15\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"X-Part: euro\r\n\r\n"
        b"cHJpY2U6IDEwIKQ=\r\n"  # "price: 10 €" in ISO-8859-15
        b"--b--\r\n"
    )
    assert texts('extracttext "text";', data)["euro"] == "price: 10 €"


def test_a_preview_of_the_first_text_part() -> None:
    document = run(
        """
        foreverypart {
            if header :mime :contenttype "Content-Type" "text/plain" {
                extracttext :first 7 "preview";
                break;
            }
        }
        fileinto "Preview/${preview}";"""
    )
    assert [action["mailbox"] for action in document["actions"]] == ["Preview/Café at"]


def test_long_text_is_cut_to_the_variable_size_limit() -> None:
    document = run(
        'foreverypart { extracttext "text"; } fileinto "${text}";',
        limits=sieve.Limits(max_variable_size=10),
    )
    assert document["actions"][0]["mailbox"] == "A part wit"


def test_an_included_script_loops_below_the_includers_current_part() -> None:
    included = """
        global "text";
        foreverypart {
            if header :mime "X-Part" "plain" { extracttext :first 4 "text"; }
        }"""
    host = sieve.MemoryHost(scripts={"extract": REQUIRE + included})
    document = run(
        """
        global "text";
        foreverypart {
            if header :mime "X-Part" "alternative" { include "extract"; }
        }
        fileinto "${text}";""",
        host=host,
    )
    assert [action["mailbox"] for action in document["actions"]] == ["Café"]


def test_outside_any_loop_extracttext_is_a_run_time_error() -> None:
    # The checker keeps extracttext inside foreverypart (in included scripts too), so only a
    # program that skipped it could get here; Pigeonhole fails the run then too.
    linked = sieve.compile(REQUIRE + 'foreverypart { extracttext "text"; }').linked()
    function, args = next(call for call in linked.calls if call[1].name == "extracttext")
    run_state = Run(Message.parse(PARTS), sieve.Envelope(), sieve.MemoryHost(), sieve.Limits())
    with pytest.raises(RunStop) as stopped:
        function(run_state, args)
    assert stopped.value.code == "extracttext-outside-loop"


def test_extracttext_outside_foreverypart_does_not_compile() -> None:
    with pytest.raises(sieve.CompileError):
        sieve.compile(REQUIRE + 'extracttext "text";')
