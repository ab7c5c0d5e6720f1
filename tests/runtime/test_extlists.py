"""External lists (RFC 6134) at run time, read as examples: lists held by the Host, a
script that names them, and what the run does."""

from __future__ import annotations

import pytest

import sieve

ADDRBOOK = "urn:ietf:params:sieve:addrbook:default"
TEAM = "tag:example.com,2026:team"
MESSAGE = (
    b"From: Alice Example <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>, carol@example.net\r\n"
    b"Subject: Plans\r\n"
    b"\r\n"
    b"Hello.\r\n"
)
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob@example.org")


def host(**lists: set[str]) -> sieve.MemoryHost:
    known = {ADDRBOOK: {"Alice@Example.com", "dave@example.com"}, TEAM: {"carol@example.net"}}
    known.update(lists)
    return sieve.MemoryHost(lists=known)


def run(source: str, the_host: sieve.MemoryHost | None = None, **options: object) -> dict:
    script = sieve.compile(source)
    result = script.run(MESSAGE, ENVELOPE, host=the_host or host(), **options)  # type: ignore[arg-type]
    return result.to_dict()


def folders(document: dict) -> list[str]:
    return [a["mailbox"] for a in document["actions"] if a["type"] == "fileinto"]


# The :list match type (RFC 6134 §2).


def test_mail_from_the_address_book_is_filed_as_friends() -> None:
    source = """require ["extlists", "fileinto"];
        if address :list "from" ":addrbook:default" { fileinto "Friends"; }"""
    assert folders(run(source)) == ["Friends"]


def test_the_short_and_the_full_list_name_are_one_list() -> None:
    source = f"""require ["extlists", "fileinto"];
        if address :list "from" "{ADDRBOOK}" {{ fileinto "Friends"; }}"""
    assert folders(run(source)) == ["Friends"]


def test_no_member_no_match() -> None:
    source = """require ["extlists", "fileinto"];
        if address :list "to" ":addrbook:default" { fileinto "Friends"; }"""
    assert folders(run(source)) == []


def test_any_value_on_any_named_list_matches() -> None:
    source = f"""require ["extlists", "fileinto"];
        if address :list "to" [":addrbook:default", "{TEAM}"] {{ fileinto "Team"; }}"""
    assert folders(run(source)) == ["Team"]


def test_list_works_with_header_envelope_and_string() -> None:
    source = f"""require ["extlists", "fileinto", "envelope", "variables"];
        if envelope :list "from" ":addrbook:default" {{ fileinto "Envelope"; }}
        if header :list "x-none" ":addrbook:default" {{ fileinto "Never"; }}
        if string :list "dave@example.com" ":addrbook:default" {{ fileinto "String"; }}
        if address :domain :list "to" "{TEAM}" {{ fileinto "Never"; }}"""
    assert folders(run(source)) == ["Envelope", "String"]


def test_the_match_variable_0_holds_the_member_that_matched() -> None:
    # As Pigeonhole sets it: ${0} is the member, the other match variables are emptied.
    source = f"""require ["extlists", "fileinto", "variables"];
        if address :matches "from" "*@*" {{}}
        if address :list "to" "{TEAM}" {{ fileinto "${{0}} ${{2}}"; }}"""
    assert folders(run(source)) == ["carol@example.net "]


def test_an_unknown_list_is_a_run_time_error() -> None:
    source = """require ["extlists", "fileinto"];
        if address :list "from" "tag:example.com,2026:nobody" { fileinto "X"; }"""
    document = run(source)
    assert document["status"] == "failed"
    assert [e["code"] for e in document["errors"]] == ["unknown-list"]
    assert document["implicit_keep"] is True


def test_an_unknown_list_is_an_error_even_with_nothing_to_look_up() -> None:
    source = """require ["extlists", "fileinto"];
        if header :list "x-none" "tag:example.com,2026:nobody" { fileinto "X"; }"""
    assert [e["code"] for e in run(source)["errors"]] == ["unknown-list"]


