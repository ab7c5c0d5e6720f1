"""Tokens of RFC 5228 §8.1, checked through the tree that `sieve.parse` builds from them.

The lexer module is an internal detail being rewritten, so every example here goes through
the public entry point: a script in, the node a token became (or a diagnostic) out.
"""

from __future__ import annotations

import pytest

import sieve
from sieve.syntax.ast import Command, Number, Script, String, Tag


def parse_clean(source: str | bytes) -> Script:
    """The tree of a script that must parse without any diagnostic."""
    result = sieve.parse(source)
    assert result.diagnostics == []
    assert result.script is not None
    return result.script


def only_command(source: str | bytes) -> Command:
    commands = parse_clean(source).commands
    assert len(commands) == 1
    return commands[0]


def first_argument(source: str | bytes) -> object:
    return only_command(source).arguments[0]


def codes(source: str | bytes) -> list[str]:
    return [d.code for d in sieve.parse(source).diagnostics]


def where(node: object) -> tuple[int, int, int, int]:
    span = node.span  # type: ignore[attr-defined]
    return span.line, span.column, span.end_line, span.end_column


# Identifiers and tags (RFC 5228 §2.9: case-insensitive).


@pytest.mark.parametrize("written", ["KEEP;", "keep;", "Keep;", "kEeP;"])
def test_identifier_is_case_insensitive(written: str) -> None:
    assert only_command(written).name == "keep"


def test_identifier_may_hold_digits_and_underscores() -> None:
    assert only_command("valid_notify_method2 ;").name == "valid_notify_method2"


def test_identifier_may_start_with_underscore() -> None:
    assert only_command("_private;").name == "_private"


def test_tag_is_lowercased_and_loses_its_colon() -> None:
    command = only_command('fileinto :COPY "Archive";')
    assert command.arguments == [Tag("copy"), String("Archive")]


def test_colon_without_tag_name_is_reported() -> None:
    result = sieve.parse('header : is "a" "b";')
    assert [d.code for d in result.diagnostics] == ["illegal-character"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 8)
    assert "tag" in diagnostic.message


# Numbers (RFC 5228 §2.4.1: K, M and G multiply by 2^10, 2^20 and 2^30).


@pytest.mark.parametrize(
    ("written", "value", "quantifier"),
    [
        ("0", 0, ""),
        ("42", 42, ""),
        ("1K", 1024, "K"),
        ("1k", 1024, "K"),
        ("2M", 2 * 1024**2, "M"),
        ("2m", 2 * 1024**2, "M"),
        ("1G", 1024**3, "G"),
        ("1g", 1024**3, "G"),
        ("100K", 100 * 1024, "K"),
    ],
)
def test_number_quantifier_multiplies_value(written: str, value: int, quantifier: str) -> None:
    number = only_command(f"size :over {written};").arguments[1]
    assert number == Number(value, quantifier)


def test_rfc_minimum_number_range_is_accepted() -> None:
    # RFC 5228 §2.4.1: implementations must support at least 2^31 - 1.
    assert first_argument("size 2147483647;") == Number(2**31 - 1)


def test_unknown_quantifier_is_bad_number_at_the_quantifier() -> None:
    result = sieve.parse("if size :over 10X { stop; }")
    assert [d.code for d in result.diagnostics] == ["bad-number"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 17)
    assert "X" in diagnostic.message
    assert "K, M or G" in diagnostic.hint


@pytest.mark.parametrize("written", ["99999999999999999999", "8589934592G", "9007199254740992M"])
def test_number_too_large_is_reported(written: str) -> None:
    result = sieve.parse(f"size :over {written};")
    assert [d.code for d in result.diagnostics] == ["number-too-large"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 12)
    assert written in diagnostic.message


def test_number_span_covers_digits_and_quantifier() -> None:
    number = only_command("size :over 10K;").arguments[1]
    assert where(number) == (1, 12, 1, 15)


# Quoted strings (RFC 5228 §2.4.2: only \" and \\ are escapes, other backslashes vanish).


@pytest.mark.parametrize(
    ("written", "value"),
    [
        (r'"plain"', "plain"),
        (r'""', ""),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"C:\\dir"', "C:\\dir"),
        (r'"a\b"', "ab"),
        (r'"\n"', "n"),
        (r'"\\\""', '\\"'),
        (r'"a\\\\b"', "a\\\\b"),
        (r'"semi;colon {brace} #hash /*c*/"', "semi;colon {brace} #hash /*c*/"),
    ],
)
def test_quoted_string_escapes(written: str, value: str) -> None:
    assert first_argument(f"fileinto {written};") == String(value)


def test_quoted_string_may_span_lines() -> None:
    string = first_argument('reject "line one\nline two";')
    assert string == String("line one\nline two", multiline=False)
    assert where(string) == (1, 8, 2, 10)


