"""Declarative test files: what a Sieve script must do to given messages, written as data
next to the script, so a filter's purpose is pinned without writing Python.

A test file is TOML named `NAME.sievetest.toml`. Paths in it are relative to the file.

    script = "spam-filing.sieve"            # or a hierarchy, see below

    [settings]                              # all optional
    dialect = "standard"                    # or "oracle"
    extensions = ["fileinto", "reject"]     # what the server offers (default: all we know)
    clock = 2026-11-28T12:00:00Z            # the moment the tests run at (default: now)

    [[case]]
    name = "SpamAssassin's verdict files the message into Junk"
    message = "messages/spam.eml"
    envelope = {from = "spammer@example.net", to = "user@example.org"}
    expect.actions = [{type = "fileinto", mailbox = "Junk"}]
    expect.implicit_keep = false

The script
    `script = "path"` names one script (.sieve source or a compiled .svbc). For the Oracle
    filter hierarchy, `[scripts]` names up to three, `user`, `channel` and `system`, run in
    that order until one decides (sieve.runtime.hierarchy). A case may name its own
    `script` or `scripts`.

[settings]
    dialect, extensions, limits (a table of sieve.Limits fields: `{max_steps = 500}`),
    clock (a TOML date-time or an ISO 8601 string; without a zone it is UTC),
    environment (RFC 5183 items: `{phase = "during"}`), lists (RFC 6134 external lists:
    `{"tag:example.com,2024:staff" = ["alice@example.com"]}`), mailboxes (the ones that
    exist, for RFC 5490), scripts (the folder `include` reads from; default: the script's
    folder), spam_score (the caller's spam score), envelope (the default envelope).
    Oracle mapping tables: mappings (a mapping file), callouts (`{greylst =
    "FILTER_GREYLIST"}`: callouts linked to tables of another name), throttle (a throttle
    file, or the same document as an inline table; default: throttle.toml beside the
    mapping file), state (an SQLite file for throttle counts; beware, it outlives the run),
    memcached ("host:port"), fail_closed (bool), greylist_delay (seconds, default 10).
    With a mapping file, every callout of the script must name one of its tables.
    A case may override any of them in `[case.settings]`; tables merge key by key, and an
    empty table clears the setting.

[[case]]
    name         what the case shows, in words (the report and pytest use it)
    message      a file, or `{inline = '''...'''}`, or `{file = "...", wait = 60,
                 envelope = {...}, repeat = 50}`: `wait` moves the clock forward (seconds)
                 first, `repeat` sends it that many times in a row
    messages     a list of those, sent one after the other to the same host: throttle
                 counts, duplicate and vacation memories carry from one to the next
    repeat       sends the message (or the whole list) this many times in a row
    envelope     `{from, to, orig_to, auth}`; a key left out is taken from the message
                 (its first From address, its first To address). `from = ""` is `<>`.
    expect       what the last message's run must give
    expect_at    `[case.expect_at.51]` or `[case.expect_at."1-50"]`: what the runs of those
                 messages (numbered from 1) must give. A message no expectation names
                 must at least run with status "success".

An expectation (every key optional):
    actions         the exact list of actions, in order. Each is a table of the fields of
                    `Action.to_dict()` that matter: only the keys given are compared, so
                    `{type = "fileinto", mailbox = "Junk"}` ignores flags. A key ending in
                    `_contains` checks part of a text (or members of a list):
                    `{type = "vacation", subject = "Away", reason_contains = "Monday"}`.
    contains        actions that must be among the actions (same tables)
    not_contains    actions that must not be
    implicit_keep   true or false
    implicit_keep_flags  the flags of the implicit keep (RFC 5232)
    status          "success" (the default when neither status nor errors is given),
                    "failed" or "limit"
    errors          the run's errors: codes (`["too-many-redirects"]`) or tables of
                    `{code, line, column, message}`; warnings likewise
    decided_by      with a hierarchy: "user", "channel", "system", or "none"
    compile_errors  the script must not compile: its error diagnostics, as codes or
                    tables of `{code, line, column, message, hint}`; no message is run

Unknown keys are errors, so a misspelt expectation cannot pass silently. A failure says
which message and what differed, with a unified diff of expected and actual written in
this file's own notation, ready to paste back once the new behaviour is right."""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sieve.testing.declarative_cases import (
    Case,
    Delivery,
    Expectation,
    parse_case,
    script_keys,
)
from sieve.testing.declarative_compare import Actual, NotCompiled, check_compile_errors, compare
from sieve.testing.declarative_settings import parse_settings
from sieve.testing.declarative_values import TestFileError, read_input, read_table, refuse_unknown
from sieve.testing.report import CaseResult, FileResult

