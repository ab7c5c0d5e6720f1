"""The words of the checker's diagnostics.

How an argument or a signature is named in a message, and the hints that say what to write
instead: shared by the walk over the script (`checker`) and the argument checks
(`arguments`), and kept apart from both so the rules read without the phrasing in the way.
(Diagnostics point at a command's or test's `name_span`, in the syntax tree.)
"""

from __future__ import annotations

from sieve.diagnostics import WARNING, Diagnostic
from sieve.extensions.spec import CommandSpec, SubTests, TestSpec
from sieve.syntax.ast import Argument, Callout, Number, String, StringList, Tag
from sieve.syntax.source import Span


def warning(code: str, span: Span, message: str, hint: str) -> Diagnostic:
    return Diagnostic(
        code, WARNING, span.line, span.column, span.end_line, span.end_column, message, hint
    )


def describe_argument(argument: Argument) -> str:
    return {
        String: "a string",
        StringList: "a string list",
        Number: "a number",
        Tag: "a tag",
        Callout: "a callout",
    }.get(type(argument), "this")


def describe_signature(spec: CommandSpec | TestSpec) -> str:
    parts = [f"[{p.name}]" if p.optional else p.name for p in spec.signature.positionals]
    if spec.signature.tests is not SubTests.NONE:
        parts.append(spec.signature.tests.value)
    return " ".join(parts) or "no arguments"


def subtests_hint(wanted: SubTests) -> str:
    if wanted is SubTests.LIST:
        return "write the tests in parentheses: anyof (test1, test2)"
    return 'write a test such as header :contains "Subject" "x" or true'


__all__ = [
    "describe_argument",
    "describe_signature",
    "subtests_hint",
    "warning",
]