def test_quoted_string_keeps_crlf_inside() -> None:
    assert first_argument('reject "one\r\ntwo";') == String("one\r\ntwo")


def test_quoted_string_keeps_non_ascii_text() -> None:
    assert first_argument('fileinto "Büro/日本";') == String("Büro/日本")


def test_unterminated_quoted_string_is_reported_where_it_opens() -> None:
    result = sieve.parse('keep;\nfileinto "Inbox;\nstop;\n')
    assert [d.code for d in result.diagnostics] == ["unterminated-string"]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (2, 10)


# Multi-line strings (RFC 5228 §2.4.2: "text:" up to a line holding a lone ".").


def test_text_string_excludes_header_and_terminator() -> None:
    string = first_argument("vacation text:\nI am away.\nBack Monday.\n.\n;")
    assert string == String("I am away.\nBack Monday.\n", multiline=True)


def test_text_string_unstuffs_leading_dots() -> None:
    string = first_argument("reject text:\n..\n...twice\n.. stuffed\nno.dot..\n.\n;")
    assert string == String(".\n..twice\n. stuffed\nno.dot..\n", multiline=True)


def test_text_string_may_have_a_comment_on_its_header_line() -> None:
    string = first_argument("reject text: # the bounce text\nGo away.\n.\n;")
    assert string == String("Go away.\n", multiline=True)


def test_text_string_with_crlf_line_ends() -> None:
    string = first_argument("reject text:\r\nline one\r\nline two\r\n.\r\n;\r\n")
    assert string == String("line one\r\nline two\r\n", multiline=True)


def test_text_string_may_be_empty() -> None:
    assert first_argument("reject text:\n.\n;") == String("", multiline=True)


def test_text_string_keeps_what_looks_like_code() -> None:
    string = first_argument('reject text:\n"quoted" # not a comment\n}\n.\n;')
    assert string == String('"quoted" # not a comment\n}\n', multiline=True)


def test_text_string_terminator_at_end_of_file_without_newline() -> None:
    # The '.' line ends the string even at end of file; only the ';' is then missing.
    result = sieve.parse("reject text:\nGo away.\n.")
    assert [d.code for d in result.diagnostics] == ["missing-semicolon"]
    assert result.script is not None
    assert result.script.commands[0].arguments == [String("Go away.\n", multiline=True)]


def test_text_string_keyword_is_case_insensitive() -> None:
    assert first_argument("reject TEXT:\nhi\n.\n;") == String("hi\n", multiline=True)


def test_text_string_span_runs_from_text_to_terminator() -> None:
    line, column, end_line, end_column = where(first_argument("vacation text:\nhi\n.\n;"))
    assert (line, column) == (1, 10)
    assert (end_line, end_column) >= (3, 2)  # just past the '.', or past its line end


def test_text_string_without_terminator_is_unterminated_text() -> None:
    result = sieve.parse("keep;\nvacation text:\nI am away.\n")
    assert [d.code for d in result.diagnostics] == ["unterminated-text"]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (2, 10)


def test_text_string_with_junk_after_header_is_bad_text_header() -> None:
    result = sieve.parse("vacation :days 3 text: away\nback soon\n.\n;\n")
    assert [d.code for d in result.diagnostics] == ["bad-text-header"]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (1, 23)


# Comments (RFC 5228 §2.3): kept for the formatter, invisible to the tree.


def test_hash_and_bracket_comments_are_collected_with_spans() -> None:
    script = parse_clean("# first\nkeep; /* two\nlines */ stop; # last")
    assert [c.text for c in script.comments] == ["# first", "/* two\nlines */", "# last"]
    assert [where(c) for c in script.comments] == [
        (1, 1, 1, 8),
        (2, 7, 3, 9),
        (3, 16, 3, 22),
    ]
    assert [c.is_hash for c in script.comments] == [True, False, True]


def test_hash_comment_text_excludes_crlf() -> None:
    script = parse_clean("keep; # note\r\nstop;\r\n")
    assert [c.text for c in script.comments] == ["# note"]
    assert where(script.comments[0]) == (1, 7, 1, 13)


@pytest.mark.parametrize(
    "with_comments",
    [
        'if header :is "a" "b" { keep; }',
        '# heading\nif header :is "a" "b" { keep; } # trailing',
        'if /* c */ header :is /* c */ "a" "b" /* c */ { keep /* c */ ; }',
        'if header :is "a" "b" # if true {\n{ keep; # } stop;\n}',
        'if header :is "a" "b" { keep; /* ; } { */ }',
        '/* a\n * b\n */ if header :is "a" "b" { keep; }',
    ],
)
def test_comments_never_change_the_tree(with_comments: str) -> None:
    plain = parse_clean('if header :is "a" "b" { keep; }')
    assert parse_clean(with_comments) == plain


