"""Parse-time limits (`sieve.Limits`): an untrusted script that is too big or too deep gets a
diagnostic, never a hang, a RecursionError or a tree that later stages would choke on."""

from __future__ import annotations

import pytest

import sieve
from sieve import Limits

SMALL = Limits(
    max_script_size=200,
    max_block_depth=3,
    max_test_depth=3,
    max_string_length=10,
    max_arguments=4,
)


def parse_small(source: str | bytes, dialect: str = "standard") -> sieve.ParseResult:
    return sieve.parse(source, dialect=dialect, limits=SMALL)


def codes(result: sieve.ParseResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def nested_blocks(depth: int) -> str:
    return "if true {" * depth + "keep;" + "}" * depth


def nested_not(depth: int) -> str:
    """A test `depth` tests deep: depth - 1 `not`s around `true`."""
    return "if " + "not " * (depth - 1) + "true { keep; }"


def nested_anyof(depth: int) -> str:
    """A test `depth` tests deep: depth - 1 `anyof`s around `true`."""
    return "if " + "anyof (" * (depth - 1) + "true" + ")" * (depth - 1) + " { keep; }"


# max_script_size (bytes of source, checked before lexing).


def test_script_at_size_limit_is_parsed() -> None:
    source = "keep;" * 40
    assert len(source) == 200
    result = parse_small(source)
    assert result.diagnostics == []
    assert result.script is not None


def test_script_over_size_limit_is_refused() -> None:
    result = parse_small("keep;" * 40 + " ")
    assert codes(result) == ["limit-script-size"]
    assert result.script is None
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 1)
    assert "201" in diagnostic.message and "200" in diagnostic.message
    assert diagnostic.hint


def test_script_size_counts_utf8_bytes_not_characters() -> None:
    source = 'fileinto "' + "ü" * 100 + '";'  # 112 characters, 212 bytes
    assert codes(parse_small(source)) == ["limit-script-size"]
    assert codes(parse_small(source.encode())) == ["limit-script-size"]


def test_default_size_limit_refuses_a_two_megabyte_script() -> None:
    result = sieve.parse("#" + "x" * (2 * 1024 * 1024) + "\nkeep;")
    assert codes(result) == ["limit-script-size"]
    assert result.script is None


# max_block_depth.


def test_blocks_at_depth_limit_are_parsed() -> None:
    result = parse_small(nested_blocks(3))
    assert result.diagnostics == []
    assert result.script is not None


def test_blocks_over_depth_limit_are_refused() -> None:
    result = parse_small(nested_blocks(4))
    assert codes(result) == ["limit-nesting"]
    assert result.script is None
    diagnostic = result.diagnostics[0]
    # It points at the first '{' past the limit.
    assert (diagnostic.line, diagnostic.column) == (1, 36)
    assert "3" in diagnostic.message


def test_default_block_depth_is_32() -> None:
    assert sieve.parse(nested_blocks(32)).diagnostics == []
    assert codes(sieve.parse(nested_blocks(33))) == ["limit-nesting"]


# max_test_depth: `not`, anyof/allof lists.


def test_not_chain_at_depth_limit_is_parsed() -> None:
    result = parse_small(nested_not(3))
    assert result.diagnostics == []
    assert result.script is not None


def test_not_chain_over_depth_limit_is_refused() -> None:
    result = parse_small(nested_not(4))
    assert codes(result) == ["limit-nesting"]
    assert result.script is None
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 4)
    assert "4" in diagnostic.message and "3" in diagnostic.message


def test_nested_anyof_at_depth_limit_is_parsed() -> None:
    assert parse_small(nested_anyof(3)).diagnostics == []


def test_nested_anyof_over_depth_limit_is_refused() -> None:
    result = parse_small(nested_anyof(4))
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_test_depth_is_the_deepest_branch_of_a_list() -> None:
    shallow_then_deep = 'if allof (true, not not not exists "X") { keep; }'
    result = parse_small(shallow_then_deep)
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_test_depth_limit_applies_in_the_oracle_dialect() -> None:
    result = parse_small("if (not not not true) { keep; }", dialect="oracle")
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_oracle_parentheses_add_no_test_depth() -> None:
    # Documented in Limits.max_test_depth: parentheses add no node, so no level.
    result = parse_small("if " + "(" * 50 + "true" + ")" * 50 + " { keep; }", dialect="oracle")
    assert result.diagnostics == []
    test = result.script.commands[0].test
    assert (test.name, test.parenthesized) == ("true", True)