SUFFIX = ".sievetest.toml"
# The keys of the file's top level; a case's and the settings' keys are checked where those
# are read (sieve.testing.declarative_cases, sieve.testing.declarative_settings).
_FILE_KEYS = {"script", "scripts", "settings", "case", "description"}


# ---------------------------------------------------------------------------------------------
# Reading a file


@dataclass
class TestFile:
    """A loaded test file: its cases, ready to run one by one (pytest runs them as items).
    Compiled scripts and mapping files are shared by the cases that use the same ones."""

    __test__ = False

    path: Path
    cases: list[Case]
    _compiled: dict[Any, Any] = field(default_factory=dict, repr=False)
    _mappings: dict[Path, Any] = field(default_factory=dict, repr=False)

    def run(self, case: Case) -> CaseResult:
        """Runs one case; never raises: a problem of the file or the host fails the case."""
        started = time.perf_counter()
        try:
            failures = [case.problem] if case.problem else self._check(case)
        except TestFileError as error:
            failures = [str(error)]
        except Exception as error:  # a host or store that broke: report it, go on
            failures = [f"error while running: {type(error).__name__}: {error}"]
        seconds = time.perf_counter() - started
        if not failures:
            return CaseResult(case.name, True, seconds=seconds)
        reasons, diffs = [], []
        for failure in failures:
            reason, _, diff = failure.partition("\n")
            reasons.append(reason)
            if diff:
                # With several failures, each diff says which one it belongs to.
                diffs.append(f"{reason}\n{diff}" if len(failures) > 1 else diff)
        return CaseResult(case.name, False, "; ".join(reasons), "\n".join(diffs), seconds)

    # -- Running

    def _check(self, case: Case) -> list[str]:
        compiled = self._compile(case)
        expectations = [*(e for _, _, e in case.expect_at), *([case.expect] if case.expect else [])]
        compile_only = [e for e in expectations if e.compile_only]
        if compile_only:
            return check_compile_errors(compile_only[0], compiled)
        if isinstance(compiled, NotCompiled):
            return [compiled.describe()]
        host, clock = self._host(case)
        failures: list[str] = []
        count = len(case.deliveries)
        for number, delivery in enumerate(case.deliveries, 1):
            clock.advance(delivery.wait)
            envelope = _envelope_for(delivery, case)
            # The environment items are the host's (`items`), which the environment test
            # reads when the run is given none.
            if case.hierarchy:
                from sieve.runtime.hierarchy import run_hierarchy

                outcome: Any = run_hierarchy(compiled, delivery.data, envelope, host=host)
            else:
                outcome = compiled[0][1].run(delivery.data, envelope, host=host)
            actual = Actual.of(outcome)
            applicable = [e for first, last, e in case.expect_at if first <= number <= last]
            if number == count and case.expect is not None:
                applicable.append(case.expect)
            if not applicable:
                applicable = [Expectation("expect", {})]  # the run must at least succeed
            where = f"message {number} of {count} ({delivery.label})" if count > 1 else ""
            for expectation in applicable:
                for failure in compare(expectation, actual):
                    failures.append(f"{where}: {failure}" if where else failure)
            if failures:
                break  # later messages of a sequence only repeat the first difference
        return failures

    def _compile(self, case: Case) -> Any:
        settings = case.settings
        key = (case.scripts, settings.dialect, settings.extensions, settings.limits)
        key += (settings.mappings, settings.callouts)
        if key not in self._compiled:
            self._compiled[key] = self._compile_uncached(case)
        return self._compiled[key]

    def _compile_uncached(self, case: Case) -> Any:
        from sieve.compiler import BinaryError, CompiledScript, CompileError, compile_source
        from sieve.compiler.binary import MAGIC, from_bytes

        settings = case.settings
        check = self._callout_check(case)
        compiled = []
        for level, path in case.scripts:
            source = read_input(path, f"the script {_relative(path, self.path)}")
            try:
                if source.startswith(MAGIC):
                    script = CompiledScript(from_bytes(source), path.name, limits=settings.limits)
                else:
                    script = compile_source(
                        source,
                        name=path.name,
                        extensions=settings.extensions,
                        limits=settings.limits,
                        dialect=settings.dialect,
                        callout_check=check,
                    )
            except BinaryError as error:
                raise TestFileError(f"{_relative(path, self.path)}: {error}") from None
            except CompileError as error:
                return NotCompiled(_relative(path, self.path), error.diagnostics)
            compiled.append((level, script))
        return compiled

    def _callout_check(self, case: Case) -> Any:
        if case.settings.mappings is None:
            return None
        from sieve.mapping.callouts import CalloutLinks, check_callouts

        mappings = self._load_mappings(case.settings.mappings)
        links = CalloutLinks(dict(case.settings.callouts))
        return lambda script, tests: check_callouts(script, mappings, links, tests)

    def _load_mappings(self, path: Path) -> Any:
        if path not in self._mappings:
            from sieve.mapping.tables import load_mappings

            mappings = load_mappings(path, strict=False)
            if mappings.errors:
                problems = "; ".join(
                    f"{Path(d.file).name}:{d.line}: {d.message}" for d in mappings.errors[:3]
                )
                raise TestFileError(f"the mapping file cannot be used: {problems}")
            self._mappings[path] = mappings
        return self._mappings[path]

    def _host(self, case: Case) -> tuple[Any, _Clock]:
        """A fresh host for the case: nothing carries from one case to another."""
        from sieve.runtime.host import MemoryHost

        settings = case.settings
        clock = _Clock(settings.clock or datetime.now(UTC))
        fields: dict[str, Any] = {
            "clock": clock.now,
            "mailboxes": set(settings.mailboxes),
            "lists": {name: set(members) for name, members in settings.lists},
            "script_dir": settings.scripts or case.scripts[0][1].parent,
            "items": dict(settings.environment),
            "spam_score": settings.spam_score,
        }
        if settings.mappings is None:
            return MemoryHost(**fields), clock
        return self._mapping_host(case, fields), clock

    def _mapping_host(self, case: Case, fields: dict[str, Any]) -> Any:
        """The mapping host, its throttle and greylist on the case's clock (`fields["clock"]`
        is the case clock's `now`, which `oracle_host` hands to both routines)."""
        from sieve.mapping.callouts import CalloutLinks
        from sieve.mapping.host import oracle_host
        from sieve.mapping.throttle import (
            ThrottleConfigError,
            ThrottleSettings,
            load_throttle_settings,
            settings_from_mapping,
        )

        settings = case.settings
        assert settings.mappings is not None
        throttle_source = settings.throttle
        if throttle_source is None:
            beside = settings.mappings.with_name("throttle.toml")
            throttle_source = beside if beside.is_file() else None
        try:
            if isinstance(throttle_source, Path):
                throttle = load_throttle_settings(throttle_source)
            elif isinstance(throttle_source, str):
                throttle = settings_from_mapping(json.loads(throttle_source), "settings.throttle")
            else:
                throttle = ThrottleSettings()
        except ThrottleConfigError as error:
            raise TestFileError(str(error)) from None
        return oracle_host(
            self._load_mappings(settings.mappings),
            throttle=throttle,
            state=settings.state,
            memcached=settings.memcached,
            fail_open=False if settings.fail_closed else None,
            greylist_delay=settings.greylist_delay,
            links=CalloutLinks(dict(settings.callouts)),
            **fields,
        )


