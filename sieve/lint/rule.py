"""The base class of lint rules: a code, a default severity, a documented check.

A rule is one module under `sieve/lint/rules/` defining one `Rule` subclass and
`RULE = TheRule()`. Its docstring has the markdown sections `## What it does`,
`## Why is this bad?`, `## Example` and `## Use instead`; `sieve lint --explain CODE` prints
it, so the documentation cannot drift from the rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from sieve.lint.finding import WARNING, Finding, Fix
from sieve.syntax.source import Span

if TYPE_CHECKING:
    from sieve.lint.context import LintContext

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


class Rule:
    """Subclasses set `code` (kebab-case), maybe `severity` and `fixable`, and `check`."""

    code: ClassVar[str]
    severity: ClassVar[str] = WARNING
    fixable: ClassVar[bool] = False
    # A rule that reads single tests only (their strings and tags) may also run on the tree
    # the parser recovered from a script with syntax errors, so a broken script still gets
    # its pattern bugs reported next to its syntax errors.
    tolerant: ClassVar[bool] = False

    def check(self, context: LintContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        span: Span | object,
        message: str,
        hint: str = "",
        fixes: Iterable[Fix] = (),
        *,
        severity: str | None = None,
    ) -> Finding:
        """A finding of this rule at `span` (a Span, or any node with a `.span`)."""
        where = span if isinstance(span, Span) else getattr(span, "span", None)
        if not isinstance(where, Span) or where.source is None:
            line = column = end_line = end_column = 1
        else:
            line, column = where.line, where.column
            end_line, end_column = where.end_line, where.end_column
        return Finding(
            self.code,
            severity or self.severity,
            line,
            column,
            end_line,
            end_column,
            message,
            hint,
            tuple(fixes),
        )

    @classmethod
    def explanation(cls) -> str:
        """The rule's docstring as markdown, headed by its code."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        return f"# {cls.code} ({cls.severity}{', fixable' if cls.fixable else ''})\n\n{doc}\n"

    @classmethod
    def summary(cls) -> str:
        """The first sentence of *What it does*, for `--list-rules`."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        _, _, rest = doc.partition(SECTIONS[0])
        text = " ".join(rest.split("##", 1)[0].split())
        sentence = text.split(". ", 1)[0].split(": ", 1)[0].rstrip(".")
        if len(sentence) > 90:
            sentence = sentence[:89].rsplit(" ", 1)[0] + "…"
        return sentence or cls.__name__
