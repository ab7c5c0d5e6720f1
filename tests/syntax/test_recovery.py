"""Error recovery: one run reports every syntax error, each where a person should look, with
what was expected, what was found and a hint. The tree of what could be read is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import sieve
from sieve import Diagnostic
from sieve.syntax.ast import Command, String, StringList

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def diagnostics(source: str | bytes, dialect: str = "standard") -> list[Diagnostic]:
    return sieve.parse(source, dialect=dialect).diagnostics


def summary(source: str | bytes, dialect: str = "standard") -> list[tuple[str, int, int]]:
    """(code, line, column) of every diagnostic, in order."""
    return [(d.code, d.line, d.column) for d in diagnostics(source, dialect)]


# A missing ';' (RFC 5228 §8.2: every command ends with ';' or a block).


def test_missing_semicolon_before_closing_brace() -> None:
    [diagnostic] = diagnostics("if true { keep }")
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("missing-semicolon", 1, 15)
    assert "';'" in diagnostic.message
    assert "keep" in diagnostic.message
    assert "found '}'" in diagnostic.message


def test_missing_semicolon_at_end_of_line() -> None:
    source = 'if exists "X" {\n    fileinto "Lists"\n}\nkeep;\n'
    assert summary(source) == [("missing-semicolon", 2, 21)]


def test_missing_semicolon_keeps_the_command_in_the_tree() -> None:
    result = sieve.parse("if true { keep }\nstop;")
    assert result.script is not None
    assert [c.name for c in result.script.commands] == ["if", "stop"]
    assert result.script.commands[0].block is not None
    assert result.script.commands[0].block.commands == [Command("keep")]


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("keep", 1, 5),
        ("stop;\nkeep", 2, 5),
        ('stop;\nfileinto "Inbox"', 2, 17),
        ("reject text:\nGo away.\n.", 3, 2),
    ],
)
def test_missing_semicolon_at_end_of_file_points_after_the_last_token(
    source: str, line: int, column: int
) -> None:
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (
        "missing-semicolon",
        line,
        column,
    )


# Many errors, one run.


def test_three_errors_far_apart_are_all_reported() -> None:
    source = (CORPUS / "scripts" / "invalid" / "three-errors.sieve").read_bytes()
    assert summary(source) == [
        ("missing-semicolon", 9, 33),
        ("missing-bracket", 18, 34),
        ("unbalanced-brace", 28, 1),
    ]


def test_four_different_errors_are_all_reported_and_the_rest_is_read() -> None:
    source = 'if true { keep }\nfileinto ["a" "b"];\nif anyof (true, false { stop; }\n}\ndiscard;\n'
    result = sieve.parse(source)
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("missing-semicolon", 1),
        ("missing-comma", 2),
        ("missing-paren", 3),
        ("unbalanced-brace", 4),
    ]
    assert result.script is not None
    assert [c.name for c in result.script.commands] == ["if", "fileinto", "if", "discard"]


def test_each_missing_comma_in_a_list_is_reported() -> None:
    assert summary('fileinto ["a" "b" "c"];') == [
        ("missing-comma", 1, 14),
        ("missing-comma", 1, 18),
    ]


# Unclosed strings, comments, text blocks and blocks: reported where they open.


def test_unterminated_string_is_reported_where_it_starts() -> None:
    source = 'if true {\n    reject "We do not accept mail;\n}\nkeep;\n'
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("unterminated-string", 2, 12)
    assert "never closed" in diagnostic.message
    assert '"' in diagnostic.hint


def test_text_without_terminating_dot_is_unterminated_text() -> None:
    source = 'vacation :subject "Away"\ntext:\nBack on Monday.\n;\nkeep;\n'
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("unterminated-text", 2, 1)
    assert "'.'" in diagnostic.hint


def test_missing_closing_brace_at_end_of_file_points_at_the_open_brace() -> None:
    source = 'if header :is "a" "b" {\n  fileinto "x";\n\nkeep;\n'
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("missing-brace", 1, 23)
    assert (diagnostic.end_line, diagnostic.end_column) == (1, 24)
    assert "line 1, column 23" in diagnostic.message
    assert "'}'" in diagnostic.hint


def test_missing_closing_brace_keeps_what_was_read() -> None:
    result = sieve.parse('if true {\n  fileinto "x";\n  keep;\n')
    assert result.script is not None
    block = result.script.commands[0].block
    assert block is not None
    assert block.commands == [Command("fileinto", [String("x")]), Command("keep")]


def test_unbalanced_closing_brace_is_reported_and_skipped() -> None:
    result = sieve.parse("if true { stop; }\n}\nkeep;")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("unbalanced-brace", 2, 1)]
    assert "'}'" in result.diagnostics[0].message
    assert result.script is not None
    assert [c.name for c in result.script.commands] == ["if", "keep"]


# Lists: missing ']', ',' and ')'.


def test_missing_closing_bracket() -> None:
    result = sieve.parse('addflag ["\\\\Seen", "$Retired";\nkeep;')
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("missing-bracket", 1, 30)
    assert "']'" in diagnostic.message
    assert "line 1, column 9" in diagnostic.message  # where the list opened
    assert "found ';'" in diagnostic.message
    assert result.script is not None
    assert result.script.commands[1] == Command("keep")


def test_missing_comma_between_strings() -> None:
    result = sieve.parse('if header :is "Precedence" ["bulk" "junk", "list"] { stop; }')
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("missing-comma", 1, 35)
    assert "','" in diagnostic.message
    assert '"junk"' in diagnostic.message
    assert result.script is not None
    test = result.script.commands[0].test
    assert test is not None
    assert test.arguments[2] == StringList([String("bulk"), String("junk"), String("list")])


def test_missing_closing_paren_before_block() -> None:
    source = 'if allof (not exists "A",\n          size :over 5M {\n    stop;\n}\n'
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("missing-paren", 2, 24)
    assert "')'" in diagnostic.message
    assert "line 1, column 10" in diagnostic.message
    assert "found '{'" in diagnostic.message


def test_trailing_comma_in_string_list() -> None:
    [diagnostic] = diagnostics('fileinto ["a", "b",];')
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("unexpected-token", 1, 20)
    assert "found ']'" in diagnostic.message
    assert "','" in diagnostic.hint


def test_extra_closing_paren() -> None:
    [diagnostic] = diagnostics("if anyof (true, false)) { keep; }")
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("unbalanced-paren", 1, 23)
    assert "')'" in diagnostic.message


def test_extra_closing_paren_hint_says_to_remove_it() -> None:
    [diagnostic] = diagnostics("if anyof (true, false)) { keep; }")
    assert "','" not in diagnostic.hint
    assert "')'" in diagnostic.hint


def test_string_list_cut_off_at_end_of_file_misses_bracket_and_semicolon() -> None:
    found = diagnostics('fileinto ["a", "b"')
    assert [(d.code, d.line, d.column) for d in found] == [
        ("missing-bracket", 1, 19),
        ("missing-semicolon", 1, 19),
    ]
    assert all("found the end of the script" in d.message for d in found)


@pytest.mark.parametrize("source", ["keep;;", "if true { keep;; }", 'fileinto "a" ; ;'])
def test_extra_semicolon_hint_does_not_claim_something_is_missing(source: str) -> None:
    [diagnostic] = diagnostics(source)
    assert "found ';'" in diagnostic.message
    assert "missing" not in diagnostic.hint


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "redirect a@b; if true { keep }",
            [("illegal-character", 1, 11), ("missing-semicolon", 1, 29)],
        ),
        (
            'fileinto @"x"; fileinto ["a" "b"];',
            [("illegal-character", 1, 10), ("missing-comma", 1, 29)],
        ),
    ],
)
def test_separate_error_on_the_line_of_a_stray_character_is_reported(
    source: str, expected: list[tuple[str, int, int]]
) -> None:
    assert summary(source) == expected


def test_error_on_the_line_before_a_stray_character_is_reported() -> None:
    assert summary("if true { keep } stop @;") == [
        ("missing-semicolon", 1, 15),
        ("illegal-character", 1, 23),
    ]


# Prose that lost its '#': one diagnostic per line, suggesting the '#'.


def test_prose_line_is_reported_with_a_hash_hint() -> None:
    source = "if true { keep; }\nthis is just some text, not code\nkeep;\n"
    [diagnostic] = diagnostics(source)
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("prose-line", 2, 1)
    assert (diagnostic.end_line, diagnostic.end_column) == (2, 33)
    assert "# this is just some text, not code" in diagnostic.hint


def test_prose_lines_in_corpus_script_are_each_reported_once() -> None:
    source = (CORPUS / "scripts" / "invalid" / "prose-lost-hash.sieve").read_bytes()
    assert summary(source) == [("prose-line", 6, 1), ("prose-line", 11, 9)]


def test_oracle_authspam_verbatim_points_at_first_lost_comment() -> None:
    source = (CORPUS / "oracle" / "authspam-verbatim.filter").read_bytes()
    found = diagnostics(source, dialect="oracle")
    first = found[0]
    assert (first.code, first.line, first.column) == ("prose-line", 2, 5)
    assert "#" in first.hint
    assert "only limit messages rated as spam" in first.hint
    assert [d.line for d in found] == [2, 4, 7, 10, 13]


def test_oracle_greylist_verbatim_reports_each_lost_comment() -> None:
    source = (CORPUS / "oracle" / "greylist-verbatim.sieve").read_bytes()
    found = diagnostics(source, dialect="oracle")
    assert [(d.code, d.line) for d in found] == [
        ("prose-line", 2),
        ("prose-line", 6),
        ("prose-line", 10),
        ("prose-line", 12),
    ]


def test_prose_inside_strings_and_comments_is_not_prose() -> None:
    source = (
        'reject "this is a long\nsentence, not code\nat all";\n'
        "/* this is a long\nsentence, not code */\n"
        "vacation text:\nthis is a long sentence, not code\n.\n;\n"
    )
    assert diagnostics(source) == []


# Known cascades and imprecise messages (see each reason).


def test_text_on_the_header_line_is_one_error() -> None:
    source = "vacation text: I am away\nBack soon.\n.\n;\n"
    assert [d.code for d in diagnostics(source)] == ["bad-text-header"]


def test_unquoted_variable_is_one_error() -> None:
    source = "if true {\n    fileinto ${folder};\n}\n"
    assert summary(source) == [("illegal-character", 2, 14)]


def test_unquoted_address_is_one_error() -> None:
    assert len(diagnostics("redirect :copy accountant@example.org;")) == 1


def test_paren_typed_for_bracket_is_one_error() -> None:
    source = 'if anyof (header :is "S" ["a", "b"),\n          exists "X") { stop; }\n'
    assert [d.code for d in diagnostics(source)] == ["missing-bracket"]


def test_decimal_number_is_a_bad_number() -> None:
    [diagnostic] = diagnostics("if size :over 1.5M { stop; }")
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("bad-number", 1, 15)
    assert "1.5M" in diagnostic.message


# Every diagnostic is actionable.


BROKEN_SCRIPTS = [
    "if true { keep }",
    "keep",
    'fileinto ["a" "b"];',
    'fileinto ["a", "b";',
    'fileinto ["a", "b",];',
    "if anyof (true, false { keep; }",
    "if anyof (true, false)) { keep; }",
    "}\nkeep;",
    "if true {\n keep;\n",
    'reject "open',
    "reject text:\nno end\n",
    "reject text: junk\nx\n.\n;",
    "/* open",
    "size :over 10X;",
    "size :over 99999999999999999999;",
    "fileinto INBOX.Lists;",
    "x : is;",
    "keep; @ $ %",
    b'fileinto "B\xfcro";',
    "keep;\x00",
    "keep; /",
    "pull out the address, then file it.",
    'set "R" greylst("x");',
]


@pytest.mark.parametrize("source", BROKEN_SCRIPTS, ids=repr)
def test_every_diagnostic_has_a_hint_and_a_real_position(source: str | bytes) -> None:
    found = diagnostics(source)
    assert found, "a broken script must report something"
    for diagnostic in found:
        assert diagnostic.hint.strip(), diagnostic
        assert diagnostic.message.strip(), diagnostic
        assert diagnostic.severity == "error"
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        assert (diagnostic.end_line, diagnostic.end_column) > (diagnostic.line, diagnostic.column)


def test_diagnostics_are_sorted_by_position() -> None:
    found = diagnostics(b'keep\xff;\nfileinto ["a" "b"];\nif true { keep }\n}\nreject "x" @;\n')
    positions = [(d.line, d.column) for d in found]
    assert positions == sorted(positions)
    assert len(found) == 5