def load(path: str | Path) -> TestFile:
    """Reads a test file. Raises TestFileError when the file as a whole cannot be used (not
    TOML, no script, bad settings); a broken case fails on its own when run."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise TestFileError(f"cannot read the file: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TestFileError(f"not valid TOML: {error}") from None
    return from_document(document, path)


def from_document(document: Mapping[str, Any], path: str | Path) -> TestFile:
    """A test file from its parsed TOML document; `path` places the relative paths."""
    path = Path(path)
    folder = path.parent
    refuse_unknown(document, _FILE_KEYS, "the file")
    scripts, hierarchy = script_keys(document, folder, "the file") or ((), False)
    raw_settings = read_table(document.get("settings", {}), "settings")
    parse_settings(raw_settings, folder)  # report a broken [settings] once, for the file
    raw_cases = document.get("case")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise TestFileError("no cases: add a [[case]] table")
    cases = [
        parse_case(raw, number, folder, raw_settings, scripts, hierarchy)
        for number, raw in enumerate(raw_cases, 1)
    ]
    for case, name in zip(cases, number_duplicates(case.name for case in cases), strict=True):
        case.name = name
    return TestFile(path, cases)


def run_file(path: str | Path, select: Callable[[str], bool] | None = None) -> FileResult:
    """Runs every case of a file (those whose name `select` accepts) and reports them."""
    result = FileResult(str(path))
    try:
        test_file = load(path)
    except TestFileError as error:
        result.error = str(error)
        return result
    for case in test_file.cases:
        if select is None or select(case.name):
            result.cases.append(test_file.run(case))
    return result


def number_duplicates(names: Iterable[str]) -> list[str]:
    """Two cases of one name would be one line in reports and one pytest id: the names,
    the second of a name and later ones numbered ("name (2)"). Also the .svtest runner's."""
    seen: dict[str, int] = {}
    numbered = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        numbered.append(f"{name} ({count + 1})" if count else name)
    return numbered


