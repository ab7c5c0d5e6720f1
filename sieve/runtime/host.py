"""The envelope of a delivery, and the Host: the only door from a running script to the
outside world (DESIGN.md, "VM"). A script reaches nothing the Host does not offer: no files,
no network, no clock of its own. The default `MemoryHost` keeps everything in memory, so a
test or a one-shot `sieve run` needs no set-up; servers subclass it with shared stores."""

from __future__ import annotations

import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date and time for a fixed clock (`--now`, test settings); a moment
    without a zone is UTC. Raises ValueError for anything else."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Envelope:
    """The SMTP envelope (RFC 5228 §5.4). An empty `mail_from` is the null sender `<>`."""

    mail_from: str = ""
    rcpt_to: str = ""
    # RFC 6009 ORCPT, and the authenticated submitter (RFC 5228 §5.4 "auth").
    orig_to: str | None = None
    auth: str | None = None


@dataclass(frozen=True, slots=True)
class CalloutAnswer:
    """What a mapping callout answered: the output string, whether it said yes (`$Y`:
    the callout test is true), and whether it refused (no entry, or `$N`: the value form
    gives ""). `trace` explains the lookup step by step."""

    output: str
    success: bool
    refused: bool = False
    trace: tuple[str, ...] = ()


class Host:
    """Services a script may use. Every method has a safe default, so a subclass overrides
    only what its deployment offers. Methods may be called from several threads at once."""

    # RFC 5235: where the mail system's spam and virus verdicts are read from. The spam
    # header holds a score (SpamAssassin's "X-Spam-Score: 7.3"), scaled from 0..spam_max
    # onto spamtest's 1..10 and :percent's 0..100; the virus header holds virustest's
    # 1..5 directly. A missing header means "not tested" (the value "0").
    spam_header: str = "X-Spam-Score"
    spam_max: float = 10.0
    virus_header: str = "X-Virus-Score"

    def now(self) -> datetime:
        """The clock for `currentdate`, `date` defaults, vacation and duplicate periods."""
        return datetime.now(UTC)

    def local_timezone_minutes(self) -> int:
        """The offset from UTC of the server's zone, for RFC 5260's `:zone` default."""
        return 0

    def caller_spam_score(self) -> float | None:
        """A spam score the MTA already has for this message (Oracle's spamtest may take it
        from the caller rather than a header); None to read `spam_header`."""
        return None

    def mailbox_exists(self, mailbox: str) -> bool:
        """RFC 5490 `mailboxexists`: only INBOX exists unless the Host knows better."""
        return mailbox.upper() == "INBOX"

    def duplicate_seen(self, key: str, seconds: int, mark: bool) -> bool:
        """RFC 7352: whether `key` was seen within `seconds`; records it when `mark`."""
        return False

    def vacation_sent(self, key: str, seconds: int, mark: bool) -> bool:
        """RFC 5230 §4.2: whether this sender got this reply within the period; records it
        when `mark` (the VM marks only replies it really produces)."""
        return False

    def list_contains(self, list_name: str, values: Iterable[str]) -> bool | None:
        """RFC 6134 external lists: whether any value is on the list; None when the list
        is not known (a run-time error)."""
        return None

    def valid_list(self, list_name: str) -> bool:
        return False

    def load_script(self, name: str, location: str) -> str | bytes | None:
        """RFC 6609 include: the source of a personal or global script, None when absent."""
        return None

    def callout(self, table: str, value: str) -> CalloutAnswer | None:
        """Oracle mapping-table callout, named as the script names it; None when there is
        no such table (the test is false, the value "")."""
        return None

    def environment(self) -> Mapping[str, str]:
        """RFC 5183 environment items the deployment reports."""
        return {}

    def notify_method_capability(self, uri: str, capability: str) -> str | None:
        """RFC 5435 §3: what the Host knows about a recipient of a notification method."""
        return None

    def list_members(self, list_name: str) -> list[str] | None:
        """RFC 6134 `redirect :list`: every member of the list, or None when the list
        is not known (a run-time error). A Host that cannot enumerate a list returns None."""
        return None

    def duplicate_touch(self, key: str, seconds: int) -> None:
        """RFC 7352 §3 `:last`: restarts the period of an entry seen again. A Host without
        it lets entries expire `seconds` after they were first recorded."""


