"""The Oracle Messaging Server filter hierarchy: the user's script, then the channel's, then
the MTA-wide one. Processing stops at the first script that decides the message's fate
explicitly (keeps, files, redirects, discards, rejects or jettisons it); a script that only
adds headers, tags, notifications or a vacation reply lets the next one run, and what it did
still happens. Each script sees the message as the scripts before it left it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sieve.runtime import actions as act
from sieve.runtime.host import Envelope, Host, MemoryHost
from sieve.runtime.limits import Limits
from sieve.runtime.result import FAILED, LIMIT, SUCCESS, Result

LEVELS = ("user", "channel", "system")


@dataclass(slots=True)
class LevelResult:
    level: str
    name: str
    result: Result

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "script": self.name, **self.result.to_dict()}


@dataclass(slots=True)
class HierarchyResult:
    """What the hierarchy did: the combined actions, which script decided (None when none
    did and the implicit keep delivers the message), and each script's own result."""

    actions: list[act.Action]
    implicit_keep: bool
    decided_by: str | None
    levels: list[LevelResult] = field(default_factory=list)
    message: Any = None

    @property
    def status(self) -> str:
        statuses = {level.result.status for level in self.levels}
        return LIMIT if LIMIT in statuses else FAILED if FAILED in statuses else SUCCESS

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "actions": [action.to_dict() for action in self.actions],
            "implicit_keep": self.implicit_keep,
            "decided_by": self.decided_by,
            "scripts": [level.to_dict() for level in self.levels],
        }


def decides(result: Result) -> bool:
    """A script decides when it keeps, files, redirects, discards, rejects or jettisons the
    message; a `:copy` (RFC 3894) leaves the decision to the next script, as it leaves the
    implicit keep. Those are exactly the actions that cancel the implicit keep (Oracle's
    "explicit" accept or reject)."""
    return result.status == SUCCESS and act.cancels_implicit_keep(result.actions)


def run_hierarchy(
    scripts: Sequence[tuple[str, Any]],
    message: Any,
    envelope: Envelope | None = None,
    *,
    environment: Mapping[str, str] | None = None,
    host: Host | None = None,
    limits: Limits | None = None,
    trace: bool = False,
) -> HierarchyResult:
    """Runs `(level, compiled script)` pairs in order (user, channel, system) until one
    decides. A script that fails or hits a limit decides nothing: its error is reported and
    the next script runs, so a broken user filter cannot switch off the system's."""
    host = host or MemoryHost()
    combined: list[act.Action] = []
    levels: list[LevelResult] = []
    decided_by: str | None = None
    current = message
    for level, script in scripts:
        if script is None:
            continue
        result = script.run(
            current, envelope, environment=environment, host=host, limits=limits, trace=trace
        )
        levels.append(LevelResult(level, script.name, result))
        if result.status == SUCCESS:
            combined.extend(result.actions)
            current = result.message if result.message is not None else current
        if decides(result):
            decided_by = level
            break
    return HierarchyResult(combined, decided_by is None, decided_by, levels, current)
