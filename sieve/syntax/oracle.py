"""The Oracle Communications Messaging Server dialect, as small overrides of the standard
token rules and grammar: parenthesised tests, `if (header :is "a" "b") {…}`, and mapping
callouts used as values, `set "RESULT" greylst("${IP}|${FROM}|uwc");`.

It lives in its own module because PLY refuses a rule defined twice in one file.
"""

from __future__ import annotations

from typing import Any

from sieve.syntax.ast import Callout
from sieve.syntax.grammar import StandardGrammar, extends_list, starts_list
from sieve.syntax.lexer import StandardLexerRules
from sieve.syntax.source import Span, new_span


class OracleLexerRules(StandardLexerRules):
    tokens = (*StandardLexerRules.tokens, "CALLOUT")
    # A name followed by '(' and a string or string list is a callout: a test list after
    # '(' always starts with a test name, so the two never meet. PLY tries longer string
    # rules first, so this one wins over IDENTIFIER.
    t_CALLOUT = r"[A-Za-z_][A-Za-z0-9_]*(?=[ \t\r\n]*\([ \t\r\n]*[\"\[])"


class OracleGrammar(StandardGrammar):
    """`( test )` is also a one-test test list; the precedence declared by the standard
    grammar makes the parser read it as a parenthesised test, and the checker accepts such a
    test where a list is expected."""

    tokens = OracleLexerRules.tokens
    lexer_rules = OracleLexerRules

    def p_test_parenthesized(self, p: Any) -> None:
        "test : LPAREN test RPAREN"
        test = p[2]
        test.parenthesized = True
        test.span = new_span(Span, (self.source, p[1], p[3] + 1))
        p[0] = test

    def p_callout(self, p: Any) -> None:
        """callout : CALLOUT LPAREN STRING RPAREN
        | CALLOUT LPAREN STRING_LIST RPAREN
        | CALLOUT LPAREN string_list RPAREN"""
        name, start = p[1]
        p[0] = Callout(name.lower(), p[3], new_span(Span, (self.source, start, p[4] + 1)))

    @starts_list
    def p_argument_list_first_callout(self, p: Any) -> None:
        "argument_list : callout"
        self.p_argument_list_first(p)

    @extends_list
    def p_argument_list_more_callout(self, p: Any) -> None:
        "argument_list : argument_list callout"
        self.p_argument_list_more(p)
