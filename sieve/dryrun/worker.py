"""One process's share of a dry run: the settings it gets, the Worker that runs messages
with them, and the report it gives back for each message.

Each process builds its own Host from the settings: throttle counts, duplicate and vacation
memories and the greylist belong to the process, so counts are per worker unless the
throttle store is shared (`--state` SQLite file or `--memcached`).

A message that cannot be read, or on which something unexpected happens, gives a report
with status "broken"; `Worker.run` never raises for a message or a script.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sieve.runtime.host import Envelope
from sieve.runtime.limits import Limits
from sieve.runtime.mailbox import DEFAULT_MAX_MESSAGE_SIZE, MailboxError, MailItem
from sieve.runtime.message import Message

BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class ScriptSpec:
    """One script of the run: its level in the Oracle hierarchy ("" for a lone script),
    its name as shown, and its compiled form."""

    level: str
    name: str
    binary: bytes


@dataclass(frozen=True)
class RunSettings:
    """Everything a worker needs to run messages as `sieve run` would; picklable, so it
    reaches worker processes under any start method. An envelope field left None is read
    from each message (see `message_envelope`)."""

    scripts: tuple[ScriptSpec, ...]
    limits: Limits = field(default_factory=Limits)
    mail_from: str | None = None
    rcpt_to: str | None = None
    orig_to: str | None = None
    auth: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    now: datetime | None = None
    script_dir: str | None = None
    # The --mappings options (sieve.mapping.options), by attribute name; None without them.
    mapping: dict[str, Any] | None = None
    trace: bool = False
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE


@dataclass(slots=True)
class MessageReport:
    """What happened to one message. `document` is `Result.to_dict()` (or the hierarchy's)
    with each action's script line added; `rules` are the (script, line) of its actions and
    `matched` the tests that were true (with `trace`), each once; the script is "" for a
    lone script and the level for a hierarchy. A "broken" report says why in `problem`."""

    index: int
    name: str
    status: str
    mail_from: str = ""
    rcpt_to: str = ""
    document: dict[str, Any] = field(default_factory=dict)
    rules: list[tuple[str, int]] = field(default_factory=list)
    matched: list[tuple[str, int]] = field(default_factory=list)
    problem: str = ""


def message_envelope(message: Message) -> tuple[str, str]:
    """The envelope a stored message was most likely delivered with: the sender from
    Return-Path (RFC 5321 §4.4: the delivering MTA records MAIL FROM there; `<>` is the
    null sender), else the first From address; the recipient is the first To address.
    Pigeonhole's sieve-filter reads stored mail the same way."""
    sender = ""
    paths = message.addresses("Return-Path")
    if paths:
        first = paths[0]
        sender = "" if not first.localpart and first.domain is None else first.all
    else:
        senders = [a for a in message.addresses("From") if a.valid]
        sender = senders[0].all if senders else ""
    recipients = [a for a in message.addresses("To") if a.valid]
    return sender, recipients[0].all if recipients else ""


def _build_host(settings: RunSettings) -> Any:
    """The Host of one process: the mapping Host with --mappings, else a MemoryHost."""
    from sieve.mapping.options import run_host

    return run_host(
        SimpleNamespace(**settings.mapping) if settings.mapping else None,
        now=settings.now,
        script_dir=Path(settings.script_dir) if settings.script_dir else None,
        items=settings.environment,
    )


def _labelled(outcome: Any) -> list[tuple[str, Any]]:
    """Each action of the outcome with the level of the script that took it."""
    levels = getattr(outcome, "levels", None)
    if levels is None:
        return [("", action) for action in outcome.actions]
    # The hierarchy's actions are those of its successful scripts, in order (run_hierarchy).
    return [
        (level.level, action)
        for level in levels
        if level.result.status == "success"
        for action in level.result.actions
    ]


def _results(outcome: Any) -> list[tuple[str, Any]]:
    levels = getattr(outcome, "levels", None)
    if levels is None:
        return [("", outcome)]
    return [(level.level, level.result) for level in levels]


def _once(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return list(dict.fromkeys(pairs))


class Worker:
    """Runs messages for one process: the scripts loaded once, one Host for all."""

    def __init__(self, settings: RunSettings) -> None:
        from sieve.compiler import CompiledScript
        from sieve.compiler.binary import from_bytes

        self.settings = settings
        self.scripts = [
            (spec.level, CompiledScript(from_bytes(spec.binary), spec.name, limits=settings.limits))
            for spec in settings.scripts
        ]
        self.host = _build_host(settings)
        self.environment = dict(settings.environment) or None

    def run_chunk(self, chunk: list[tuple[int, MailItem]]) -> list[MessageReport]:
        return [self.run(index, item) for index, item in chunk]

    def run(self, index: int, item: MailItem) -> MessageReport:
        """One message's report; never raises for the message or the script."""
        try:
            data = item.read(self.settings.max_message_size)
        except MailboxError as error:
            return MessageReport(index, item.name, BROKEN, problem=error.reason)
        except OSError as error:
            reason = error.strerror or str(error)
            return MessageReport(index, item.name, BROKEN, problem=f"cannot read: {reason}")
        try:
            return self._run(index, item.name, data)
        except Exception as error:  # a bug must cost one message, not the dry run
            problem = f"internal error: {type(error).__name__}: {error}"
            return MessageReport(index, item.name, BROKEN, problem=problem)

    def _run(self, index: int, name: str, data: bytes) -> MessageReport:
        settings = self.settings
        limits = settings.limits
        message = Message.parse(
            data, max_header_bytes=limits.max_header_bytes, max_parts=limits.max_mime_parts
        )
        mail_from, rcpt_to = settings.mail_from, settings.rcpt_to
        if mail_from is None or rcpt_to is None:
            found_from, found_to = message_envelope(message)
            mail_from = found_from if mail_from is None else mail_from
            rcpt_to = found_to if rcpt_to is None else rcpt_to
        envelope = Envelope(mail_from, rcpt_to, settings.orig_to, settings.auth)
        outcome = self._outcome(message, envelope)
        document = outcome.to_dict()
        labelled = _labelled(outcome)
        for entry, (label, action) in zip(document["actions"], labelled, strict=True):
            entry["line"] = action.line
            if label:
                entry["script"] = label
        rules = _once((label, action.line) for label, action in labelled)
        matched: list[tuple[str, int]] = []
        if settings.trace:
            matched = _once(
                (event.script if event.depth else label, event.line)
                for label, result in _results(outcome)
                for event in result.trace
                if event.kind == "test" and event.text.endswith(": true")
            )
        return MessageReport(
            index, name, outcome.status, mail_from, rcpt_to, document, rules, matched
        )

    def _outcome(self, message: Message, envelope: Envelope) -> Any:
        trace = self.settings.trace
        if len(self.scripts) == 1 and not self.scripts[0][0]:
            return self.scripts[0][1].run(
                message, envelope, environment=self.environment, host=self.host, trace=trace
            )
        from sieve.runtime.hierarchy import run_hierarchy

        return run_hierarchy(
            self.scripts,
            message,
            envelope,
            environment=self.environment,
            host=self.host,
            trace=trace,
        )
