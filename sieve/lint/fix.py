"""`sieve lint --fix`: applies the safe fixes of findings to the source text.

Fixes are plain text edits, so comments and layout outside the edited spans stay exactly
as written. Overlapping fixes wait for the next round: after each round the script is
linted again, until nothing fixable is left. A round whose result no longer compiles is
undone fix by fix, so --fix never breaks a script.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sieve.lint.config import LintConfig
from sieve.lint.engine import lint
from sieve.lint.finding import ERROR, Finding, Fix

MAX_ROUNDS = 20


@dataclass(slots=True)
class FixResult:
    """The fixed text, the findings that were fixed, and what the final lint still finds."""

    text: str
    fixed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)


def apply_fixes(source: str, findings: Iterable[Finding]) -> tuple[str, list[Finding]]:
    """Applies every finding's fixes that do not overlap an earlier finding's; each
    finding's edits go in together or not at all."""
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    edits: list[Fix] = []
    for finding in sorted(findings, key=lambda f: min(x.start for x in f.fixes) if f.fixes else 0):
        if not finding.fixes or not _valid(finding.fixes, len(source)):
            continue
        spans = [(fix.start, fix.end) for fix in finding.fixes]
        if _overlap(spans, spans, same=True) or _overlap(spans, taken):
            continue
        taken.extend(spans)
        chosen.append(finding)
        edits.extend(finding.fixes)
    text = source
    for fix in sorted(edits, key=lambda f: (f.start, f.end), reverse=True):
        text = text[: fix.start] + fix.replacement + text[fix.end :]
    return text, chosen


def _valid(fixes: tuple[Fix, ...], length: int) -> bool:
    return all(0 <= fix.start <= fix.end <= length for fix in fixes)


def _overlap(
    spans: list[tuple[int, int]], others: list[tuple[int, int]], same: bool = False
) -> bool:
    for index, (start, end) in enumerate(spans):
        for other_index, (other_start, other_end) in enumerate(others):
            if same and index == other_index:
                continue
            if start < other_end and other_start < end:
                return True
            if start == other_start and (start == end or other_start == other_end):
                return True  # two insertions at one point: their order would be a guess
    return False


def fix_source(
    source: str,
    name: str = "<string>",
    config: LintConfig | None = None,
    *,
    linter: Callable[[str, str, LintConfig], list[Finding]] | None = None,
) -> FixResult:
    """Lints, fixes and lints again until no fixable finding is left (or MAX_ROUNDS)."""
    config = config or LintConfig()
    run = linter or (lambda text, file, settings: lint(text, file, settings))
    text = source
    result = FixResult(text)
    findings = run(text, name, config)
    for _ in range(MAX_ROUNDS):
        fixable = [f for f in findings if f.fixes]
        if not fixable:
            break
        candidate, applied = apply_fixes(text, fixable)
        after = run(candidate, name, config)
        errors = _errors(findings)
        if _errors(after) > errors:
            candidate, applied, after = _one_by_one(text, fixable, name, config, run, errors)
        if not applied:
            break
        text, findings = candidate, after
        result.fixed.extend(applied)
    result.text = text
    result.remaining = findings
    return result


def _errors(findings: list[Finding]) -> int:
    return sum(f.severity == ERROR for f in findings)


def _one_by_one(
    text: str,
    fixable: list[Finding],
    name: str,
    config: LintConfig,
    run: Callable[[str, str, LintConfig], list[Finding]],
    errors: int,
) -> tuple[str, list[Finding], list[Finding]]:
    """The first single fix that adds no error (a fallback: fixes are meant to keep
    scripts valid, and this keeps a buggy one from doing harm)."""
    for finding in fixable:
        candidate, applied = apply_fixes(text, [finding])
        if not applied:
            continue
        after = run(candidate, name, config)
        if _errors(after) <= errors:
            return candidate, applied, after
    return text, [], []
