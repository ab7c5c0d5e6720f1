"""What a lint rule reports: a finding with a span, and the safe edits that would fix it.

Findings are plain frozen values so that outputs (text, JSON, SARIF, GitHub annotations) and
the fixer can share them without knowing which rule made them.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

# Higher is more severe; `--fail-on` compares with these.
SEVERITY_RANK = {INFO: 0, WARNING: 1, ERROR: 2}


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, mechanical edit of the source text: replace `source[start:end]`. Offsets are
    characters of the decoded source, the same as `Span.start`/`Span.end`."""

    start: int
    end: int
    replacement: str
    description: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found. Lines and columns are 1-based; the end is just past the
    last character, as in `sieve.diagnostics.Diagnostic`."""

    code: str
    severity: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    hint: str = ""
    fixes: tuple[Fix, ...] = ()

    @property
    def fixable(self) -> bool:
        return bool(self.fixes)

    def at_least(self, severity: str) -> bool:
        """Whether this finding is as severe as `severity` or more (for `--fail-on`)."""
        return SEVERITY_RANK.get(self.severity, 0) >= SEVERITY_RANK.get(severity, 0)

    def to_dict(self, file: str | None = None) -> dict[str, object]:
        data: dict[str, object] = {"file": file} if file is not None else {}
        data.update(
            code=self.code,
            severity=self.severity,
            line=self.line,
            column=self.column,
            end_line=self.end_line,
            end_column=self.end_column,
            message=self.message,
            hint=self.hint,
            fixes=[
                {
                    "start": fix.start,
                    "end": fix.end,
                    "replacement": fix.replacement,
                    "description": fix.description,
                }
                for fix in self.fixes
            ],
        )
        return data


def sort_key(finding: Finding) -> tuple[int, int, str]:
    return finding.line, finding.column, finding.code
