"""Tests for sieve.syntax.highlight_lexer.SieveLexer."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Whitespace,
    _TokenType,
)

from sieve.syntax.highlight_lexer import SieveLexer

Tokens = list[tuple[_TokenType, str]]


@pytest.fixture(scope="module")
def lexer() -> SieveLexer:
    return SieveLexer()


def lex(lexer: SieveLexer, text: str) -> Tokens:
    tokens = [(tok, value) for _, tok, value in lexer.get_tokens_unprocessed(text)]
    assert "".join(value for _, value in tokens) == text
    return tokens


def significant(tokens: Tokens) -> Tokens:
    return [(tok, value) for tok, value in tokens if tok is not Whitespace]


def test_metadata() -> None:
    assert SieveLexer.name == "Sieve (RFC 5228)"
    assert SieveLexer.aliases == ["sieve-rfc5228", "sieve"]
    assert SieveLexer.filenames == ["*.sieve", "*.siv", "*.svtest"]
    assert SieveLexer.mimetypes == ["application/sieve"]


# 1. quoted strings with escapes ------------------------------------------


def test_quoted_string_with_escapes_is_one_token(lexer: SieveLexer) -> None:
    source = r'"a \"quoted\" word \\ end"'
    assert lex(lexer, source) == [(String.Double, source)]


def test_escaped_backslash_before_closing_quote(lexer: SieveLexer) -> None:
    assert lex(lexer, r'"a\\" "b"') == [
        (String.Double, r'"a\\"'),
        (Whitespace, " "),
        (String.Double, '"b"'),
    ]


def test_other_backslash_pairs_are_plain_string_text(lexer: SieveLexer) -> None:
    source = r'"C:\new\table"'
    assert lex(lexer, source) == [(String.Double, source)]


def test_quoted_string_spans_lines(lexer: SieveLexer) -> None:
    source = 'reject "line one\r\nline two\nline three";'
    assert lex(lexer, source) == [
        (Name.Builtin, "reject"),
        (Whitespace, " "),
        (String.Double, '"line one\r\nline two\nline three"'),
        (Punctuation, ";"),
    ]


# 2. comments ----------------------------------------------------------------


def test_multiline_bracket_comment(lexer: SieveLexer) -> None:
    source = "/* first line\n * second /* not nested\n last */ keep;"
    assert lex(lexer, source) == [
        (Comment.Multiline, "/* first line\n * second /* not nested\n last */"),
        (Whitespace, " "),
        (Name.Builtin, "keep"),
        (Punctuation, ";"),
    ]


def test_bracket_comment_does_not_nest(lexer: SieveLexer) -> None:
    assert significant(lex(lexer, "/* a /* b */ stop; */")) == [
        (Comment.Multiline, "/* a /* b */"),
        (Keyword, "stop"),
        (Punctuation, ";"),
        (Error, "*"),
        (Error, "/"),
    ]


def test_bracket_comment_with_stars(lexer: SieveLexer) -> None:
    assert lex(lexer, "/***/") == [(Comment.Multiline, "/***/")]
    assert lex(lexer, "/**x**/") == [(Comment.Multiline, "/**x**/")]


def test_hash_comment_to_end_of_line(lexer: SieveLexer) -> None:
    assert lex(lexer, 'keep; # "not a string" /* nor this\r\nstop;') == [
        (Name.Builtin, "keep"),
        (Punctuation, ";"),
        (Whitespace, " "),
        (Comment.Single, '# "not a string" /* nor this'),
        (Whitespace, "\r\n"),
        (Keyword, "stop"),
        (Punctuation, ";"),
    ]


# 3. text: multi-line strings --------------------------------------------------


def test_text_multiline_string_with_dot_stuffing(lexer: SieveLexer) -> None:
    body = "Hello,\n..not the end\n. neither\n.\n"
    source = "vacation text:\n" + body + ";"
    assert lex(lexer, source) == [
        (Name.Builtin, "vacation"),
        (Whitespace, " "),
        (String.Heredoc, "text:"),
        (Whitespace, "\n"),
        (String.Heredoc, body),
        (Punctuation, ";"),
    ]


def test_text_multiline_string_with_comment_and_crlf(lexer: SieveLexer) -> None:
    body = 'line ${one}\r\n..\r\n"quote" # /* */\r\n.\r\n'
    source = "reject TEXT: \t# why\r\n" + body + ";\r\n"
    assert lex(lexer, source) == [
        (Name.Builtin, "reject"),
        (Whitespace, " "),
        (String.Heredoc, "TEXT:"),
        (Whitespace, " \t"),
        (Comment.Single, "# why"),
        (Whitespace, "\r\n"),
        (String.Heredoc, body),
        (Punctuation, ";"),
        (Whitespace, "\r\n"),
    ]


def test_text_empty_body_and_final_dot_at_eof(lexer: SieveLexer) -> None:
    assert lex(lexer, "text:\n.\n") == [
        (String.Heredoc, "text:"),
        (Whitespace, "\n"),
        (String.Heredoc, ".\n"),
    ]
    assert lex(lexer, "text:\nbody\n.") == [
        (String.Heredoc, "text:"),
        (Whitespace, "\n"),
        (String.Heredoc, "body\n."),
    ]


def test_text_without_line_break_is_not_multiline(lexer: SieveLexer) -> None:
    # "text:foo" is the identifier "text" followed by the tag ":foo".
    assert lex(lexer, "text:foo") == [(Name, "text"), (Name.Tag, ":foo")]


def test_unterminated_text_runs_to_end(lexer: SieveLexer) -> None:
    assert lex(lexer, "text:\nabc\n..\n") == [
        (Error, "text:"),
        (Whitespace, "\n"),
        (String.Heredoc, "abc\n..\n"),
    ]


# 4. identifiers -------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "require",
        "if",
        "elsif",
        "else",
        "stop",
        "include",
        "return",
        "foreverypart",
        "break",
        "global",
        "IF",
        "Require",
    ],
)
def test_control_commands_are_keywords(lexer: SieveLexer, word: str) -> None:
    assert lex(lexer, word) == [(Keyword, word)]


@pytest.mark.parametrize(
    "word",
    [
        "keep",
        "fileinto",
        "redirect",
        "discard",
        "reject",
        "ereject",
        "vacation",
        "notify",
        "set",
        "setflag",
        "addflag",
        "removeflag",
        "addheader",
        "deleteheader",
        "addtag",
        "spamadjust",
        "jettison",
        "FileInto",
    ],
)
def test_action_commands_are_builtins(lexer: SieveLexer, word: str) -> None:
    assert lex(lexer, word) == [(Name.Builtin, word)]


@pytest.mark.parametrize(
    "word",
    [
        "address",
        "allof",
        "anyof",
        "envelope",
        "exists",
        "false",
        "header",
        "not",
        "size",
        "true",
        "body",
        "string",
        "date",
        "currentdate",
        "hasflag",
        "mailboxexists",
        "metadata",
        "metadataexists",
        "servermetadata",
        "servermetadataexists",
        "environment",
        "ihave",
        "valid_notify_method",
        "notify_method_capability",
        "duplicate",
        "spamtest",
        "virustest",
        "specialuse_exists",
        "valid_ext_list",
        "HEADER",
    ],
)
def test_test_names_are_functions(lexer: SieveLexer, word: str) -> None:
    assert lex(lexer, word) == [(Name.Function, word)]


@pytest.mark.parametrize("word", ["frobnicate", "_x", "keeper", "if2", "header_x", "vnd_test9"])
def test_unknown_identifiers_are_names(lexer: SieveLexer, word: str) -> None:
    assert lex(lexer, word) == [(Name, word)]


def test_unknown_command_in_context(lexer: SieveLexer) -> None:
    assert significant(lex(lexer, 'x_custom :flag "v";')) == [
        (Name, "x_custom"),
        (Name.Tag, ":flag"),
        (String.Double, '"v"'),
        (Punctuation, ";"),
    ]


# 5. tags, numbers, punctuation, whitespace ------------------------------------


def test_tags_numbers_punctuation_whitespace(lexer: SieveLexer) -> None:
    source = 'if anyof (size :over 100K, size :UNDER 2m, header :is\t["a","b"] "c") { keep; }\r\n'
    assert lex(lexer, source) == [
        (Keyword, "if"),
        (Whitespace, " "),
        (Name.Function, "anyof"),
        (Whitespace, " "),
        (Punctuation, "("),
        (Name.Function, "size"),
        (Whitespace, " "),
        (Name.Tag, ":over"),
        (Whitespace, " "),
        (Number.Integer, "100K"),
        (Punctuation, ","),
        (Whitespace, " "),
        (Name.Function, "size"),
        (Whitespace, " "),
        (Name.Tag, ":UNDER"),
        (Whitespace, " "),
        (Number.Integer, "2m"),
        (Punctuation, ","),
        (Whitespace, " "),
        (Name.Function, "header"),
        (Whitespace, " "),
        (Name.Tag, ":is"),
        (Whitespace, "\t"),
        (Punctuation, "["),
        (String.Double, '"a"'),
        (Punctuation, ","),
        (String.Double, '"b"'),
        (Punctuation, "]"),
        (Whitespace, " "),
        (String.Double, '"c"'),
        (Punctuation, ")"),
        (Whitespace, " "),
        (Punctuation, "{"),
        (Whitespace, " "),
        (Name.Builtin, "keep"),
        (Punctuation, ";"),
        (Whitespace, " "),
        (Punctuation, "}"),
        (Whitespace, "\r\n"),
    ]


@pytest.mark.parametrize("number", ["0", "42", "1k", "1K", "5m", "5M", "3g", "3G"])
def test_numbers(lexer: SieveLexer, number: str) -> None:
    assert lex(lexer, number) == [(Number.Integer, number)]


# 6. errors and unterminated constructs ------------------------------------------


def test_unterminated_quoted_string(lexer: SieveLexer) -> None:
    assert lex(lexer, 'keep "abc\\"\n') == [
        (Name.Builtin, "keep"),
        (Whitespace, " "),
        (Error, '"'),
        (String.Double, 'abc\\"\n'),
    ]


def test_unterminated_bracket_comment(lexer: SieveLexer) -> None:
    assert lex(lexer, "keep; /* never closed\n*") == [
        (Name.Builtin, "keep"),
        (Punctuation, ";"),
        (Whitespace, " "),
        (Error, "/*"),
        (Comment.Multiline, " never closed\n*"),
    ]


def test_stray_characters_are_errors(lexer: SieveLexer) -> None:
    assert lex(lexer, "keep @;") == [
        (Name.Builtin, "keep"),
        (Whitespace, " "),
        (Error, "@"),
        (Punctuation, ";"),
    ]


@pytest.mark.parametrize(
    "source",
    [
        '"\\"' * 20000,
        "/*" * 20000,
        "text:\n" * 20000,
        '"' + "\\" * 40001,
        "text:\n" + "..\n" * 20000,
        "${" * 20000,
    ],
)
def test_hostile_input_is_fast(lexer: SieveLexer, source: str) -> None:
    started = time.perf_counter()
    lex(lexer, source)
    assert time.perf_counter() - started < 5


# 7. variable interpolation ------------------------------------------------------


def test_variable_references_in_strings(lexer: SieveLexer) -> None:
    source = '"to ${name}: ${1} ${hex:41 42} ${unicode:263a}${ns.var}!"'
    assert lex(lexer, source) == [
        (String.Double, '"to '),
        (String.Interpol, "${name}"),
        (String.Double, ": "),
        (String.Interpol, "${1}"),
        (String.Double, " "),
        (String.Interpol, "${hex:41 42}"),
        (String.Double, " "),
        (String.Interpol, "${unicode:263a}"),
        (String.Interpol, "${ns.var}"),
        (String.Double, '!"'),
    ]


def test_invalid_variable_references_are_plain_text(lexer: SieveLexer) -> None:
    source = '"${} ${1a} ${a b} $ {x} ${x"'
    assert lex(lexer, source) == [(String.Double, source)]


# Property tests -----------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    [
        '"',
        "\\",
        "\\\\",
        '\\"',
        "text:",
        "TEXT:",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        ".",
        "..",
        ".\n",
        ".\r\n",
        "/*",
        "*/",
        "*",
        "/",
        "#",
        "${",
        "}",
        "hex:",
        "41",
        ":is",
        "10K",
        "if",
        "keep",
        "foo",
        ";",
        "[",
        "]",
        "{",
        "(",
        ",",
        "\x00",
        "\u00e9",
        "\u212a",
    ]
)


@given(st.text())
def test_roundtrip_arbitrary_text(text: str) -> None:
    lexer = SieveLexer()
    values = [value for _, _, value in lexer.get_tokens_unprocessed(text)]
    assert "".join(values) == text
    assert all(values)
    list(lexer.get_tokens(text))


@given(st.lists(_FRAGMENTS).map("".join))
def test_roundtrip_sieve_like_text(text: str) -> None:
    lexer = SieveLexer()
    positions = []
    pieces = []
    for index, _, value in lexer.get_tokens_unprocessed(text):
        positions.append(index)
        pieces.append(value)
    assert "".join(pieces) == text
    # Each token starts where the previous one ended.
    offsets = []
    offset = 0
    for piece in pieces:
        offsets.append(offset)
        offset += len(piece)
    assert positions == offsets


# Realistic script ---------------------------------------------------------------

REALISTIC_SCRIPT = """\
require ["fileinto", "variables", "vacation", "imap4flags", "x-custom"];
# Sort mailing lists into folders.
/* Bracket comment
   spanning lines, with "quotes" and /* an opener. */
