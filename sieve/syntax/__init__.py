"""The Sieve front end: lexer, parser, syntax tree, formatter and highlighting."""

from sieve.syntax.parser import ParseResult, parse

__all__ = ["ParseResult", "parse"]
