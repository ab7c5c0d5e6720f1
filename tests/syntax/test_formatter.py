"""Tests for sieve.syntax.formatter: the canonical layout, comments kept in place, and the
round trip (format, parse back, same tree) on the corpus and on random trees."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sieve.syntax import parse
from sieve.syntax.ast import (
    Block,
    Command,
    Comment,
    Number,
    Script,
    String,
    StringList,
    Tag,
)
from sieve.syntax.ast import Test as SieveTest
from sieve.syntax.ast import TestList as SieveTestList
from sieve.syntax.formatter import FormatResult, format_script, format_source
from tests.syntax.strategies import scripts

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def fmt(source: str | bytes, dialect: str = "standard") -> str:
    """Formats a valid script, checking on the way that the text parses back to the same
    tree and that formatting it again changes nothing."""
    result = format_source(source, dialect)
    assert result.text is not None, result.diagnostics
    original = parse(source, dialect=dialect).script
    assert original is not None
    assert parse(result.text, dialect=dialect).script == original
    assert format_source(result.text, dialect).text == result.text
    return result.text


def block(text: str) -> str:
    """An expected script: dedented, starting after the opening line break."""
    return dedent(text).removeprefix("\n")


# 1. Layout -----------------------------------------------------------------------------


def test_one_command_per_line_with_4_space_blocks() -> None:
    source = 'require "fileinto";if true{fileinto "A";if false{stop;}}keep;'
    assert fmt(source) == block(
        """
        require "fileinto";
        if true {
            fileinto "A";
            if false {
                stop;
            }
        }
        keep;
        """
    )


def test_elsif_and_else_start_their_own_line_after_the_brace() -> None:
    source = "if true { keep; } elsif false { stop; } else { discard; }"
    assert fmt(source) == block(
        """
        if true {
            keep;
        }
        elsif false {
            stop;
        }
        else {
            discard;
        }
        """
    )


def test_empty_block_is_two_lines() -> None:
    assert fmt("if true {}") == "if true {\n}\n"


def test_names_and_tags_lower_case_and_numbers_with_upper_quantifier() -> None:
    source = 'IF Size :OVER 100k { FileInto :Copy "INBOX.Big"; } SET :Lower "n" "1024";'
    assert fmt(source) == block(
        """
        if size :over 100K {
            fileinto :copy "INBOX.Big";
        }
        set :lower "n" "1024";
        """
    )


def test_number_without_quantifier_and_huge_numbers() -> None:
    assert fmt("x 0 007 2g 1M 9223372036854775807;") == "x 0 7 2G 1M 9223372036854775807;\n"


def test_quoted_strings_are_requoted_with_only_quote_and_backslash_escaped() -> None:
    source = r'x "a\"b" "c\\d" "\e\f" "tab	é";'
    assert fmt(source) == 'x "a\\"b" "c\\\\d" "ef" "tab\té";\n'


def test_multi_line_quoted_string_keeps_its_lines() -> None:
    source = 'reject "line one\n  line two  \nthree";'
    assert fmt(source) == source + "\n"


def test_text_string_is_verbatim_and_the_semicolon_goes_on_the_next_line() -> None:
    source = block(
        """
        if true { reject text: # the header comment stays
        Dear sender,
        ..profile is dot-stuffed
          indented line
        .
        ; }
        """
    )
    assert fmt(source) == block(
        """
        if true {
            reject text: # the header comment stays
        Dear sender,
        ..profile is dot-stuffed
          indented line
        .
            ;
        }
        """
    )


def test_arguments_after_a_text_string_continue_on_the_next_line() -> None:
    source = 'x text:\nbody\n.\n"after" text:\n.\n:tag;'
    assert fmt(source) == block(
        """
        x text:
        body
        .
            "after" text:
        .
            :tag;
        """
    )


def test_string_lists_single_strings_and_one_element_lists() -> None:
    source = 'header :is ["A","B"] "single" ["one"];'
    assert fmt(source) == 'header :is ["A", "B"] "single" ["one"];\n'


def test_test_list_on_one_line_when_it_fits() -> None:
    source = 'if anyof(true,\n  false,\n  not exists "X") { stop; }'
    assert fmt(source) == 'if anyof (true, false, not exists "X") {\n    stop;\n}\n'


def test_long_test_list_puts_one_test_per_line_aligned_after_the_paren() -> None:
    source = (
        'if allof (header :contains "Subject" "a fairly long subject text", '
        'address :domain :is "From" "example.com", not exists "List-Id") { keep; }'
    )
    assert fmt(source) == block(
        """
        if allof (header :contains "Subject" "a fairly long subject text",
                  address :domain :is "From" "example.com",
                  not exists "List-Id") {
            keep;
        }
        """
    )


def test_nested_test_lists_break_only_where_needed() -> None:
    source = (
        'if anyof (allof (header :is "X-Aaaaaaaaaaaaaaaa" "yes", header :is "X-Bbbbbbbbbb" '
        '"no"), anyof (true, false), size :over 1M) { keep; }'
    )
    assert fmt(source) == block(
        """
        if anyof (allof (header :is "X-Aaaaaaaaaaaaaaaa" "yes", header :is "X-Bbbbbbbbbb" "no"),
                  anyof (true, false),
                  size :over 1M) {
            keep;
        }
        """
    )


def test_long_string_list_puts_one_string_per_line_aligned_after_the_bracket() -> None:
    names = ", ".join(f'"mailing-list-{n}@lists.example.org"' for n in range(4))
    assert fmt(f'if address :is "From" [{names}] {{ stop; }}') == block(
        """
        if address :is "From" ["mailing-list-0@lists.example.org",
                               "mailing-list-1@lists.example.org",
                               "mailing-list-2@lists.example.org",
                               "mailing-list-3@lists.example.org"] {
            stop;
        }
        """
    )


def test_line_of_exactly_100_columns_stays_flat() -> None:
    tail = "x" * (100 - len('if anyof (true, header :is "a" "") {'))
    line = f'if anyof (true, header :is "a" "{tail}") {{'
    assert len(line) == 100
    assert fmt(line + "}").splitlines()[0] == line
    assert fmt(line.replace(tail, tail + "x") + "}").splitlines()[0] == "if anyof (true,"


def test_long_command_breaks_before_each_tag_but_the_first() -> None:
    source = (
        'vacation :days 7 :subject "Out of office" :from "Jane Doe <jane@example.com>" '
        ':addresses ["jane@example.com", "jd@example.com"] "I am away.";'
    )
    assert fmt(source) == block(
        """
        vacation :days 7
            :subject "Out of office"
            :from "Jane Doe <jane@example.com>"
            :addresses ["jane@example.com", "jd@example.com"] "I am away.";
        """
    )


def test_oracle_parenthesised_tests_and_callouts() -> None:
    source = (
        'if (NOT string :is "${R}" "") { set "R" GreyLst ( "${IP}|x"); }\n'
        'if (anyof ((true), header :is "a" "b")) { set "S" map(["a","b"]); }'
    )
    assert fmt(source, "oracle") == block(
        """
        if (not string :is "${R}" "") {
            set "R" greylst("${IP}|x");
        }
        if (anyof ((true), header :is "a" "b")) {
            set "S" map(["a", "b"]);
        }
        """
    )


def test_oracle_double_parentheses_print_once() -> None:
    assert fmt("if ((true)) { stop; }", "oracle") == "if (true) {\n    stop;\n}\n"


# 2. Blank lines, whitespace, line ends -----------------------------------------------------


def test_at_most_one_blank_line_and_none_at_block_edges() -> None:
    source = "\n\nkeep;\n\n\n\nstop;\nif true {\n\n    keep;\n\n\n    stop;\n\n}\n\n\n"
    assert fmt(source) == "keep;\n\nstop;\nif true {\n    keep;\n\n    stop;\n}\n"


def test_no_trailing_whitespace_and_exactly_one_final_newline() -> None:
    text = fmt("keep;   \t\n# note   \nstop;")
    assert text == "keep;\n# note\nstop;\n"
    assert fmt("stop;") == "stop;\n"


def test_empty_script_stays_empty() -> None:
    assert fmt("") == ""
    assert fmt("\n \n") == ""


def test_crlf_source_keeps_crlf_everywhere() -> None:
    source = b"# c\r\nif true {\r\nreject text:\r\nline\r\n.\r\n;\r\n/* a\r\n b */\r\n}\r\n"
    expected = "# c\nif true {\n    reject text:\nline\n.\n    ;\n    /* a\n b */\n}\n"
    assert fmt(source) == expected.replace("\n", "\r\n")


def test_lf_source_stays_lf() -> None:
    assert "\r" not in fmt(b"if true {\nreject text:\nline\n.\n;\n}\n")


def test_bytes_and_bom_are_accepted() -> None:
    assert fmt("\ufeffkeep;".encode()) == "keep;\n"


# 3. Comments -----------------------------------------------------------------------------


def test_comment_after_code_stays_at_the_end_of_its_line() -> None:
    assert fmt("keep;# why\nstop; /* c */\n") == "keep;  # why\nstop;  /* c */\n"


def test_comments_on_own_lines_keep_their_lines_at_the_current_indentation() -> None:
    source = block(
        """
        # top
        if true {
        # first
                keep;
          /* a block comment
             whose inner lines
        stay as they are */
        }
        # end
        """
    )
    assert fmt(source) == block(
        """
        # top
        if true {
            # first
            keep;
            /* a block comment
             whose inner lines
        stay as they are */
        }
        # end
        """
    )


def test_comments_around_braces_and_elsif() -> None:
    source = "if true { # opens\nkeep; } # closes\n# before elsif\nelsif false { }"
    assert fmt(source) == block(
        """
        if true {  # opens
            keep;
        }  # closes
        # before elsif
        elsif false {
        }
        """
    )


def test_comment_in_an_empty_block_is_indented() -> None:
    assert fmt("if true {\n# nothing yet\n}") == "if true {\n    # nothing yet\n}\n"


def test_blank_lines_around_comments_between_commands() -> None:
    source = "keep;\n\n\n# section\n\nstop;\n# about stop\n\n\ndiscard;"
    assert fmt(source) == "keep;\n\n# section\n\nstop;\n# about stop\n\ndiscard;\n"


def test_hash_comment_between_arguments_breaks_with_continuation_indent() -> None:
    source = 'if true { fileinto # where to\n:copy "Archive"; }'
    assert fmt(source) == block(
        """
        if true {
            fileinto  # where to
                :copy "Archive";
        }
        """
    )


def test_block_comment_between_arguments_stays_inline() -> None:
    assert fmt('fileinto /* c */ :copy /* d */ "A";') == 'fileinto /* c */ :copy /* d */ "A";\n'


def test_block_comment_before_code_on_its_line_stays_before_it() -> None:
    assert fmt("keep; /* c */ stop;") == "keep;\n/* c */ stop;\n"
    assert fmt("/* a\n   b */ keep;") == "/* a\n   b */ keep;\n"


def test_own_line_comment_between_arguments() -> None:
    source = 'fileinto\n    # the folder:\n    "A";'
    assert fmt(source) == 'fileinto\n    # the folder:\n    "A";\n'


def test_comments_in_test_lists() -> None:
    source = "if anyof (true, # first\n false /* last */) { stop; }"
    assert fmt(source) == block(
        """
        if anyof (true,  # first
                  false /* last */) {
            stop;
        }
        """
    )


def test_comment_before_a_comma_moves_after_it() -> None:
    assert fmt('x ["a" /* c */, "b"];') == 'x ["a", /* c */ "b"];\n'


def test_comment_before_semicolon_and_after_text_string() -> None:
    assert fmt("keep # why\n;") == "keep  # why\n;\n"
    assert fmt("reject text:\nhi\n.\n/* c */ ;") == "reject text:\nhi\n.\n/* c */;\n"


def test_oracle_comment_inside_parentheses_before_the_name() -> None:
    source = "if ( /* c */ not true /* d */) { stop; }"
    assert fmt(source, "oracle") == "if (/* c */ not true /* d */) {\n    stop;\n}\n"


def test_only_comments() -> None:
    assert fmt("# one\n\n\n/* two */ # three\n") == "# one\n\n/* two */ # three\n"


# 4. The API ------------------------------------------------------------------------------


def test_script_with_errors_is_not_formatted() -> None:
    result = format_source('fileinto "A"\n')
    assert isinstance(result, FormatResult)
    assert result.text is None
    assert [d.code for d in result.diagnostics] == ["missing-semicolon"]


def test_callout_is_an_error_in_the_standard_dialect() -> None:
    assert format_source('set "R" greylst("x");').text is None
    assert format_source('set "R" greylst("x");', "oracle").text == 'set "R" greylst("x");\n'


def test_format_script_prints_a_tree_built_by_a_program() -> None:
    script = Script(
        [
            Command("require", [StringList([String("fileinto")])]),
            Command(
                "if",
                test=SieveTestList([SieveTest("exists", [String('X-"q"')]), SieveTest("true")]),
                block=Block([Command("reject", [String("a\n.b\n", multiline=True)])]),
            ),
            Command("x", [Tag("over"), Number(3 << 20, "M"), Number(1 << 10)]),
        ]
    )
    text = format_script(script)
    assert text == block(
        """
        require ["fileinto"];
        if (exists "X-\\"q\\"", true) {
            reject text:
        a
        ..b
        .
            ;
        }
        x :over 3M 1024;
        """
    )
    assert parse(text).script == script


# 5. Parser bugs found while testing the formatter ----------------------------------------


def test_parser_accepts_unknown_words_before_a_text_string() -> None:
    source = "notes append text:\nhello\n.\n;\n"
    assert parse(source).diagnostics == []
    assert fmt(source) == source


# 6. The corpus ---------------------------------------------------------------------------


def _corpus() -> list[tuple[Path, str]]:
    standard = sorted((CORPUS / "scripts" / "valid").glob("*.sieve"))
    oracle = sorted((CORPUS / "scripts" / "oracle").glob("*.sieve"))
    oracle += sorted(
        path
        for path in (CORPUS / "oracle").iterdir()
        if path.suffix in (".filter", ".sieve") and "verbatim" not in path.name
    )
    return [(p, "standard") for p in standard] + [(p, "oracle") for p in oracle]


def _strings(node: object) -> Iterator[String]:
    """Every String in a tree, in source order."""
    if isinstance(node, String):
        yield node
        return
    for name in ("commands", "arguments", "test", "block", "tests", "strings", "argument"):
        value = getattr(node, name, None)
        for child in value if isinstance(value, list) else [value]:
            if child is not None:
                yield from _strings(child)


@pytest.mark.parametrize(
    ("path", "dialect"), _corpus(), ids=lambda v: v.name if isinstance(v, Path) else v
)
def test_corpus_round_trip(path: Path, dialect: str) -> None:
    data = path.read_bytes()
    original = parse(data, dialect=dialect)
    assert original.ok and original.script is not None
    text = fmt(data, dialect)  # which checks the tree and that formatting is idempotent
    again = parse(text, dialect=dialect)
    assert again.diagnostics == []
    assert _texts(again.script.comments) == _texts(original.script.comments)
    assert all(line == line.rstrip() for line in text.splitlines())


def test_corpus_has_crlf_scripts_with_multi_line_strings() -> None:
    """The CRLF case of the round trip above is not vacuous."""
    data = (CORPUS / "scripts" / "valid" / "crlf-line-ends.sieve").read_bytes()
    assert b"text:\r\n" in data
    assert fmt(data).count("\n") == fmt(data).count("\r\n")


def _texts(comments: list[Comment]) -> list[str]:
    """Comment texts as the formatter writes them: no blanks at line ends."""
    return ["\n".join(line.rstrip(" \t\r") for line in c.text.split("\n")) for c in comments]


# 7. Properties of random trees -----------------------------------------------------------

_PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("dialect", ["standard", "oracle"])
def test_random_trees_round_trip_and_format_is_idempotent(dialect: str) -> None:
    @_PROPERTY
    @given(scripts(dialect))
    def check(script: Script) -> None:
        text = format_script(script)
        parsed = parse(text, dialect=dialect)
        assert parsed.diagnostics == []
        assert parsed.script == script
        assert fmt(text, dialect) == text

    check()


@dataclass(frozen=True)
class _Insertion:
    position: int
    order: int  # at one position: own-line comments first, `#` at the line end last
    text: str
    comment: str


def _comment_bodies(exclude: str) -> st.SearchStrategy[str]:
    chars = st.one_of(
        st.sampled_from(list(' *#/"\\;{}:äé漢😀\t')),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r" + exclude),
    )
    return st.text(chars, max_size=15)


def _hash_comments() -> st.SearchStrategy[str]:
    return _comment_bodies("\n").map(lambda body: ("# " + body).rstrip(" \t"))


def _block_comments() -> st.SearchStrategy[str]:
    body = _comment_bodies("").filter(lambda b: "*/" not in b)
    return body.map(lambda b: "\n".join(line.rstrip(" \t") for line in f"/* {b} */".split("\n")))


_PUNCTUATION = "[](){},;"


def _scan(text: str, script: Script) -> tuple[list[tuple[int, int]], list[int]]:
    """The tokens (start, end) and comment starts of a script that parsed to `script`.
    A scanner of our own, simple because the tree says where the strings are."""
    string_ends = {s.span.start: s.span.end for s in _strings(script)}
    tokens: list[tuple[int, int]] = []
    comments: list[int] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            end = position + 1
        elif position in string_ends:
            end = string_ends[position]
            tokens.append((position, end))
        elif char == "#" or text.startswith("/*", position):
            close = "\n" if char == "#" else "*/"
            found = text.find(close, position)
            end = len(text) if found < 0 else found + len(close) * (close == "*/")
            comments.append(position)
        else:
            end = position + 1
            while char not in _PUNCTUATION and end < len(text) and _in_word(text[end]):
                end += 1
            tokens.append((position, end))
        position = end
    return tokens, comments


def _in_word(char: str) -> bool:
    return not char.isspace() and char not in _PUNCTUATION + '#/"'


def _gaps(text: str, script: Script) -> list[tuple[int, int]]:
    """The stretches between tokens where a comment may go. Not inside `name(` or right
    after it: the Oracle lexer knows a callout only by `name(` and a string after it."""
    tokens, _ = _scan(text, script)
    gaps: list[tuple[int, int]] = []
    start = 0
    for index, (token_start, token_end) in enumerate(tokens):
        glued = start == token_start and text[token_start] == "("
        opened = index > 1 and text[start - 1] == "(" and tokens[index - 2][1] == start - 1
        if not (index and (glued or opened)):
            gaps.append((start, token_start))
        start = token_end
    gaps.append((start, len(text)))
    return gaps


@st.composite
def _insertions(draw: st.DrawFn, text: str, script: Script) -> list[_Insertion]:
    gaps = _gaps(text, script)
    inline = sorted({p for gap in gaps for p in gap})
    line_ends = [p for lo, hi in gaps for p in range(lo, hi) if text[p] == "\n"]
    line_starts = [p for lo, hi in gaps for p in range(lo, hi + 1) if p == 0 or text[p - 1] == "\n"]
    kinds = ["inline"] + ["line end"] * bool(line_ends) + ["own line"] * bool(line_starts)
    insertions: list[_Insertion] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(kinds))
        if kind == "inline":
            comment = draw(_block_comments())
            insertion = _Insertion(draw(st.sampled_from(inline)), 1, f" {comment} ", comment)
        elif kind == "line end":
            comment = draw(_hash_comments())
            position = draw(st.sampled_from(line_ends))
            if any(i.position == position and i.order == 2 for i in insertions):
                continue  # a second `#` there would be part of the first comment
            insertion = _Insertion(position, 2, f"  {comment}", comment)
        else:
            comment = draw(st.one_of(_hash_comments(), _block_comments()))
            insertion = _Insertion(draw(st.sampled_from(line_starts)), 0, comment + "\n", comment)
        insertions.append(insertion)
    return sorted(insertions, key=lambda i: (i.position, i.order))


def _insert(text: str, insertions: list[_Insertion]) -> str:
    pieces, done = [], 0
    for insertion in insertions:
        pieces += [text[done : insertion.position], insertion.text]
        done = insertion.position
    return "".join(pieces) + text[done:]


def _tokens_before_comments(text: str, script: Script) -> list[int]:
    """For each comment, how many tokens (commas aside) come before it."""
    tokens, comments = _scan(text, script)
    starts = [start for start, _ in tokens if text[start] != ","]
    return [sum(start < comment for start in starts) for comment in comments]


def script_of(text: str, dialect: str) -> Script:
    result = parse(text, dialect=dialect)
    assert result.ok and result.script is not None
    return result.script


@pytest.mark.parametrize("dialect", ["standard", "oracle"])
def test_random_comments_stay_in_place(dialect: str) -> None:
    @_PROPERTY
    @given(scripts(dialect), st.data())
    def check(script: Script, data: st.DataObject) -> None:
        plain = format_script(script)
        insertions = data.draw(_insertions(plain, script_of(plain, dialect)))
        commented = _insert(plain, insertions)
        source = parse(commented, dialect=dialect)
        assert source.diagnostics == []
        assert _texts(source.script.comments) == [i.comment for i in insertions]

        text = fmt(commented, dialect)
        result = parse(text, dialect=dialect)
        assert result.diagnostics == []
        assert result.script == script
        assert _texts(result.script.comments) == [i.comment for i in insertions]
        assert _tokens_before_comments(text, result.script) == _tokens_before_comments(
            commented, source.script
        )
        assert fmt(text, dialect) == text

    check()


def test_a_crlf_inside_a_string_of_an_lf_file_is_kept() -> None:
    # The string's value holds CRLF; only a file whose lines end in CRLF is laid out again
    # with LF and given its line ends back (found by the registry-wide property test).
    from sieve.syntax import parse
    from sieve.syntax.formatter import format_source

    source = 'require "vacation";\nvacation :mime "Content-Type: text/plain\r\n\r\nHi";\n'
    formatted = format_source(source)
    assert formatted.text is not None
    assert parse(formatted.text).script == parse(source).script
