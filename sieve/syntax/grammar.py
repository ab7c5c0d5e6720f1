"""The grammar of Sieve (RFC 5228 §8.2); the Oracle dialect extends it in `oracle.py`.

PLY builds the LALR tables from the docstrings; `lr.py` runs them, calling these methods
with `p` as a plain list (`p[0]` is the result, `p[1:]` the values of the right-hand side;
punctuation values are their offsets). Each parse gets its own grammar object, which holds
that parse's context. The rules are kept flat on purpose: every reduction costs time.
"""

from __future__ import annotations

import threading
from typing import Any

import ply.yacc

from sieve.syntax.ast import Block, Command, Script, StringList, Test, TestList
from sieve.syntax.context import LexContext
from sieve.syntax.lexer import StandardLexerRules
from sieve.syntax.source import Span, new_span


def starts_list(rule: Any) -> Any:
    """Marks a rule `x : item` whose value is `[item]`: the driver builds the list itself,
    without calling the rule (see `lr.run`)."""
    rule.lr_shortcut = "start-list"
    return rule


def empty_list(rule: Any) -> Any:
    """Marks an empty rule `x :` whose value is `[]`: the driver makes the list itself."""
    rule.lr_shortcut = "empty-list"
    return rule


def extends_list(rule: Any) -> Any:
    """Marks a rule `x : x item` or `x : x separator item` whose value is the list of `x`
    with `item` appended: the driver appends without calling the rule."""
    rule.lr_shortcut = "extend-list"
    return rule


