"""The message model, read as examples: a sample message in, what a script would see out."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sieve.runtime import message as message_module
from sieve.runtime.addresses import Address, parse_address_list, quote_localpart
from sieve.runtime.message import Message, decode_encoded_words, encode_words

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "messages"
SAMPLES = sorted(path.name for path in CORPUS.glob("*.eml"))


def load(name: str, **options: int) -> Message:
    return Message.parse((CORPUS / name).read_bytes(), **options)  # type: ignore[arg-type]


def emails(addresses: list[Address]) -> list[str]:
    return [address.all for address in addresses]


# --- the samples -------------------------------------------------------------------------


def test_the_corpus_holds_every_sample_the_other_tests_use() -> None:
    assert set(SAMPLES) >= {
        "plain.eml",
        "encoded-words.eml",
        "folded.eml",
        "groups.eml",
        "multipart.eml",
        "nested.eml",
        "list.eml",
        "auto.eml",
        "mbox-from.eml",
        "broken-mime.eml",
        "spam.eml",
    }


def test_plain_message() -> None:
    message = load("plain.eml")
    assert message.size == (CORPUS / "plain.eml").stat().st_size
    assert message.header("Subject") == ["Lunch on Thursday?"]
    assert message.header("SUBJECT") == message.header("subject")
    assert message.has_header("mime-version") and not message.has_header("cc")
    assert message.header("cc") == []
    assert message.fields()[0] == ("Return-Path", "<alice@example.com>")
    assert message.header("received") == [
        "from mail.example.com (mail.example.com [192.0.2.10])\tby mx.example.org (Postfix) "
        "with ESMTPS id 4F1A2B3C4D\tfor <bob@example.org>; Tue, 14 May 2024 09:12:33 +0200 (CEST)"
    ]
    assert emails(message.addresses("from")) == ["alice@example.com"]
    assert message.addresses("to")[0].display == "Bob Example"
    assert message.body_raw().startswith("Hi Bob,\n\nare you free")
    [root] = message.parts()
    assert (root.content_type, root.params, root.is_multipart) == (
        "text/plain",
        {"charset": "us-ascii"},
        False,
    )
    assert message.body_text() == [message.body_raw()]
    assert message.defects == []


def test_encoded_words_are_decoded_and_broken_ones_kept() -> None:
    message = load("encoded-words.eml")
    assert message.header("subject") == ["Grüße aus Köln – Teil 2"]
    assert message.raw_header("subject")[0].startswith("=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=")
    assert message.header("thread-topic") == ["café au lait"]
    assert message.header("x-broken") == [
        "=?UTF-8?B?not*base64?= and =?no-such-charset?Q?hello?= stay"
    ]
    [sender] = message.addresses("from")
    assert (sender.display, sender.all) == ("Jörg Müller", "joerg.mueller@example.com")
    assert message.addresses("to")[0].display == "René Dupré"
    assert message.body_text() == ["Hallo René,\n\nviele Grüße aus Köln!\n\nJörg\n"]


def test_folded_fields_are_unfolded_and_kept_in_order() -> None:
    message = load("folded.eml")
    received = message.header("received")
    assert len(received) == 3
    assert received[0].startswith("from mx2.example.net") and received[2].endswith("+0000")
    assert all("\n" not in value and "\r" not in value for value in received)
    assert message.header("subject") == [
        "A rather long subject line that a mail client folded onto a second line and then"
        "\tonto a third one"
    ]
    assert emails(message.addresses("to")) == [
        "carol@example.org",
        "erin@example.org",
        "frank@example.org",
    ]
    assert message.parts()[0].params == {"charset": "us-ascii", "format": "flowed"}


def test_groups_display_names_comments_and_quoted_local_parts() -> None:
    message = load("groups.eml")
    to = message.addresses("to")
    assert emails(to) == [
        "anna@example.com",
        "carl+lists@example.org",
        '"dora q"@example.net',
        "eve@example.com",
    ]
    assert [a.display for a in to] == ["Anna B.", "Carl C.", None, "Eve"]
    assert to[2].localpart == "dora q"
    assert (to[1].user(), to[1].detail()) == ("carl", "lists")
    # The empty group gives nothing; the mailbox after it is still found.
    assert emails(message.addresses("cc")) == ["frank+newsletter@example.org"]
    assert message.addresses("from")[0].display == "Smith, John (Sales)"
    assert emails(message.addresses("resent-to")) == ["gwen@example.org"]  # route dropped
    assert message.addresses("return-path") == [Address("", None)]
    reply = message.addresses("reply-to")[0]
    assert (reply.user(), reply.detail(), reply.detail("-")) == ("help", "ticket-4711", "4711")


def test_multipart_alternative_with_an_rfc2231_attachment() -> None:
    message = load("multipart.eml")
    parts = message.parts()
    assert [p.content_type for p in parts] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    assert [(p.index, p.depth, p.parent, p.children) for p in parts] == [
        (0, 0, None, [1, 4]),
        (1, 1, 0, [2, 3]),
        (2, 2, 1, []),
        (3, 2, 1, []),
        (4, 1, 0, []),
    ]
    pdf = parts[4]
    assert pdf.disposition == "attachment"
    assert pdf.disposition_params == {"filename": "Q2 report – final.pdf"}
    assert pdf.params == {"name": "report.pdf"}
    assert pdf.payload() == bytes(range(256)) * 2
    assert pdf.header("content-transfer-encoding") == ["base64"]
    plain, html_source = message.body_content(["text"])
    assert "Café on Monday?" in plain  # quoted-printable, ISO-8859-1
    assert html_source.startswith("<html><head><style>")
    assert message.body_content(["text/html"]) == [html_source]
    everything = message.body_content([""])
    assert everything[0] == "This is a multi-part message in MIME format.\n"
    assert everything[-1] == "This epilogue is ignored by mail readers.\n"  # document order
    text = message.body_text()
    assert len(text) == 2 and "Hanna & team" in text[1]
    assert "color" not in text[1] and "<p>" not in text[1]
    assert message.defects == []


@pytest.mark.parametrize(
    ("wanted", "count"),
    [("", 6), ("text", 2), ("TEXT/HTML", 1), ("multipart", 3), ("application/pdf", 1)]
    + [("/html", 0), ("text/", 0), ("text/html/x", 0), ("image", 0)],
)
def test_content_types_match_as_rfc5173_says(wanted: str, count: int) -> None:
    # Two multiparts: mixed gives preamble and epilogue, alternative only its empty preamble.
    assert len(load("multipart.eml").body_content([wanted])) == count


def test_a_forwarded_message_is_a_part_with_the_message_inside_as_its_child() -> None:
    message = load("nested.eml")
    parts = message.parts()
    assert [p.content_type for p in parts] == [
        "multipart/mixed",
        "text/plain",
        "message/rfc822",
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert parts[2].children == [3] and parts[3].parent == 2
    inner = parts[3]
    assert inner.header("subject") == ["Invoice 2024-117"]
    assert emails(inner.addresses("from")) == ["billing@example.net"]
    # RFC 5173 §5.2: a message/rfc822 part is searched by its header only.
    [header_text] = message.body_content(["message"])
    assert "Subject: Invoice 2024-117" in header_text and "due on 1 June" not in header_text
    assert message.body_content(["text/plain"])[1].startswith("Your invoice 2024-117")
    assert parts[2].text() == "" and parts[0].text() == ""
    assert parts[5].text() == "\nYour invoice 2024-117 over 250\xa0EUR is due on 1 June.\n"
    assert message.body_text()[0] == "Kim, see the forwarded invoice below."


def test_mailing_list_and_auto_reply_headers() -> None:
    listed = load("list.eml")
    assert listed.header("list-id") == ["Developer announcements <dev-announce.lists.example.net>"]
    assert listed.header("precedence") == ["list"]
    assert listed.header("list-unsubscribe")[0].endswith("/unsubscribe/dev-announce>")
    auto = load("auto.eml")
    assert auto.header("auto-submitted") == ["auto-replied"]
    assert auto.header("precedence") == ["bulk"]


def test_an_mbox_from_line_is_not_part_of_the_message() -> None:
    raw = (CORPUS / "mbox-from.eml").read_bytes()
    message = Message.parse(raw)
    first_line = raw.split(b"\n", 1)[0] + b"\n"
    assert message.size == len(raw) - len(first_line)
    assert message.fields()[0] == ("Return-Path", "<olga@example.com>")
    assert emails(message.addresses("from")) == ["olga@example.com"]
    assert message.as_bytes() == raw[len(first_line) :]


def test_broken_mime_is_read_as_far_as_it_goes() -> None:
    message = load("broken-mime.eml")
    assert message.header("subject") == ["Broken MIME ÿþ raw bytes"]  # Latin-1 fallback
    assert message.header("from") == ["Quinn Broken <quinn@example.net>"]  # others stay UTF-8
    parts = message.parts()
    assert [p.content_type for p in parts] == [
        "multipart/mixed",
        "text/plain",
        "application/octet-stream",
        "text/plain",
    ]
    first, last = message.body_content(["text"])
    assert "\ufffd(" in first and "\x00 done." in first
    assert last == "Last part, and the closing boundary is missing.\n"
    assert parts[2].payload() == b"Hello world"  # what can be decoded is
    assert message.body_content(["application"]) == ["Hello world"]
    defects = " | ".join(message.defects)
    assert "missing closing boundary" in defects
    assert "invalid base64" in defects
    assert "not valid utf-8" in defects
    assert "unknown charset" in defects


def test_spam_and_virus_scanner_headers() -> None:
    message = load("spam.eml")
    assert message.header("x-spam-score") == ["7.3"]
    assert message.header("x-spam-flag") == ["YES"]
    status = message.header("x-spam-status")[0]
    assert status.startswith("Yes, score=7.3") and "MIME_HTML_ONLY,RDNS_NONE" in status
    assert message.header("x-virus-scanned") == ["amavisd-new at example.org"]
    assert message.body_text() == ["\nCongratulations!\n\nClick here to claim your prize.\n\n"]


@pytest.mark.parametrize("name", SAMPLES)
def test_crlf_line_ends_read_the_same_as_lf(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    crlf = raw.replace(b"\n", b"\r\n")
    lf_message, crlf_message = Message.parse(raw), Message.parse(crlf)
    assert crlf_message.fields() == lf_message.fields()
    mbox_line = crlf.split(b"\n", 1)[0] + b"\n" if crlf.startswith(b"From ") else b""
    assert crlf_message.size == len(crlf) - len(mbox_line)
    assert emails(crlf_message.addresses("to")) == emails(lf_message.addresses("to"))
    assert [p.content_type for p in crlf_message.parts()] == [
        p.content_type for p in lf_message.parts()
    ]

    def unify(values: list[str]) -> list[str]:
        return [value.replace("\r\n", "\n") for value in values]

    assert unify(crlf_message.body_content([""])) == unify(lf_message.body_content([""]))
    assert crlf_message.as_bytes() == crlf[len(crlf) - crlf_message.size :]


# --- header fields -----------------------------------------------------------------------


def test_unfolding_removes_only_the_line_break() -> None:
    message = Message.parse(b"Subject: one\r\n two\r\n\tthree\r\nX:  padded  \r\n\r\n")
    assert message.header("subject") == ["one two\tthree"]
    assert message.header("x") == ["padded"]


def test_names_are_case_insensitive_and_may_have_blanks_before_the_colon() -> None:
    message = Message.parse(b"X-Foo : spaced\nx-foo:tight\nX-FOO:\n\tfolded\n\nbody")
    assert message.header("x-foo") == ["spaced", "tight", "folded"]
    assert [name for name, _ in message.fields()] == ["X-Foo", "x-foo", "X-FOO"]


def test_a_line_that_is_no_field_is_skipped_and_reported() -> None:
    # Pigeonhole reads on past such a line too.
    message = Message.parse(b"From: a@example.com\nNot a header line\nX-Foo: bar\n\nbody\n")
    assert message.header("x-foo") == ["bar"]
    assert message.defects == ["header line without a field name"]
    assert message.body_raw() == "body\n"


def test_eight_bit_fields_are_utf8_or_else_latin1_each_on_its_own() -> None:
    message = Message.parse("Subject: Grüße\nX-Latin: caf\xe9\n\n".encode("utf-8", "replace"))
    assert message.header("subject") == ["Grüße"]
    latin = Message.parse(b"Subject: Gr\xc3\xbc\xc3\x9fe\nX-Latin: caf\xe9\n\n")
    assert latin.header("subject") == ["Grüße"] and latin.header("x-latin") == ["café"]


def test_str_input_is_utf8_and_email_messages_are_accepted() -> None:
    text = "Subject: Grüße\nTo: a@example.com\n\nbody\n"
    assert Message.parse(text).header("subject") == ["Grüße"]
    assert Message.parse(text).size == len(text.encode())
    parsed = email.message_from_bytes((CORPUS / "groups.eml").read_bytes())
    assert emails(Message.parse(parsed).addresses("to"))[0] == "anna@example.com"
    modern = email.message_from_bytes(b"Subject: hi\n\nbody\n", policy=email.policy.default)
    assert Message.parse(modern).header("subject") == ["hi"]
    with pytest.raises(TypeError):
        Message.parse(42)  # type: ignore[arg-type]


def test_messages_without_headers_or_without_body() -> None:
    no_headers = Message.parse(b"\nJust a body\n")
    assert no_headers.fields() == [] and no_headers.body_raw() == "Just a body\n"
    no_body = Message.parse(b"Subject: only headers")
    assert no_body.header("subject") == ["only headers"] and no_body.body_raw() == ""
    assert Message.parse(b"").parts()[0].content_type == "text/plain"


def test_fields_past_max_header_bytes_are_ignored() -> None:
    raw = b"A: 1\nB: 2\n folded\nC: 3\n\nbody\n"
    message = Message.parse(raw, max_header_bytes=14)  # "A: 1\nB: 2\n fo" - B is cut
    assert message.fields() == [("A", "1")]
    assert message.truncated_headers and message.body_raw() == "body\n"
    assert message.as_bytes() == raw  # the ignored fields are still written out
    assert not Message.parse(raw).truncated_headers


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("=?UTF-8?B?w6nDqMOg?=", "éèà"),
        ("=?ISO-8859-1?Q?caf=E9_cr=E8me?=", "café crème"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # RFC 2047 §6.2: the blank goes
        ("=?utf-8?q?a?=   x =?utf-8?q?b?=", "a   x b"),  # ...but not next to text
        ("x=?utf-8?q?a?=y", "xay"),  # Pigeonhole decodes inside words too
        ("=?utf-8?b?4o?= =?utf-8?b?gqw=?=", "€"),  # a character split over two words
        ("=?utf-8?b?w6k?=", "é"),  # missing padding
        ("=?utf-8?q?=FF?=", "\ufffd"),  # not UTF-8: replacement character
        ("=?utf-8*en?q?lang?=", "lang"),  # RFC 2231 language suffix
        ("=?windows-1252?q?=80?=", "€"),
        ("=?iso-8859-1?q?a b?=", "a b"),  # a blank inside, as Pigeonhole allows
        ("=?utf-8?b?!!!notbase64?=", "=?utf-8?b?!!!notbase64?="),
        ("=?unknown-cs?q?abc?=", "=?unknown-cs?q?abc?="),
        ("=?idna?q?abc?=", "=?idna?q?abc?="),  # not a mail charset
        ("=?utf-8?x?bad?=", "=?utf-8?x?bad?="),
        ("=?utf-8?q?a?= =?bogus?q?b?= =?utf-8?q?c?=", "a =?bogus?q?b?= c"),
        ("plain text", "plain text"),
    ],
)
def test_rfc2047_decoding(raw: str, decoded: str) -> None:
    assert decode_encoded_words(raw) == decoded


@given(st.text())
def test_encoded_words_decode_back_to_the_value(value: str) -> None:
    value = value.encode("utf-8", "replace").decode("utf-8")
    encoded = encode_words(value)
    assert decode_encoded_words(encoded) == value
    assert encoded.isascii() or value == encoded
    assert all(len(word) <= 75 for word in encoded.split(" ")) or value == encoded


# --- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Joe Q. Public" <john.q.public@example.com>', ["john.q.public@example.com"]),
        ("John Q. Public <jqp@example.com>", ["jqp@example.com"]),
        ('"john doe"@example.com', ['"john doe"@example.com']),  # re-quoted, as Pigeonhole
        ("john.@example.com", ['"john."@example.com']),
        ("a(comment)@(more)example.com", ["a@example.com"]),
        ("<@hub.example,@relay.example:user@example.com>", ["user@example.com"]),
        ("a@[192.0.2.1]", ["a@[192.0.2.1]"]),
        ("a@b@c", ["a@b"]),  # trailing junk ignored, as Pigeonhole
        ("a@example.com extra", ["a@example.com"]),
        ("Joe <joe@example.com> trailing, x@example.org", ["joe@example.com", "x@example.org"]),
        ("friends: a@example.com, B <b@example.org>;, c@example.net", ["a@", "b@", "c@"]),
        ("Undisclosed recipients:;", []),
        (",,, ,", []),
        ("<>", [""]),
        ("joe", ["joe"]),  # a local part alone
        ("Name <user@example.com", ["user@example.com"]),  # unclosed: read anyway
        ("Müller <müller@example.com>", ["müller@example.com"]),  # RFC 6532
    ],
)
def test_address_lists(text: str, expected: list[str]) -> None:
    found = emails(parse_address_list(text))
    if expected and expected[0].endswith("@"):
        assert [value.split("@")[0] + "@" for value in found] == expected
    else:
        assert found == expected


@pytest.mark.parametrize(
    "text",
    ["John Doe jdoe@example.org", "user@", "@example.com", '"unterminated@example.com', "a b"],
)
def test_text_that_is_no_address_is_kept_for_all_only(text: str) -> None:
    # Pigeonhole's `address :all` sees such text as it is and :localpart/:domain see nothing
    # (RFC 5228 §2.7.4); `valid=False` tells the VM to do the same.
    [address] = parse_address_list(text)
    assert (address.all, address.domain, address.valid) == (text, None, False)


def test_display_names_come_from_phrases_or_comments_and_are_decoded() -> None:
    message = Message.parse(
        b"From: =?utf-8?q?J=C3=B6rg?= <j@example.com>\n"
        b'To: "=?utf-8?q?Ren=C3=A9?=" <r@example.com>, s@example.com (Sam S.)\n'
        b"Cc: (Name) <n@example.com>, <x@example.com>\n\n"
    )
    assert [a.display for a in message.addresses("from")] == ["Jörg"]
    assert [a.display for a in message.addresses("to")] == ["René", "Sam S."]
    assert [a.display for a in message.addresses("cc")] == ["Name", None]


def test_subaddress_parts() -> None:
    address = Address("ken+sieve+extra", "example.com")
    assert (address.user(), address.detail()) == ("ken", "sieve+extra")
    assert Address("ken+", "example.com").detail() == ""
    assert Address("ken", "example.com").detail() is None
    assert Address("ken-lists", "example.com").user("-") == "ken"
    assert quote_localpart('say "hi"') == '"say \\"hi\\""'


@given(st.text(max_size=300))
def test_any_text_gives_addresses(text: str) -> None:
    for address in parse_address_list(text):
        assert isinstance(address.all, str) and isinstance(address.user(), str)
        assert address.valid or (address.domain is None and address.localpart)


_words = st.text(st.sampled_from("abcxyz.-+"), min_size=1, max_size=6).filter(
    lambda w: not w.startswith(".") and not w.endswith(".") and ".." not in w
)


@given(
    st.lists(
        st.tuples(st.lists(_words, max_size=3), _words, _words, st.sampled_from([" ", "  ", "\t"])),
        min_size=1,
        max_size=4,
    )
)
def test_the_fast_path_and_the_tokenizer_agree(items: list) -> None:
    text = ", ".join(
        f"{sep.join(name)}{sep}<{local}@{domain}>" if name else f"{local}@{domain}"
        for name, local, domain, sep in items
    )
    from sieve.runtime import addresses

    assert addresses._parse_simple(text) == addresses._parse_full(text)


# --- laziness ----------------------------------------------------------------------------


def test_reading_headers_never_builds_the_mime_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object) -> None:
        raise AssertionError("the MIME tree was built")

    monkeypatch.setattr(message_module.MessageSource, "build_tree", refuse)
    message = load("multipart.eml")
    message.header("subject")
    message.raw_header("to")
    message.addresses("from")
    message.fields()
    message.has_header("x")
    message.body_raw()
    fork = message.fork()
    fork.add_header("X-New", "1")
    fork.delete_header("subject")
    assert not message.mime_parsed and not fork.mime_parsed


def test_the_body_is_parsed_once_and_shared_by_forks() -> None:
    message = load("nested.eml")
    assert not message.mime_parsed
    message.body_text()
    assert message.mime_parsed
    fork = message.fork()
    assert fork.mime_parsed and fork.parts()[1] is message.parts()[1]


# --- fork and editheader (RFC 5293) ------------------------------------------------------


def test_forks_do_not_see_each_others_edits() -> None:
    message = load("plain.eml")
    run_one, run_two = message.fork(), message.fork()
    run_one.add_header("X-Run", "one")
    run_one.delete_header("subject")
    run_two.add_header("X-Run", "two", last=True)
    assert message.header("x-run") == [] and message.header("subject") == ["Lunch on Thursday?"]
    assert run_one.header("x-run") == ["one"] and run_one.header("subject") == []
    assert run_two.header("x-run") == ["two"] and run_two.has_header("subject")
    # The root part follows its own message's edits (header :mime on the top level).
    assert run_one.parts()[0].header("x-run") == ["one"]
    assert message.parts()[0].header("x-run") == []


def test_addheader_puts_fields_at_the_top_unless_last() -> None:
    message = load("plain.eml").fork()
    message.add_header("X-Top", "first")
    message.add_header("X-Bottom", "last", last=True)
    names = [name for name, _ in message.fields()]
    assert names[0] == "X-Top" and names[-1] == "X-Bottom"
    message.add_header("X-Top", "newer")
    assert message.header("x-top") == ["newer", "first"]


def test_addheader_stores_the_value_as_given_or_encoded() -> None:
    message = Message.parse(b"Subject: x\n\n")
    message.add_header("X-Plain", "Grüße")
    message.add_header("X-Encoded", "Grüße", encode=True)
    assert message.header("x-plain") == ["Grüße"] == message.raw_header("x-plain")
    assert message.header("x-encoded") == ["Grüße"]
    assert message.raw_header("x-encoded") == ["=?UTF-8?B?R3LDvMOfZQ==?="]


def _edited() -> Message:
    message = Message.parse(b"X-A: one\nX-B: keep\nX-A: two\nx-a: =?utf-8?q?thr=C3=A9?=\n\nbody")
    return message.fork()


def test_deleteheader_deletes_every_field_of_the_name() -> None:
    message = _edited()
    assert message.delete_header("X-A") == 3
    assert message.fields() == [("X-B", "keep")]
    assert message.delete_header("X-A") == 0


@pytest.mark.parametrize(
    ("index", "from_end", "left"),
    [(1, False, ["two", "thré"]), (2, False, ["one", "thré"]), (1, True, ["one", "two"])]
    + [(3, True, ["two", "thré"]), (4, False, ["one", "two", "thré"]), (0, False, None)],
)
def test_deleteheader_index_counts_fields_of_that_name(
    index: int, from_end: bool, left: list[str] | None
) -> None:
    message = _edited()
    deleted = message.delete_header("x-a", index=index, from_end=from_end)
    expected = left if left is not None else ["one", "two", "thré"]
    assert message.header("x-a") == expected
    assert deleted == 3 - len(expected)


def test_deleteheader_value_patterns_see_the_decoded_value() -> None:
    message = _edited()
    assert message.delete_header("x-a", match=lambda value: value in ("one", "thré")) == 2
    assert message.header("x-a") == ["two"]
    message = _edited()
    assert message.delete_header("x-a", keep=lambda value: value == "two") == 2
    assert message.header("x-a") == ["two"]
    message = _edited()
    assert message.delete_header("x-a", index=2, match=lambda value: value == "one") == 0


def test_added_fields_can_be_deleted_and_written_out() -> None:
    raw = (CORPUS / "plain.eml").read_bytes()
    message = Message.parse(raw)
    assert message.as_bytes() == raw
    edited = message.fork()
    edited.add_header("X-Sieve", "filed\nby sieve", last=True)
    edited.delete_header("received")
    edited.add_header("X-Gone", "soon")
    assert edited.delete_header("x-gone") == 1
    reread = Message.parse(edited.as_bytes())
    assert reread.header("x-sieve") == ["filed by sieve"]
    assert not reread.has_header("received") and not reread.has_header("x-gone")
    assert reread.body_raw() == message.body_raw()
    assert [name for name, _ in reread.fields()][-1] == "X-Sieve"


def test_writing_out_never_lets_an_added_value_start_a_field() -> None:
    message = Message.parse(b"Subject: no line end").fork()
    message.add_header("X-New", "v\r\nInjected: yes", last=True)
    assert message.as_bytes() == b"Subject: no line end\nX-New: v\n Injected: yes\n"
    assert Message.parse(message.as_bytes()).fields() == [
        ("Subject", "no line end"),
        ("X-New", "v Injected: yes"),
    ]


# --- MIME details ------------------------------------------------------------------------


def _mime(content_type: str, body: str = "", headers: str = "") -> Message:
    return Message.parse(f"Content-Type: {content_type}\n{headers}\n{body}".encode())


def test_content_type_parameters() -> None:
    part = _mime('Text/HTML; Charset="UTF-8" (a comment); Name="a \\"b\\".html"').parts()[0]
    assert part.content_type == "text/html"
    assert part.params == {"charset": "UTF-8", "name": 'a "b".html'}
    continued = _mime(
        "application/octet-stream; filename*0*=utf-8''%E2%82%AC%20a; filename*1=\" b.txt\"; "
        "title*=iso-8859-1'de'caf%E9; old=\"=?utf-8?q?J=C3=B6rg?=\""
    ).parts()[0]
    assert continued.params == {"filename": "€ a b.txt", "title": "café", "old": "Jörg"}


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("text", "text/plain"), ("garbage;;", "text/plain"), (";", "text/plain")],
)
def test_an_invalid_content_type_means_text_plain(content_type: str, expected: str) -> None:
    # RFC 2045 §5.2.
    message = _mime(content_type)
    assert message.parts()[0].content_type == expected
    assert any("invalid Content-Type" in defect for defect in message.defects)


def test_parts_of_a_digest_default_to_message_rfc822() -> None:
    message = _mime(
        'multipart/digest; boundary="d"',
        "--d\n\nFrom: a@example.com\nSubject: one\n\nfirst\n"
        "--d\nContent-Type: text/plain\n\nnot a message\n--d--\n",
    )
    types = [p.content_type for p in message.parts()]
    assert types == ["multipart/digest", "message/rfc822", "text/plain", "text/plain"]
    assert message.parts()[2].header("subject") == ["one"]


def test_boundaries_need_a_line_of_their_own() -> None:
    message = _mime(
        'multipart/mixed; boundary="b"',
        "pre\n--b\n\none --b not here\n--bb is no boundary\n--b  \n\ntwo\n--b--  \nepi",
    )
    assert message.body_content(["text"]) == ["one --b not here\n--bb is no boundary", "two"]
    assert message.body_content(["multipart"]) == ["pre", "epi"]


def test_a_body_part_that_starts_with_text_has_no_header_block() -> None:
    message = _mime('multipart/mixed; boundary="b"', "--b\nHello there\nsecond: line\n--b--\n")
    part = message.parts()[1]
    assert part.content_type == "text/plain" and part.header_text() == ""
    assert message.body_content(["text"]) == ["Hello there\nsecond: line"]
    assert not part.has_header("second")
    assert "body part without a header block" in message.defects


def test_base64_and_quoted_printable_bodies() -> None:
    part = _mime(
        "text/plain; charset=utf-8", "R3LDvMOfZQ==\n", "Content-Transfer-Encoding: BASE64\n"
    )
    assert part.body_content(["text"]) == ["Grüße"]
    qp = _mime(
        "text/plain; charset=utf-8", "a=3Db=\nc\n", "Content-Transfer-Encoding: quoted-printable\n"
    )
    assert qp.body_content(["text"]) == ["a=bc\n"]


def test_a_base64_encoded_message_part_is_decoded_before_reading_it() -> None:
    import base64

    inner = base64.b64encode(b"Subject: inside\n\nhello\n").decode()
    message = _mime(
        'multipart/mixed; boundary="b"',
        f"--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{inner}\n--b--\n",
    )
    assert message.parts()[3 - 1].header("subject") == ["inside"]
    assert message.body_content(["message"]) == ["Subject: inside\n"]


def test_the_parts_stop_at_max_parts_quickly() -> None:
    body = "".join(f"--b\nContent-Type: text/plain\n\npart {n}\n" for n in range(10_000))
    raw = f'Content-Type: multipart/mixed; boundary="b"\n\n{body}--b--\n'.encode()
    started = time.perf_counter()
    message = Message.parse(raw, max_parts=100)
    parts = message.parts()
    contents = message.body_content(["text"])
    assert time.perf_counter() - started < 0.5
    assert len(parts) == 100 and message.truncated_parts
    assert contents[-1] == "part 98"
    everything = Message.parse(raw)
    assert len(everything.parts()) == 10_000 and everything.truncated_parts  # the default
    assert len(Message.parse(raw, max_parts=20_000).parts()) == 10_001


def test_nesting_stops_at_max_depth() -> None:
    depth = 300
    head = "".join(
        f'--b{n}\nContent-Type: multipart/mixed; boundary="b{n + 1}"\n\n' for n in range(depth)
    )
    tail = "".join(f"\n--b{n}--" for n in reversed(range(depth)))
    raw = f'Content-Type: multipart/mixed; boundary="b0"\n\n{head}--b{depth}\n\ndeep{tail}\n'
    started = time.perf_counter()
    message = Message.parse(raw, max_depth=50)
    parts = message.parts()
    assert time.perf_counter() - started < 1
    assert max(p.depth for p in parts) == 50 and message.truncated_parts
    assert len(Message.parse(raw, max_depth=400).parts()) == depth + 2


# --- hostile input -----------------------------------------------------------------------


def _read_everything(message: Message) -> None:
    for name in ("subject", "from", "to", "content-type", "x"):
        message.header(name)
        message.raw_header(name)
        message.has_header(name)
        for address in message.addresses(name):
            assert isinstance(address.all, str)
            address.user()
            address.detail()
    message.fields()
    message.body_raw()
    message.body_content(["", "text", "text/html", "multipart", "message"])
    message.body_text()
    for part in message.parts():
        part.header("content-type")
        part.addresses("to")
        assert isinstance(part.text(), str)
        part.payload()
    fork = message.fork()
    fork.add_header("X-New", "value", last=True)
    fork.delete_header("subject", index=1)
    Message.parse(fork.as_bytes())
    assert isinstance(message.defects, list)


_fragments = st.sampled_from(
    [
        b"Subject: =?utf-8?b?w6k=?= x\n",
        b'To: a@example.com, "q" <b@example.org>, g: c@x;\n',
        b"Content-Type: multipart/mixed; boundary=b\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Content-Type: text/html; charset=iso-8859-1\n",
        b"--b\n",
        b"--b--\n",
        b"\n",
        b"\r\n",
        b" folded\n",
        b"<p>x</p><script>y",
        b"=?",
        b"(((",
        b'"',
        b"\xff\xfe\x00",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.one_of(_fragments, st.binary(max_size=8))).map(b"".join),
    )
)
def test_any_bytes_can_be_read_through_every_accessor(raw: bytes) -> None:
    _read_everything(Message.parse(raw))
    _read_everything(Message.parse(raw, max_header_bytes=7, max_parts=3, max_depth=1))


@pytest.mark.parametrize(
    "field",
    [
        "To: " + "<" * 200_000,
        "To: " + "(" * 200_000,
        "To: " + '"\\' * 100_000,
        "To: " + "a@b, " * 40_000,
        "To: " + "a " * 100_000 + "<x",
        "Subject: " + "=?" * 100_000,
        "Subject: " + "=?utf-8?q?a?= " * 20_000,
        "Content-Type: text/plain" + '; a="\\' * 50_000,
        "Content-Type: text/plain" + ";a*0*=x" * 30_000,
        "Content-Type: text/plain (" + "(" * 100_000,
    ],
    ids=lambda field: field[:30],
)
def test_hostile_fields_cost_linear_time(field: str) -> None:
    started = time.perf_counter()
    message = Message.parse(f"{field}\n\nbody\n".encode())
    _read_everything(message)
    assert time.perf_counter() - started < 2


def test_hostile_bodies_cost_linear_time() -> None:
    html_body = "<" * 100_000 + "<!--" * 50_000 + "<script>" * 20_000
    boundary_noise = "\n--b" * 100_000
    for raw in (
        f"Content-Type: text/html\n\n{html_body}",
        f'Content-Type: multipart/mixed; boundary="b"\n\n{boundary_noise}x',
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + "!" * 300_000,
    ):
        started = time.perf_counter()
        _read_everything(Message.parse(raw))
        assert time.perf_counter() - started < 3


# --- speed -------------------------------------------------------------------------------


def test_header_access_after_parsing_is_fast() -> None:
    raw = (CORPUS / "folded.eml").read_bytes() + b"Lorem ipsum dolor sit amet. " * 100
    message = Message.parse(raw)
    message.header("subject")
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        message.header("subject")
        message.header("received")
        message.addresses("to")
    per_round = (time.perf_counter() - started) / rounds
    assert per_round < 50e-6  # about 1 µs on a laptop; generous for slow CI machines