# ---------------------------------------------------------------------------------------------
# Running: the case's clock and envelope


class _Clock:
    """The case's clock: fixed, moved only by a message's `wait`, so runs are repeatable."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def timestamp(self) -> float:
        return self.moment.timestamp()

    def advance(self, seconds: float) -> None:
        if seconds:
            try:
                self.moment += timedelta(seconds=seconds)
            except OverflowError:
                raise TestFileError("the clock would run past the year 9999") from None


def _envelope_for(delivery: Delivery, case: Case) -> Any:
    """The message's own envelope over the case's over the settings'; what none gives
    comes from the message's first From and To addresses."""
    from sieve.runtime.host import Envelope

    given = {**dict(case.settings.envelope), **dict(case.envelope), **dict(delivery.envelope)}
    if "from" not in given or "to" not in given:
        sender, recipient = addresses_of(delivery.data)
        given.setdefault("from", sender)
        given.setdefault("to", recipient)
    return Envelope(given["from"], given["to"], given.get("orig_to"), given.get("auth"))


def addresses_of(data: bytes, default_recipient: str = "") -> tuple[str, str]:
    """The envelope a delivery of the message to its first recipient would have: the
    sender is the first From address, the recipient the first To address (only addresses
    with a domain; else "" and `default_recipient`). Also tests/runtime/corpus_runs.py's."""
    from sieve.runtime.message import Message

    try:
        parsed = Message.parse(data)
        senders, recipients = parsed.addresses("from"), parsed.addresses("to")
    except Exception:  # a message too broken to have addresses has none
        return "", default_recipient
    sender = senders[0].all if senders and senders[0].domain else ""
    recipient = recipients[0].all if recipients and recipients[0].domain else default_recipient
    return sender, recipient


def _relative(path: Path, test_file: Path) -> str:
    try:
        return str(path.relative_to(test_file.parent))
    except ValueError:
        return str(path)