class StandardGrammar:
    tokens = StandardLexerRules.tokens
    lexer_rules: type[StandardLexerRules] = StandardLexerRules
    start = "script"
    # Only the Oracle grammar has the conflict these settle (`( test )` is both a
    # parenthesised test and a one-test list); declaring them here keeps one `tests` rule.
    precedence = (("nonassoc", "ONE_TEST"), ("nonassoc", "RPAREN"))

    def __init__(self, ctx: LexContext | None = None) -> None:
        self.ctx = ctx
        if ctx is not None:
            self.source = ctx.source
            self.max_arguments = ctx.limits.max_arguments
            self.max_list_length = ctx.limits.max_list_length
            self.max_test_depth = ctx.limits.max_test_depth
            self.max_block_depth = ctx.limits.max_block_depth

    def p_script(self, p: Any) -> None:
        "script : commands"
        p[0] = Script(p[1])

    @extends_list
    def p_commands_more(self, p: Any) -> None:
        "commands : commands command"
        p[1].append(p[2])
        p[0] = p[1]

    @empty_list
    def p_commands_none(self, p: Any) -> None:
        "commands :"
        p[0] = []

    def p_command(self, p: Any) -> None:
        """command : IDENTIFIER SEMICOLON
        | IDENTIFIER argument_list SEMICOLON
        | IDENTIFIER test SEMICOLON
        | IDENTIFIER test_list SEMICOLON
        | IDENTIFIER argument_list test SEMICOLON
        | IDENTIFIER argument_list test_list SEMICOLON
        | IDENTIFIER block
        | IDENTIFIER argument_list block
        | IDENTIFIER test block
        | IDENTIFIER test_list block
        | IDENTIFIER argument_list test block
        | IDENTIFIER argument_list test_list block"""
        # One rule with every shape (RFC 5228: arguments = *argument [test / test-list])
        # instead of nested optional parts: each reduction saved is time saved per command.
        name, start = p[1]  # an IDENTIFIER's value: its text and offset
        # p is [_, name, (arguments), (test), ';' or block]: which parts are there follows
        # from the length and from whether p[2] is the argument list.
        size = len(p)
        second = p[2]
        if type(second) is list:
            arguments, test = second, (p[3] if size == 5 else None)
        else:
            arguments, test = [], (second if size == 4 else None)
        if len(arguments) > self.max_arguments:
            self._too_many_arguments(arguments[self.max_arguments])
        last = p[-1]
        if type(last) is Block:
            block, end = last, last.span.end
        else:
            block, end = None, last + 1
        if test is not None and test.height > self.max_test_depth:
            self._too_deep(test)
        p[0] = Command(
            name.lower(), arguments, test, block, new_span(Span, (self.source, start, end))
        )

    def p_block(self, p: Any) -> None:
        "block : LBRACE commands RBRACE"
        commands = p[2]
        height = 1
        for command in commands:
            inner = command.block
            if inner is not None and inner.height >= height:
                height = inner.height + 1
        if height == self.max_block_depth + 1:
            self.ctx.report_deep_blocks()
        p[0] = Block(commands, new_span(Span, (self.source, p[1], p[3] + 1)), height)

    @starts_list
    def p_argument_list_first(self, p: Any) -> None:
        """argument_list : STRING
        | MULTILINE
        | NUMBER
        | TAG
        | STRING_LIST
        | string_list"""
        p[0] = [p[1]]

    @extends_list
    def p_argument_list_more(self, p: Any) -> None:
        """argument_list : argument_list STRING
        | argument_list MULTILINE
        | argument_list NUMBER
        | argument_list TAG
        | argument_list STRING_LIST
        | argument_list string_list"""
        p[1].append(p[2])
        p[0] = p[1]

    def p_string_list(self, p: Any) -> None:
        "string_list : LBRACKET strings RBRACKET"
        strings = p[2]
        if len(strings) > self.max_list_length:
            # Lists with comments or text: inside come string by string (a plain list is
            # one token, checked by the lexer as it is read).
            assert self.ctx is not None
            self.ctx.report_long_list(p[1])
            del strings[self.max_list_length :]
        p[0] = StringList(strings, new_span(Span, (self.source, p[1], p[3] + 1)))

    @starts_list
    def p_strings_one(self, p: Any) -> None:
        """strings : STRING
        | MULTILINE"""
        p[0] = [p[1]]

    @extends_list
    def p_strings_more(self, p: Any) -> None:
        """strings : strings COMMA STRING
        | strings COMMA MULTILINE"""
        p[1].append(p[3])
        p[0] = p[1]

    def p_test(self, p: Any) -> None:
        """test : IDENTIFIER
        | IDENTIFIER argument_list
        | IDENTIFIER test
        | IDENTIFIER test_list
        | IDENTIFIER argument_list test
        | IDENTIFIER argument_list test_list"""
        name, start = p[1]
        # p is [_, name, (arguments), (test)].
        size = len(p)
        if size == 2:
            arguments, test = [], None
        elif type(p[2]) is list:
            arguments, test = p[2], (p[3] if size == 4 else None)
        else:
            arguments, test = [], p[2]
        if len(arguments) > self.max_arguments:
            self._too_many_arguments(arguments[self.max_arguments])
        if test is not None:
            end, height = test.span.end, test.height + 1
        else:
            end, height = arguments[-1].span.end if arguments else start + len(name), 1
        p[0] = Test(
            name.lower(),
            arguments,
            test,
            False,
            new_span(Span, (self.source, start, end)),
            height,
        )

    def p_test_list(self, p: Any) -> None:
        "test_list : LPAREN tests RPAREN"
        tests = p[2]
        span = new_span(Span, (self.source, p[1], p[3] + 1))
        p[0] = TestList(tests, span, max(t.height for t in tests))

    @starts_list
    def p_tests_one(self, p: Any) -> None:
        "tests : test %prec ONE_TEST"
        p[0] = [p[1]]

    @extends_list
    def p_tests_more(self, p: Any) -> None:
        "tests : tests COMMA test"
        p[1].append(p[3])
        p[0] = p[1]

    def p_error(self, token: Any) -> None:  # pragma: no cover - lr.py recovers by itself
        raise AssertionError("syntax errors are handled by sieve.syntax.recovery")

    def _too_deep(self, test: Any) -> None:
        ctx = self.ctx
        assert ctx is not None
        ctx.limit_exceeded = True
        ctx.report(
            "limit-nesting",
            test.span.start,
            test.span.start + 1,
            f"tests are nested {test.height} deep here; the limit is {self.max_test_depth}",
            "split the condition over several if commands, or use allof/anyof lists",
        )

    def _too_many_arguments(self, argument: Any) -> None:
        assert self.ctx is not None
        start = argument.span.start
        self.ctx.report(
            "limit-arguments",
            start,
            start + 1,
            f"more than {self.max_arguments} arguments",
            'put the values into a string list ["a", "b"] instead of separate arguments',
        )


class TableLog:
    """Collects what PLY says while building tables; a test holds the grammars to silence."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def warning(self, message: str, *args: Any) -> None:
        self.messages.append(message % args)

    error = info = debug = critical = warning


_tables: dict[type, tuple[ply.yacc.LRParser, TableLog]] = {}
_tables_lock = threading.Lock()


def build_tables(grammar: type[StandardGrammar]) -> tuple[ply.yacc.LRParser, TableLog]:
    """The LALR tables of a grammar, built once per process and never written to disk."""
    built = _tables.get(grammar)
    if built is None:
        with _tables_lock:
            built = _tables.get(grammar)
            if built is None:
                log = TableLog()
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
