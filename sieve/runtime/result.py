"""What a run returns: the status, the actions, whether the implicit keep is in force, the
errors that stopped the run, and the trace. `to_dict()` is the document DESIGN.md promises
(and `sieve run --format json` prints)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sieve.runtime.actions import Action

SUCCESS = "success"
FAILED = "failed"
LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class RunError:
    """A run-time fault or an exceeded limit, with the script line it happened on."""

    code: str
    message: str
    line: int = 0
    column: int = 0
    script: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One step worth showing: a test and its outcome, an action, a variable set."""

    line: int
    kind: str  # "test", "action", "set", "include", "error", "loop"
    text: str
    depth: int = 0
    script: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "kind": self.kind, "text": self.text, "depth": self.depth}


@dataclass(slots=True)
class Result:
    status: str
    actions: list[Action]
    implicit_keep: bool
    implicit_keep_flags: list[str] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)
    warnings: list[RunError] = field(default_factory=list)
    trace: list[TraceEvent] = field(default_factory=list)
    # The actions a failed run had produced before it stopped: not performed, kept for
    # people asking why.
    cancelled: list[Action] = field(default_factory=list)
    steps: int = 0
    # The message as the run left it (header edits, replace, enclose), for delivery.
    message: Any = None

    @property
    def ok(self) -> bool:
        return self.status == SUCCESS

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "actions": [action.to_dict() for action in self.actions],
            "implicit_keep": self.implicit_keep,
            "implicit_keep_flags": list(self.implicit_keep_flags),
            "errors": [error.to_dict() for error in self.errors],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }
