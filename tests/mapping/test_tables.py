"""The mapping file format: tables, entries, comments, continuations, includes, and the
errors and warnings a person gets for the guide's misprinted tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.mapping import MappingError, load_mappings, parse_mappings
from sieve.mapping.tables import WRAPPED_HINT

ORACLE = Path(__file__).resolve().parents[2] / "corpus" / "oracle"


def pairs(mappings, name: str) -> list[tuple[str, str]]:
    table = mappings.table(name)
    assert table is not None
    return [(entry.pattern, entry.template) for entry in table.entries]


def test_a_table_is_a_name_in_column_one_then_indented_entries() -> None:
    mappings = parse_mappings("ACCESS\n\n  a@b  $N\n\t*    $Y\n")
    assert pairs(mappings, "ACCESS") == [("a@b", "$N"), ("*", "$Y")]
    assert mappings.diagnostics == []


def test_table_names_compare_case_insensitively_and_keep_their_spelling() -> None:
    mappings = parse_mappings("Filter_Greylist\n  *  $Y\n")
    assert list(mappings.tables) == ["FILTER_GREYLIST"]
    table = mappings.table("filter_greylist")
    assert table is not None and table.name == "Filter_Greylist"
    assert mappings.table("OTHER") is None


def test_entries_remember_their_line() -> None:
    mappings = parse_mappings("T\n\n! a comment\n  a  b\n  c  d\n", "m.txt")
    table = mappings.table("T")
    assert table is not None
    assert [(e.file, e.line) for e in table.entries] == [("m.txt", 4), ("m.txt", 5)]
    assert (table.file, table.line) == ("m.txt", 1)


def test_bang_in_column_one_is_a_comment_even_between_entries() -> None:
    mappings = parse_mappings("! header\nT\n  a  b\n! middle\n  c  d\n!T2\n")
    assert pairs(mappings, "T") == [("a", "b"), ("c", "d")]
    assert list(mappings.tables) == ["T"]


def test_an_indented_bang_is_an_entry_with_a_warning() -> None:
    mappings = parse_mappings("T\n  !x  y\n")
    assert pairs(mappings, "T") == [("!x", "y")]
    [warning] = mappings.diagnostics
    assert warning.severity == "warning" and "column 1" in warning.message


def test_blank_lines_separate_tables_and_are_ignored_inside_one() -> None:
    mappings = parse_mappings("ONE\n\n  a  1\n\n  b  2\n\nTWO\n\n  c  3\n")
    assert pairs(mappings, "ONE") == [("a", "1"), ("b", "2")]
    assert pairs(mappings, "TWO") == [("c", "3")]


def test_a_backslash_continues_the_line_and_the_next_line_indent_is_dropped() -> None:
    text = "T\n  *|*|*  \\\n      $C$[lib,routine,\\\n          $0]$Y\n  x  y\n"
    mappings = parse_mappings(text)
    assert pairs(mappings, "T") == [("*|*|*", "$C$[lib,routine,$0]$Y"), ("x", "y")]
    assert mappings.table("T").entries[1].line == 5  # numbered from its own first line


def test_a_backslash_quoted_by_dollar_does_not_continue() -> None:
    mappings = parse_mappings("T\n  a  b$\\\n  c  d\n")
    assert pairs(mappings, "T") == [("a", "b$\\"), ("c", "d")]
    # `$$` is a quoted dollar, so the backslash after it does continue the line.
    assert pairs(parse_mappings("T\n  a  \\\n  b$$\\\n  c\n"), "T") == [("a", "b$$c")]


def test_quoted_spaces_stay_inside_pattern_and_template() -> None:
    mappings = parse_mappings("T\n  a$ b  $N$ Relaying$ not$ allowed\n")
    assert pairs(mappings, "T") == [("a$ b", "$N$ Relaying$ not$ allowed")]


def test_crlf_line_endings_and_a_byte_order_mark_are_read() -> None:
    mappings = parse_mappings("\ufeffT\r\n  a  b\r\n")
    assert pairs(mappings, "T") == [("a", "b")]


def test_includes_insert_a_file_at_that_point_relative_to_the_including_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more").write_text("  b  2\n<deeper\n")
    (tmp_path / "sub" / "deeper").write_text("  c  3\nOTHER\n  d  4\n")
    (tmp_path / "mappings").write_text("T\n  a  1\n<sub/more\n")
    mappings = load_mappings(tmp_path / "mappings")
    assert pairs(mappings, "T") == [("a", "1"), ("b", "2"), ("c", "3")]
    assert pairs(mappings, "OTHER") == [("d", "4")]
    deeper = mappings.table("T").entries[2]
    assert (Path(deeper.file).name, deeper.line) == ("deeper", 1)


def test_parse_mappings_resolves_includes_from_base(tmp_path: Path) -> None:
    (tmp_path / "part").write_text("  b  2\n")
    assert pairs(parse_mappings("T\n<part\n", base=tmp_path), "T") == [("b", "2")]
    with pytest.raises(MappingError, match="no directory"):
        parse_mappings("T\n<part\n")


def test_an_include_cycle_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("T\n  a  1\n<b\n")
    (tmp_path / "b").write_text("  b  2\n<a\n")
    with pytest.raises(MappingError) as raised:
        load_mappings(tmp_path / "a")
    assert raised.value.line == 2 and "includes itself" in raised.value.reason
    assert Path(raised.value.file).name == "b"
    mappings = load_mappings(tmp_path / "a", strict=False)
    assert pairs(mappings, "T") == [("a", "1"), ("b", "2")]


def test_includes_nest_only_so_deep(tmp_path: Path) -> None:
    for level in range(20):
        (tmp_path / f"f{level}").write_text(f"  e{level}  x\n<f{level + 1}\n")
    (tmp_path / "f20").write_text("")
    (tmp_path / "top").write_text("T\n<f0\n")
    mappings = load_mappings(tmp_path / "top", strict=False)
    assert any("nest deeper" in d.message for d in mappings.errors)
    assert 0 < len(mappings.table("T").entries) < 20


def test_a_missing_include_is_an_error_on_the_include_line(tmp_path: Path) -> None:
    (tmp_path / "m").write_text("T\n  a  1\n<missing\n  b  2\n")
    with pytest.raises(MappingError) as raised:
        load_mappings(tmp_path / "m")
    assert (raised.value.line, "missing" in raised.value.reason) == (3, True)
    assert pairs(load_mappings(tmp_path / "m", strict=False), "T") == [("a", "1"), ("b", "2")]


def test_a_missing_file_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="cannot read"):
        load_mappings("/nonexistent/mappings")
    assert load_mappings("/nonexistent/mappings", strict=False).tables == {}


def test_an_entry_before_any_table_is_an_error_with_its_line() -> None:
    with pytest.raises(MappingError) as raised:
        parse_mappings("\n\n  a  b\nT\n  c  d\n", "f")
    assert str(raised.value) == "f:3: an entry before any table name"


def test_an_unindented_entry_is_an_error_with_a_hint() -> None:
    with pytest.raises(MappingError) as raised:
        parse_mappings("T\n*  $Y\n")
    assert raised.value.line == 2
    assert "indented" in raised.value.hint


def test_text_after_a_table_name_is_an_error() -> None:
    with pytest.raises(MappingError, match="text after the table name"):
        parse_mappings("T  a  b\n")


def test_an_unquoted_space_in_a_template_is_an_error() -> None:
    with pytest.raises(MappingError) as raised:
        parse_mappings("T\n  *  $N Relaying denied\n")
    assert "`$ `" in raised.value.hint
    loose = parse_mappings("T\n  *  $N Relaying denied\n", strict=False)
    assert pairs(loose, "T") == [("*", "$N")]


def test_a_duplicate_table_is_an_error_and_the_first_is_kept() -> None:
    text = "T\n  a  1\n\nt\n  b  2\n"
    with pytest.raises(MappingError, match="defined twice"):
        parse_mappings(text)
    assert pairs(parse_mappings(text, strict=False), "T") == [("a", "1")]


def test_a_malformed_pattern_or_template_is_an_error_naming_the_line() -> None:
    with pytest.raises(MappingError) as raised:
        parse_mappings("T\n  a  b\n  $[abc  x\n")
    assert raised.value.line == 3 and "never closed" in raised.value.reason
    with pytest.raises(MappingError, match="never closed"):
        parse_mappings("T\n  *  $[lib,routine,$0\n")


def test_a_pattern_without_a_template_says_it_may_be_wrapped() -> None:
    with pytest.raises(MappingError) as raised:
        parse_mappings("T\n  *|*\n  x  y\n", "m")
    error = raised.value
    assert (error.file, error.line) == ("m", 2)
    assert error.hint == WRAPPED_HINT
    assert "put it on the same line or end the line with \\" in error.hint
    # Nothing can be recovered here: the entry is dropped rather than matching with "".
    assert pairs(parse_mappings("T\n  *|*\n  x  y\n", strict=False), "T") == [("x", "y")]


def test_an_empty_table_is_a_warning() -> None:
    mappings = parse_mappings("EMPTY\n\nT\n  a  b\n")
    assert [(d.line, d.severity) for d in mappings.diagnostics] == [(1, "warning")]


def test_the_restored_guide_tables_load_clean() -> None:
    mappings = load_mappings(ORACLE / "mappings")
    assert mappings.diagnostics == []
    assert [t.name for t in mappings.tables.values()] == ["FILTER_limitauthspam", "FILTER_GREYLIST"]
    assert pairs(mappings, "FILTER_GREYLIST") == [
        ("*|*|*", "$C$[IMTA_LIB:grosscheck.so,grosscheck,127.0.0.1,,5525,$0,$1,$2,]$Y$E"),
        ("*", "$Y"),
    ]
    assert len(mappings.table("FILTER_LIMITAUTHSPAM").entries) == 5


def test_the_verbatim_guide_tables_raise_on_the_wrapped_entry() -> None:
    with pytest.raises(MappingError) as raised:
        load_mappings(ORACLE / "mappings-verbatim")
    error = raised.value
    assert (Path(error.file).name, error.line) == ("mappings-verbatim", 12)
    assert error.hint == WRAPPED_HINT
    assert str(error).endswith(":12: " + error.reason)


def test_the_verbatim_guide_tables_load_loosely_with_every_problem_reported() -> None:
    mappings = load_mappings(ORACLE / "mappings-verbatim", strict=False)
    found = [(d.line, d.severity) for d in mappings.diagnostics]
    assert found == [(7, "warning"), (12, "error"), (13, "warning")]
    braces, wrapped, mangled = mappings.diagnostics
    assert "${IMTA_LIB:check_metermaid.so,throttle," in braces.message
    assert "`$[" in braces.message
    assert wrapped.hint == WRAPPED_HINT
    assert "`SYSE` looks like `$Y$E` mangled" in mangled.message
    assert mangled.hint == "write `$Y$E`"
    # The wrapped lines are read as the one entry they were meant to be.
    [first, last] = mappings.table("FILTER_GREYLIST").entries
    assert (first.pattern, first.line, first.template.endswith("]SYSE")) == ("*|*|*", 12, True)
    assert (last.pattern, last.template, last.line) == ("*", "$Y", 14)


def test_closest_suggests_the_filter_table_a_sieve_callout_misspells() -> None:
    mappings = load_mappings(ORACLE / "mappings")
    assert mappings.closest("greylst") == "FILTER_GREYLIST"
    assert mappings.closest("FILTER_LIMITAUTHSPAN") == "FILTER_limitauthspam"
    assert mappings.closest("vacation") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("T \t\n!<\\$*%[]{}|,abYCE:0")), max_size=80))
def test_arbitrary_text_only_ever_raises_mapping_error(text: str) -> None:
    try:
        parse_mappings(text)
    except MappingError as error:
        assert error.line >= 0 and error.reason
    loose = parse_mappings(text, strict=False)
    assert all(d.severity in ("error", "warning") for d in loose.diagnostics)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_breaks_the_loose_parser(text: str) -> None:
    parse_mappings(text, strict=False)
