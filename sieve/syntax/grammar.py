"""The PLY grammar of Sieve (RFC 5228 §8.2) and the Oracle Messaging Server override.

Each production builds one AST node. Error recovery is not spread through the rules: the one
`error` rule resynchronises at ';' (see `recovery.py`, which does the rest).
"""

from __future__ import annotations

import threading
from typing import Any

import ply.yacc

from sieve.syntax.ast import Block, Callout, Command, Script, String, StringList, Test, TestList
from sieve.syntax.lexer import OracleLexerRules, StandardLexerRules


class StandardGrammar:
    tokens = StandardLexerRules.tokens
    lexer_rules: type[StandardLexerRules] = StandardLexerRules
    start = "script"
    precedence: tuple[tuple[str, ...], ...] = ()

    def p_script(self, p: Any) -> None:
        "script : commands"
        p[0] = Script(p[1])

    def p_commands_more(self, p: Any) -> None:
        "commands : commands command"
        if p[2] is not None:
            p[1].append(p[2])
        p[0] = p[1]

    def p_commands_none(self, p: Any) -> None:
        "commands :"
        p[0] = []

    def p_command_simple(self, p: Any) -> None:
        "command : IDENTIFIER arguments SEMICOLON"
        p[0] = _command(p, p[1], p[2], None, p.lexpos(3) + 1)

    def p_command_block(self, p: Any) -> None:
        "command : IDENTIFIER arguments block"
        p[0] = _command(p, p[1], p[2], p[3], p[3].span.end)

    def p_command_error(self, p: Any) -> None:
        "command : error SEMICOLON"
        p[0] = None

    def p_block(self, p: Any) -> None:
        "block : LBRACE commands RBRACE"
        p[0] = Block(p[2], p.lexer.ctx.source.span(p.lexpos(1), p.lexpos(3) + 1))

    def p_arguments_plain(self, p: Any) -> None:
        "arguments : argument_list"
        p[0] = (p[1], None)

    def p_arguments_test(self, p: Any) -> None:
        """arguments : argument_list test
        | argument_list test_list"""
        p[0] = (p[1], p[2])

    def p_argument_list_more(self, p: Any) -> None:
        "argument_list : argument_list argument"
        arguments = p[1]
        if len(arguments) == p.lexer.ctx.limits.max_arguments:
            _report_too_many_arguments(p, p[2])
        arguments.append(p[2])
        p[0] = arguments

    def p_argument_list_none(self, p: Any) -> None:
        "argument_list :"
        p[0] = []

    def p_argument(self, p: Any) -> None:
        """argument : string_list
        | NUMBER
        | TAG"""
        p[0] = p[1]

    def p_string_list_bracketed(self, p: Any) -> None:
        "string_list : LBRACKET strings RBRACKET"
        p[0] = StringList(p[2], p.lexer.ctx.source.span(p.lexpos(1), p.lexpos(3) + 1))

    def p_string_list_single(self, p: Any) -> None:
        "string_list : string"
        p[0] = p[1]

    def p_strings_one(self, p: Any) -> None:
        "strings : string"
        p[0] = [p[1]]

    def p_strings_more(self, p: Any) -> None:
        "strings : strings COMMA string"
        p[1].append(p[3])
        p[0] = p[1]

    def p_string(self, p: Any) -> None:
        """string : STRING
        | MULTILINE"""
        p[0] = p[1]

    def p_test(self, p: Any) -> None:
        "test : IDENTIFIER arguments"
        word = p[1]
        arguments, test = p[2]
        end = _end_of(word.end, arguments, test)
        height = 1 + test.height if test is not None else 1
        p[0] = Test(
            word.name, arguments, test, False, p.lexer.ctx.source.span(word.start, end), height
        )

    def p_test_list(self, p: Any) -> None:
        "test_list : LPAREN tests RPAREN"
        tests = p[2]
        span = p.lexer.ctx.source.span(p.lexpos(1), p.lexpos(3) + 1)
        p[0] = TestList(tests, span, max(t.height for t in tests))

    def p_tests_one(self, p: Any) -> None:
        "tests : test"
        p[0] = [p[1]]

    def p_tests_more(self, p: Any) -> None:
        "tests : tests COMMA test"
        p[1].append(p[3])
        p[0] = p[1]

    def p_error(self, token: Any) -> None:  # pragma: no cover - replaced per parse
        raise AssertionError("each parse installs its own error handler")


