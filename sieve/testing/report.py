"""What a test run reports, whatever wrote the tests: one CaseResult per test case (a case
of a declarative file, a `test` block of a .svtest file), gathered per file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CaseResult:
    name: str
    passed: bool
    # Why it failed, in words; `diff` holds the readable expected/actual difference.
    reason: str = ""
    diff: str = ""
    seconds: float = 0.0


@dataclass(slots=True)
class FileResult:
    path: str
    cases: list[CaseResult] = field(default_factory=list)
    # A file that could not be read or compiled at all: no cases ran.
    error: str = ""

    @property
    def passed(self) -> int:
        return sum(case.passed for case in self.cases)

    @property
    def failed(self) -> int:
        return sum(not case.passed for case in self.cases) + (1 if self.error else 0)