if header :matches "List-Id" "*<*.lists.example.org>" {
    set :lower "list" "${2}";
    fileinto "Lists/${list}";
    stop;
} elsif address :domain :is ["from", "sender"] ["example.com", "example.net"] {
    addflag "\\\\Flagged";
    fileinto :create "Work";
} elsif allof (size :over 2M, not exists "X-Keep-Big") {
    reject text: # explain
Your message is too large.
..signature follows
.
;
} elsif header :contains "Subject" "\\"urgent\\" \\\\ now" {
    x_custom_action :level 3 "${hex:41}";
} else {
    vacation :days 7 :subject "Away: ${unicode:263a}" text:
I am away.
.
;
    keep;
}
# Drop obvious spam, but keep a copy of anything else.
if allof (header :value "ge" :comparator "i;ascii-numeric"
              "X-Spam-Score" "10",
          not header :contains "From" "friend@example.org") {
    discard;
    stop;
}
"""


def test_realistic_script_has_no_errors(lexer: SieveLexer) -> None:
    assert len(REALISTIC_SCRIPT.splitlines()) >= 30
    tokens = lex(lexer, REALISTIC_SCRIPT)
    assert [t for t in tokens if t[0] is Error] == []
    assert (Name, "x_custom_action") in tokens
    assert (String.Double, '"\\"urgent\\" \\\\ now"') in tokens
    assert (
        String.Heredoc,
        "Your message is too large.\n..signature follows\n.\n",
    ) in tokens
