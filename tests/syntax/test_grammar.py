"""The grammar tables PLY builds, and the shortcuts the lexer takes on their behalf."""

from __future__ import annotations

import pytest

import sieve
from sieve.syntax.dialects import DIALECTS
from sieve.syntax.lr import tables_for


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_grammar_builds_without_conflicts_or_warnings(dialect: str) -> None:
    # A shift/reduce or reduce/reduce conflict would make PLY guess; the Oracle dialect's
    # one ambiguity, `( test )`, is settled by a declared precedence, not by a guess.
    assert tables_for(DIALECTS[dialect]).log.messages == []


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_tables_are_built_once_per_process(dialect: str) -> None:
    assert tables_for(DIALECTS[dialect]) is tables_for(DIALECTS[dialect])


def test_a_plain_string_list_parses_like_one_written_with_comments() -> None:
    # A plain list is lexed as one token; one with a comment inside goes token by token.
    plain = sieve.parse('fileinto ["a", "b\\"c", "d"];')
    commented = sieve.parse('fileinto ["a", /* why */ "b\\"c",\n # more\n "d"];')
    assert plain.diagnostics == commented.diagnostics == []
    assert plain.script == commented.script
    strings = plain.script.commands[0].arguments[0].strings
    assert [s.value for s in strings] == ["a", 'b"c', "d"]
    assert [(s.span.column, s.span.end_column) for s in strings] == [(11, 14), (16, 22), (24, 27)]


def test_a_string_list_with_a_text_string_goes_token_by_token() -> None:
    result = sieve.parse('x ["a", text:\nline\n.\n];')
    assert result.diagnostics == []
    [strings] = result.script.commands[0].arguments
    assert [(s.value, s.multiline) for s in strings.strings] == [("a", False), ("line\n", True)]


def test_oracle_callout_takes_a_plain_string_list() -> None:
    result = sieve.parse('set "R" greylst(["a", "b"]);', dialect="oracle")
    assert result.diagnostics == []
    callout = result.script.commands[0].arguments[1]
    assert (callout.name, [s.value for s in callout.argument.strings]) == ("greylst", ["a", "b"])