# max_string_length (characters), quoted and text: strings.


@pytest.mark.parametrize(
    "source",
    ['x "0123456789";', 'x "üüüüüüüüüü";', "x text:\n012345678\n.\n;"],
    ids=["quoted", "non-ascii", "text"],
)
def test_string_at_length_limit_is_accepted(source: str) -> None:
    assert parse_small(source).diagnostics == []


@pytest.mark.parametrize(
    "source",
    ['x "0123456789A";', 'x ["a", "0123456789A"];', "x text:\n0123456789\n.\n;"],
    ids=["quoted", "in-list", "text"],
)
def test_string_over_length_limit_is_reported(source: str) -> None:
    result = parse_small(source)
    assert codes(result) == ["limit-string-length"]
    assert "11" in result.diagnostics[0].message
    assert "10" in result.diagnostics[0].message


def test_string_length_diagnostic_points_at_the_string() -> None:
    result = parse_small('keep;\nfileinto "0123456789AB";')
    diagnostic = result.diagnostics[0]
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("limit-string-length", 2, 10)


# max_arguments (tags included; a string list is one argument).


def test_arguments_at_limit_are_accepted() -> None:
    assert parse_small('x :a 1 "b" ["c", "d", "e", "f", "g"];').diagnostics == []


def test_arguments_over_limit_are_reported_at_the_first_extra_one() -> None:
    result = parse_small('fileinto :a :b :c "d" "e" "f";')
    assert codes(result) == ["limit-arguments"]
    diagnostic = result.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 23)
    assert "4" in diagnostic.message


def test_arguments_of_a_test_are_limited_too() -> None:
    result = parse_small('if header :a :b "c" "d" "e" { keep; }')
    assert codes(result) == ["limit-arguments"]


# max_diagnostics.


def test_diagnostics_stop_at_the_limit_with_a_summary() -> None:
    limits = Limits(max_diagnostics=5)
    result = sieve.parse("keep; @\n" * 50, limits=limits)
    assert len(result.diagnostics) == 6
    assert [d.code for d in result.diagnostics].count("too-many-errors") == 1
    assert result.diagnostics[-1].code == "too-many-errors"
    assert result.diagnostics[-1].hint


def test_summary_counts_the_diagnostics_it_shows() -> None:
    result = sieve.parse("keep; @" * 50, limits=Limits(max_diagnostics=5))
    assert result.diagnostics[-1].code == "too-many-errors"
    assert "5" in result.diagnostics[-1].message
    assert len(result.diagnostics) == 6


# Hostile depth: no RecursionError, no hang, a diagnostic.


@pytest.mark.parametrize("dialect", ["standard", "oracle"])
def test_hundred_thousand_nested_nots_are_refused(dialect: str) -> None:
    result = sieve.parse(nested_not(100_001), dialect=dialect)
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_twenty_thousand_nested_anyofs_are_refused() -> None:
    result = sieve.parse(nested_anyof(20_001))
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_fifty_thousand_nested_blocks_are_refused() -> None:
    result = sieve.parse(nested_blocks(50_000))
    assert codes(result) == ["limit-nesting"]
    assert result.script is None


def test_fifty_thousand_unclosed_blocks_are_refused() -> None:
    result = sieve.parse("if true {" * 50_000)
    assert "limit-nesting" in codes(result)
    assert result.script is None


def test_fifty_thousand_braces_at_top_level_are_refused() -> None:
    result = sieve.parse("{" * 50_000)
    assert "limit-nesting" in codes(result)
    assert result.script is None


def test_fifty_thousand_braces_after_a_command_are_refused() -> None:
    result = sieve.parse("if true " + "{" * 50_000)
    assert "limit-nesting" in codes(result)
    assert result.script is None


def test_fifty_thousand_oracle_parentheses_do_not_crash() -> None:
    result = sieve.parse(
        "if " + "(" * 50_000 + "true" + ")" * 50_000 + " { keep; }", dialect="oracle"
    )
    assert result.script is None or result.script.commands[0].test is not None
    assert all(d.code == "limit-nesting" for d in result.diagnostics)


def test_hundred_thousand_arguments_are_reported_once() -> None:
    result = sieve.parse("x " + '"a" ' * 100_000 + ";")
    assert codes(result) == ["limit-arguments"]