@dataclass
class MemoryHost(Host):
    """The embedded default: a settable clock, an in-memory duplicate and vacation memory,
    mailboxes, lists and scripts given as plain Python values."""

    clock: Callable[[], datetime] | None = None
    mailboxes: set[str] = field(default_factory=lambda: {"INBOX"})
    lists: dict[str, set[str]] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    global_scripts: dict[str, str] = field(default_factory=dict)
    # Included scripts are read from here when not in `scripts`; names never leave it.
    script_dir: Path | None = None
    items: dict[str, str] = field(default_factory=dict)
    spam_score: float | None = None
    # Callouts answered by Python functions, by name: value -> (success, output).
    callouts: dict[str, Callable[[str], tuple[bool, str]]] = field(default_factory=dict)
    _seen: dict[str, float] = field(default_factory=dict, repr=False)
    _replied: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    def _timestamp(self) -> float:
        return self.now().timestamp() if self.clock is not None else time.time()

    def mailbox_exists(self, mailbox: str) -> bool:
        return mailbox in self.mailboxes or mailbox.upper() == "INBOX"

    def _remember(self, store: dict[str, float], key: str, seconds: int, mark: bool) -> bool:
        now = self._timestamp()
        with self._lock:
            last = store.get(key)
            seen = last is not None and now - last < seconds
            if mark and not seen:
                store[key] = now
        return seen

    def duplicate_seen(self, key: str, seconds: int, mark: bool) -> bool:
        return self._remember(self._seen, key, seconds, mark)

    def vacation_sent(self, key: str, seconds: int, mark: bool) -> bool:
        return self._remember(self._replied, key, seconds, mark)

    def list_contains(self, list_name: str, values: Iterable[str]) -> bool | None:
        members = self.lists.get(list_name)
        if members is None:
            return None
        folded = {member.lower() for member in members}
        return any(value.lower() in folded for value in values)

    def valid_list(self, list_name: str) -> bool:
        return list_name in self.lists

    def load_script(self, name: str, location: str) -> str | bytes | None:
        table = self.global_scripts if location == "global" else self.scripts
        if name in table:
            return table[name]
        if self.script_dir is None or not _safe_script_name(name):
            return None
        root = self.script_dir.resolve()
        folder = root / "global" if location == "global" else root
        for candidate in (folder / name, folder / f"{name}.sieve"):
            try:
                real = candidate.resolve(strict=True)
                # RFC 6609 §3.2: nothing outside the script directory, symlinks included;
                # only regular files (no FIFO to block on, no device to read forever).
                if not real.is_relative_to(root) or not stat.S_ISREG(real.stat().st_mode):
                    continue
                with real.open("rb") as file:
                    return file.read(_MAX_INCLUDED_BYTES + 1)
            except OSError:
                continue
        return None

    def callout(self, table: str, value: str) -> CalloutAnswer | None:
        routine = self.callouts.get(table) or self.callouts.get(table.upper())
        if routine is None:
            return None
        ok, output = routine(value)
        return CalloutAnswer(output, ok, not ok)

    def environment(self) -> Mapping[str, str]:
        return self.items

    def caller_spam_score(self) -> float | None:
        return self.spam_score

    def list_members(self, list_name: str) -> list[str] | None:
        members = self.lists.get(list_name)
        return sorted(members) if members is not None else None

    def duplicate_touch(self, key: str, seconds: int) -> None:
        now = self._timestamp()
        with self._lock:
            self._seen[key] = now


# An included script larger than the parse-time limit is refused by the compiler anyway;
# reading one byte more than that lets it say so without reading a huge file whole.
_MAX_INCLUDED_BYTES = 1024 * 1024


def _safe_script_name(name: str) -> bool:
    """RFC 6609 §3.2: a script name is a name, not a path; nothing may reach outside the
    script directory (no separators, no dot-files, no NUL)."""
    return bool(name) and not any(c in name for c in "/\\\0") and not name.startswith(".")