def test_a_host_may_name_its_lists_in_the_short_form() -> None:
    short = sieve.MemoryHost(lists={":addrbook:default": {"alice@example.com"}})
    source = """require ["extlists", "fileinto"];
        if address :list "from" ":addrbook:default" { fileinto "Friends"; }"""
    assert folders(run(source, short)) == ["Friends"]


# valid_ext_list (RFC 6134 §2).


@pytest.mark.parametrize(
    ("names", "valid"),
    [
        ('":addrbook:default"', True),
        (f'"{ADDRBOOK}"', True),
        (f'[":addrbook:default", "{TEAM}"]', True),
        ('"urn:ietf:params:sieve:addrbook:diabolical"', False),
        ('"frop:666"', False),
        ('"not a uri"', False),
        (f'[":addrbook:default", "{TEAM}", "frop:666"]', False),
    ],
)
def test_valid_ext_list(names: str, valid: bool) -> None:
    source = f'require "extlists"; if valid_ext_list {names} {{ discard; }}'
    assert (run(source)["actions"] == [{"type": "discard"}]) is valid


# redirect :list.


def test_redirect_list_sends_the_message_to_every_member() -> None:
    document = run('require "extlists"; redirect :list ":addrbook:default";')
    assert document["actions"] == [
        {"type": "redirect", "address": "Alice@Example.com", "copy": False},
        {"type": "redirect", "address": "dave@example.com", "copy": False},
    ]
    assert document["implicit_keep"] is False


def test_redirect_list_with_copy_keeps_the_message() -> None:
    document = run(f'require ["extlists", "copy"]; redirect :copy :list "{TEAM}";')
    assert document["actions"] == [
        {"type": "redirect", "address": "carol@example.net", "copy": True}
    ]
    assert document["implicit_keep"] is True


def test_redirect_list_members_count_against_the_redirect_limit() -> None:
    many = host(**{"tag:example.com,2026:all": {f"user{n}@example.com" for n in range(6)}})
    document = run('require "extlists"; redirect :list "tag:example.com,2026:all";', many)
    assert document["status"] == "limit"
    assert [e["code"] for e in document["errors"]] == ["max_redirects"]


def test_redirect_list_skips_members_that_are_not_addresses() -> None:
    odd = host(**{"tag:example.com,2026:odd": {"ok@example.com", "not an address"}})
    document = run('require "extlists"; redirect :list "tag:example.com,2026:odd";', odd)
    assert document["actions"] == [{"type": "redirect", "address": "ok@example.com", "copy": False}]
    assert [w["code"] for w in document["warnings"]] == ["bad-list-member"]


def test_redirect_to_an_empty_list_keeps_the_message() -> None:
    empty = host(**{"tag:example.com,2026:empty": set()})
    document = run('require "extlists"; redirect :list "tag:example.com,2026:empty";', empty)
    assert document["actions"] == [] and document["implicit_keep"] is True


def test_redirect_to_an_unknown_list_is_a_run_time_error() -> None:
    document = run('require "extlists"; redirect :list "tag:example.com,2026:nobody";')
    assert document["status"] == "failed"
    assert [e["code"] for e in document["errors"]] == ["unknown-list"]


def test_redirect_without_list_is_the_plain_redirect() -> None:
    document = run('require "extlists"; redirect "dave@example.com";')
    assert document["actions"] == [
        {"type": "redirect", "address": "dave@example.com", "copy": False}
    ]
    assert run('require "extlists"; redirect "no address";')["status"] == "failed"


# Hostile input.


def test_a_long_value_list_costs_steps_not_a_hang() -> None:
    to = ", ".join(f"user{n}@example.com" for n in range(2000))
    message = f"From: a@example.com\r\nTo: {to}\r\n\r\nx\r\n".encode()
    source = """require ["extlists", "fileinto"];
        if address :list "to" ":addrbook:default" { fileinto "X"; }"""
    result = sieve.compile(source).run(
        message, ENVELOPE, host=host(), limits=sieve.Limits(max_steps=1000)
    )
    assert result.status == "limit"
    assert [e.code for e in result.errors] == ["max_steps"]
