"""The scripts a running service applies, reloaded while mail flows.

A script file is recompiled when its modification time or size changes (polled) or on
SIGHUP. A new version that fails to compile is not loaded: the previous one keeps running
and the diagnostics go to the log, so a typo saved into a live filter never stops mail.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sieve

log = logging.getLogger("sieve.serve")

# Recipient file names we accept: no path separators, no leading dot (no "..").
_SAFE_NAME = re.compile(r"[A-Za-z0-9_+=@-][A-Za-z0-9._+=@-]{0,254}\Z")
_MAX_USER_SLOTS = 10_000


@dataclass(slots=True)
class ScriptSlot:
    """One script file and the last version of it that compiled."""

    path: Path
    dialect: str = "standard"
    script: Any = None
    signature: tuple[int, int] | None = None
    checked: float = 0.0
    failures: int = 0

    def refresh(self) -> bool:
        """Recompiles when the file changed; True when a new version was loaded."""
        self.checked = time.monotonic()
        try:
            stat = os.stat(self.path)
        except OSError:
            if self.script is not None:
                log.warning("script %s disappeared; unloaded", self.path)
            self.script, self.signature = None, None
            return False
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature == self.signature:
            return False
        self.signature = signature
        try:
            source = self.path.read_bytes()
            compiled = sieve.compile(source, name=self.path.name, dialect=self.dialect)
        except sieve.CompileError as error:
            self.failures += 1
            for diagnostic in error.diagnostics:
                log.error(
                    "%s:%s:%s: %s: %s [%s]; keeping the previous version",
                    self.path,
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.severity,
                    diagnostic.message,
                    diagnostic.code,
                )
            return False
        except OSError as error:
            self.failures += 1
            log.error("cannot read %s: %s; keeping the previous version", self.path, error)
            return False
        self.script = compiled
        log.info("loaded %s", self.path)
        return True


class ScriptStore:
    """The system and channel scripts, and the per-recipient scripts found in a folder
    (`<recipient>.sieve`, else `<local part>.sieve`)."""

    def __init__(
        self,
        system: Path | None = None,
        channel: Path | None = None,
        users: Path | None = None,
        *,
        dialect: str = "standard",
        poll_seconds: float = 1.0,
    ) -> None:
        self.dialect = dialect
        self.poll_seconds = poll_seconds
        self.system = ScriptSlot(system, dialect) if system else None
        self.channel = ScriptSlot(channel, dialect) if channel else None
        self.users = users
        self._user_slots: dict[Path, ScriptSlot] = {}

    def reload(self, *, users: bool = True) -> None:
        """Checks every known file now (SIGHUP); with `users=False` only the system and
        channel scripts (the poll: each user script is checked when it is next used, so
        the poll need not stat every cached one)."""
        for slot in self._slots() if users else self._fixed_slots():
            slot.refresh()

    def _fixed_slots(self) -> list[ScriptSlot]:
        return [slot for slot in (self.system, self.channel) if slot is not None]

    def _slots(self) -> list[ScriptSlot]:
        return self._fixed_slots() + list(self._user_slots.values())

    @property
    def failures(self) -> int:
        return sum(slot.failures for slot in self._slots())

    def hierarchy(self, recipient: str) -> list[tuple[str, Any]]:
        """The (level, script) pairs for one recipient: user, channel, system."""
        pairs: list[tuple[str, Any]] = []
        user = self._user_script(recipient)
        if user is not None:
            pairs.append(("user", user))
        for level, slot in (("channel", self.channel), ("system", self.system)):
            if slot is not None and slot.script is not None:
                pairs.append((level, slot.script))
        return pairs

    def _user_script(self, recipient: str) -> Any:
        if self.users is None:
            return None
        address = recipient.strip().strip("<>").lower()
        local = address.rpartition("@")[0] if "@" in address else address
        for name in (address, local):
            if not name or not _SAFE_NAME.match(name):
                continue
            path = self.users / f"{name}.sieve"
            slot = self._user_slots.get(path)
            if slot is None:
                if not path.is_file():
                    continue
                if len(self._user_slots) >= _MAX_USER_SLOTS:
                    self._user_slots.clear()  # bounded memory; they reload on demand
                slot = self._user_slots[path] = ScriptSlot(path, self.dialect)
                slot.refresh()
            elif time.monotonic() - slot.checked >= self.poll_seconds:
                slot.refresh()
            if slot.script is not None:
                return slot.script
        return None