def test_comment_only_markers_inside_strings_are_text() -> None:
    assert first_argument('fileinto "# not /* a comment";') == String("# not /* a comment")
    assert parse_clean('fileinto "# not /* a comment";').comments == []


def test_unterminated_bracket_comment_is_reported_where_it_opens() -> None:
    result = sieve.parse("keep;\n  /* disabled:\nstop;\n")
    assert [d.code for d in result.diagnostics] == ["unterminated-comment"]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (2, 3)


# Encoding (RFC 5228 §2.1: scripts are UTF-8).


def test_invalid_utf8_reports_the_byte_offset() -> None:
    result = sieve.parse(b'keep;\nfileinto "B\xfcro";\n')
    assert [d.code for d in result.diagnostics] == ["invalid-utf8"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (2, 12)
    assert "byte offset 17" in diagnostic.message


def test_invalid_utf8_after_multibyte_text_counts_columns_in_characters() -> None:
    result = sieve.parse(b'x "\xc3\xbc\xff";')
    assert [d.code for d in result.diagnostics] == ["invalid-utf8"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 5)
    assert "byte offset 5" in diagnostic.message


def test_every_invalid_utf8_sequence_is_reported() -> None:
    result = sieve.parse(b'x "\xff";\ny "\xfe";')
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("invalid-utf8", 1),
        ("invalid-utf8", 2),
    ]


def test_nul_character_is_reported() -> None:
    result = sieve.parse('fileinto "a\x00b";')
    assert [d.code for d in result.diagnostics] == ["nul-character"]
    assert (result.diagnostics[0].line, result.diagnostics[0].column) == (1, 12)


def test_nul_character_outside_a_string_is_reported_once() -> None:
    assert codes("keep;\x00") == ["nul-character"]


def test_utf8_byte_order_mark_is_ignored() -> None:
    command = only_command(b"\xef\xbb\xbfkeep;")
    assert command.name == "keep"
    assert where(command) == (1, 1, 1, 6)


def test_byte_order_mark_in_str_input_is_ignored() -> None:
    assert only_command("\ufeffkeep;").name == "keep"


def test_byte_order_mark_does_not_shift_columns() -> None:
    result = sieve.parse(b"\xef\xbb\xbfkeep @;")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("illegal-character", 1, 6)]


@pytest.mark.parametrize("source", ['fileinto "Büro" @;', 'fileinto "Büro" @;'.encode()])
def test_columns_count_characters_not_bytes(source: str | bytes) -> None:
    result = sieve.parse(source)
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [
        ("illegal-character", 1, 17)
    ]


def test_columns_count_astral_characters_as_one() -> None:
    command = parse_clean('fileinto "😀日本"; keep;').commands[1]
    assert where(command) == (1, 17, 1, 22)


def test_illegal_character_is_reported_where_it_is() -> None:
    result = sieve.parse('keep;\n  fileinto "x" @;')
    assert [(d.code, d.line, d.column, d.end_column) for d in result.diagnostics] == [
        ("illegal-character", 2, 16, 17)
    ]
    assert "@" in result.diagnostics[0].message


# Spans (lines and columns are 1-based; the end is just past the last character).


SPAN_EXAMPLE = 'if header :is "Subject" ["a", "b"] {\n    fileinto "X";\n}\n'


def test_spans_of_tokens_in_a_command() -> None:
    command = parse_clean(SPAN_EXAMPLE).commands[0]
    test = command.test
    assert test is not None
    tag, subject, keys = test.arguments
    assert where(tag) == (1, 11, 1, 14)
    assert where(subject) == (1, 15, 1, 24)
    assert where(keys) == (1, 25, 1, 35)
    assert where(keys.strings[1]) == (1, 31, 1, 34)  # type: ignore[union-attr]


def test_spans_of_command_name_and_nested_command() -> None:
    command = parse_clean(SPAN_EXAMPLE).commands[0]
    assert where(command) == (1, 1, 3, 2)
    assert (command.name_span.line, command.name_span.column) == (1, 1)
    assert (command.name_span.end_line, command.name_span.end_column) == (1, 3)
    assert command.block is not None
    assert where(command.block.commands[0]) == (2, 5, 2, 18)


def test_tab_counts_as_one_column() -> None:
    command = parse_clean("if true {\n\tkeep;\n}").commands[0]
    assert command.block is not None
    assert where(command.block.commands[0]) == (2, 2, 2, 7)


def test_spans_with_crlf_line_ends() -> None:
    command = parse_clean("if true {\r\n  keep;\r\n}\r\n").commands[0]
    assert command.block is not None
    assert where(command.block.commands[0]) == (2, 3, 2, 8)
    assert where(command) == (1, 1, 3, 2)