class OracleGrammar(StandardGrammar):
    """Oracle Messaging Server: parenthesised tests and mapping callouts as values.

    `( test )` is also a one-test test list; the precedence below makes the parser read it as
    a parenthesised test, and the checker accepts such a test where a list is expected.
    """

    tokens = OracleLexerRules.tokens
    lexer_rules = OracleLexerRules
    precedence = (("nonassoc", "ONE_TEST"), ("nonassoc", "RPAREN"))

    p_tests_one = None  # type: ignore[assignment]  # replaced with a ranked version below

    def p_tests_one_ranked(self, p: Any) -> None:
        "tests : test %prec ONE_TEST"
        p[0] = [p[1]]

    def p_test_parenthesized(self, p: Any) -> None:
        "test : LPAREN test RPAREN"
        test = p[2]
        test.parenthesized = True
        test.span = p.lexer.ctx.source.span(p.lexpos(1), p.lexpos(3) + 1)
        p[0] = test

    def p_argument_callout(self, p: Any) -> None:
        "argument : CALLOUT LPAREN string_list RPAREN"
        word = p[1]
        span = p.lexer.ctx.source.span(word.start, p.lexpos(4) + 1)
        p[0] = Callout(word.name, p[3], span)


def _end_of(name_end: int, arguments: list[Any], test: Any) -> int:
    if test is not None:
        return test.span.end
    if arguments:
        return arguments[-1].span.end
    return name_end


def _command(p: Any, word: Any, arguments_and_test: Any, block: Block | None, end: int) -> Command:
    arguments, test = arguments_and_test
    ctx = p.lexer.ctx
    if test is not None and test.height > ctx.limits.max_test_depth:
        ctx.limit_exceeded = True
        ctx.report(
            "limit-nesting",
            test.span.start,
            test.span.start + 1,
            f"tests are nested {test.height} deep here; the limit is {ctx.limits.max_test_depth}",
            "split the condition over several if commands, or use allof/anyof lists",
        )
    source = ctx.source
    return Command(
        word.name,
        arguments,
        test,
        block,
        source.span(word.start, end),
        source.span(word.start, word.end),
    )


def _report_too_many_arguments(p: Any, argument: Any) -> None:
    ctx = p.lexer.ctx
    start = argument.span.start
    ctx.report(
        "limit-arguments",
        start,
        start + 1,
        f"more than {ctx.limits.max_arguments} arguments",
        "put the values into a string list [\"a\", \"b\"] instead of separate arguments",
    )


class ConflictLog:
    """Collects what PLY says while building tables; a test holds the grammar to zero."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warning(self, message: str, *args: Any) -> None:
        self.messages.append(message % args)

    error = warning
    info = debug = critical = warning


_tables: dict[type, tuple[ply.yacc.LRParser, ConflictLog]] = {}
_tables_lock = threading.Lock()


def parser_template(grammar: type[StandardGrammar]) -> tuple[ply.yacc.LRParser, ConflictLog]:
    """The LALR tables of a grammar, built once per process and never written to disk."""
    built = _tables.get(grammar)
    if built is None:
        with _tables_lock:
            built = _tables.get(grammar)
            if built is None:
                log = ConflictLog()
                parser = ply.yacc.yacc(
                    module=grammar(),
                    start=grammar.start,
                    debug=False,
                    write_tables=False,
                    tabmodule="sieve.syntax._tables_never_written",
                    errorlog=log,
                )
                built = (parser, log)
                _tables[grammar] = built
    return built


__all__ = ["OracleGrammar", "StandardGrammar", "parser_template", "String"]
