"""Inline suppression: `# sieve-lint: ignore[CODE, CODE2] reason` on the line of a finding or
on the line before it. A suppression must say why; one without a reason, one naming an
unknown rule, or one that suppresses nothing is itself reported, so suppressions cannot
silently pile up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sieve.syntax.ast import Comment

_DIRECTIVE = re.compile(
    r"sieve-lint:\s*ignore\s*\[(?P<codes>[^\]\n]*)\](?P<reason>[^\n]*)", re.IGNORECASE
)


@dataclass(slots=True)
class Suppression:
    """One directive: the codes it names, why, and where it stands."""

    codes: tuple[str, ...]
    reason: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int) -> bool:
        # The directive's own line (trailing comment) or the next line (comment above).
        return code in self.codes and line in (self.line, self.end_line + 1)


def find_suppressions(comments: list[Comment]) -> list[Suppression]:
    """The directives in the script's comments, in source order."""
    found: list[Suppression] = []
    for comment in comments:
        text = comment.text
        if "sieve-lint" not in text.lower():
            continue
        body = text.removesuffix("*/") if not comment.is_hash else text
        for match in _DIRECTIVE.finditer(body):
            codes = tuple(c.strip() for c in match.group("codes").split(",") if c.strip())
            reason = match.group("reason").strip().lstrip("-:—").strip()
            span = comment.span
            start = span.start + match.start()
            end = span.start + match.end()
            source = span.source
            line, column = source.position(start) if source else (1, 1)
            end_line, end_column = source.position(end) if source else (1, 1)
            found.append(Suppression(codes, reason, line, column, end_line, end_column, start, end))
    return found
