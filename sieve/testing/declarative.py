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

import dataclasses
import difflib
import json
import math
import re
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sieve.runtime import actions as act
from sieve.runtime.host import parse_moment
from sieve.runtime.limits import Limits
from sieve.testing.report import CaseResult, FileResult

SUFFIX = ".sievetest.toml"
LEVELS = ("user", "channel", "system")
# A test file is input too: bound the work one case can ask for.
MAX_RUNS = 10_000
MAX_WAIT_SECONDS = 100 * 365 * 86400.0
_MISSING = object()


class TestFileError(Exception):
    """A test file that cannot be used as written; the message says where and why."""

    __test__ = False  # not a pytest test class, despite the name


# ---------------------------------------------------------------------------------------------
# Settings


_SETTINGS_KEYS = {
    "dialect",
    "extensions",
    "limits",
    "clock",
    "environment",
    "lists",
    "mailboxes",
    "scripts",
    "spam_score",
    "envelope",
    "mappings",
    "callouts",
    "throttle",
    "state",
    "memcached",
    "fail_closed",
    "greylist_delay",
}
_TABLE_SETTINGS = {"limits", "environment", "lists", "envelope", "callouts"}
_ENVELOPE_KEYS = {"from", "to", "orig_to", "auth"}
_LIMIT_FIELDS = {f.name: f.type for f in dataclasses.fields(Limits)}


@dataclass(frozen=True)
class Settings:
    """The settings of one case, checked and with paths resolved."""

    dialect: str = "standard"
    extensions: tuple[str, ...] | None = None
    limits: Limits | None = None
    clock: datetime | None = None
    environment: tuple[tuple[str, str], ...] = ()
    lists: tuple[tuple[str, frozenset[str]], ...] = ()
    mailboxes: frozenset[str] = frozenset({"INBOX"})
    scripts: Path | None = None
    spam_score: float | None = None
    envelope: tuple[tuple[str, str], ...] = ()
    mappings: Path | None = None
    callouts: tuple[tuple[str, str], ...] = ()
    throttle: Path | str | None = None  # a path, or the inline table as canonical JSON
    state: Path | None = None
    memcached: str | None = None
    fail_closed: bool = False
    greylist_delay: float = 10.0


def merge_settings(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`[case.settings]` over `[settings]`: tables merge key by key (an empty table clears
    the setting), other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if (
            key in _TABLE_SETTINGS
            and value
            and isinstance(value, dict)
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def parse_settings(raw: Any, folder: Path, where: str = "settings") -> Settings:
    """Checks a settings table; raises TestFileError naming the key at fault."""
    table = _table(raw, where)
    _no_unknown(table, _SETTINGS_KEYS, where)
    values: dict[str, Any] = {}
    for key, value in table.items():
        here = f"{where}.{key}"
        if key == "dialect":
            from sieve.syntax.dialects import DIALECTS

            if value not in DIALECTS:
                raise TestFileError(f"{here}: one of {', '.join(sorted(DIALECTS))}, not {value!r}")
            values[key] = value
        elif key == "extensions":
            values[key] = tuple(_strings(value, here))
        elif key == "limits":
            values[key] = _limits(value, here)
        elif key == "clock":
            values[key] = parse_clock(value, here)
        elif key in ("environment", "callouts"):
            values[key] = tuple(sorted(_string_table(value, here).items()))
        elif key == "envelope":
            values[key] = tuple(sorted(_envelope(value, here).items()))
        elif key == "lists":
            lists = _table(value, here)
            values[key] = tuple(
                sorted(
                    (name, frozenset(_strings(v, f"{here}.{name}"))) for name, v in lists.items()
                )
            )
        elif key == "mailboxes":
            values[key] = frozenset({"INBOX", *_strings(value, here)})
        elif key in ("scripts", "mappings", "state"):
            values[key] = folder / _string(value, here)
        elif key == "throttle":
            if isinstance(value, dict):
                values[key] = json.dumps(value, sort_keys=True, default=str)
            else:
                values[key] = folder / _string(value, here)
        elif key == "memcached":
            values[key] = _string(value, here)
        elif key == "fail_closed":
            values[key] = _bool(value, here)
        elif key in ("spam_score", "greylist_delay"):
            values[key] = _number(value, here, minimum=None if key == "spam_score" else 0)
    return Settings(**values)


def parse_clock(value: Any, where: str = "clock") -> datetime:
    """A TOML date-time, date or ISO 8601 string; a moment without a zone is UTC."""
    if isinstance(value, str):
        try:
            value = parse_moment(value)
        except ValueError:
            raise TestFileError(
                f"{where}: an ISO 8601 date and time (2026-11-28T12:00:00Z), not {value!r}"
            ) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise TestFileError(f"{where}: a date and time, not {_kind(value)}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _limits(value: Any, where: str) -> Limits:
    table = _table(value, where)
    numbers: dict[str, Any] = {}
    for name, number in table.items():
        if name not in _LIMIT_FIELDS:
            raise TestFileError(f"{where}: no limit {name!r}{_closest(name, _LIMIT_FIELDS)}")
        numbers[name] = _number(number, f"{where}.{name}", minimum=0)
        if "int" in str(_LIMIT_FIELDS[name]):
            if numbers[name] != int(numbers[name]):
                raise TestFileError(f"{where}.{name}: a whole number, not {number!r}")
            numbers[name] = int(numbers[name])
    return Limits(**numbers)


def _envelope(value: Any, where: str) -> dict[str, str]:
    table = _string_table(value, where)
    _no_unknown(table, _ENVELOPE_KEYS, where)
    return table


# ---------------------------------------------------------------------------------------------
# Cases and expectations


_FILE_KEYS = {"script", "scripts", "settings", "case", "description"}
_CASE_KEYS = {
    "name",
    "description",
    "script",
    "scripts",
    "settings",
    "message",
    "messages",
    "repeat",
    "envelope",
    "expect",
    "expect_at",
}
_MESSAGE_KEYS = {"file", "inline", "wait", "envelope", "repeat"}
_EXPECT_KEYS = {
    "actions",
    "contains",
    "not_contains",
    "implicit_keep",
    "implicit_keep_flags",
    "status",
    "errors",
    "warnings",
    "decided_by",
    "compile_errors",
}
_STATUSES = ("success", "failed", "limit")
_ERROR_FIELDS = {"code", "line", "column", "message"}
_DIAGNOSTIC_FIELDS = {"code", "severity", "line", "column", "end_line", "end_column", "message"}
_DIAGNOSTIC_FIELDS |= {"hint"}


def _action_fields() -> dict[str, frozenset[str]]:
    """Every action type with the fields its to_dict() has, to catch misspelt keys."""
    found: dict[str, frozenset[str]] = {}
    pending = list(act.Action.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        try:
            found[cls.type] = frozenset(cls().to_dict())
        except TypeError:  # an action that needs arguments: compare its keys unchecked
            continue
    return found


ACTION_FIELDS = _action_fields()


@dataclass(frozen=True)
class Expectation:
    """One `expect` table, checked. `where` names it in messages ("expect_at.51")."""

    where: str
    table: Mapping[str, Any]

    @property
    def compile_only(self) -> bool:
        return "compile_errors" in self.table


@dataclass(frozen=True)
class Delivery:
    """One message of a case, ready to send."""

    label: str
    data: bytes
    wait: float = 0.0
    envelope: tuple[tuple[str, str], ...] = ()


@dataclass
class Case:
    name: str
    settings: Settings = field(default_factory=Settings)
    scripts: tuple[tuple[str, Path], ...] = ()
    hierarchy: bool = False
    deliveries: list[Delivery] = field(default_factory=list)
    envelope: tuple[tuple[str, str], ...] = ()
    expect: Expectation | None = None
    # (first, last, expectation), message numbers from 1.
    expect_at: list[tuple[int, int, Expectation]] = field(default_factory=list)
    # Why the case cannot run as written; the case then fails with this reason.
    problem: str = ""


def _parse_case(
    raw: Any,
    number: int,
    folder: Path,
    settings: Mapping[str, Any],
    scripts: tuple[tuple[str, Path], ...],
    hierarchy: bool,
) -> Case:
    if not isinstance(raw, dict):
        return Case(f"case {number}", problem=f"case {number}: a table, not {_kind(raw)}")
    name = raw.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else f"case {number}"
    case = Case(name)
    try:
        _no_unknown(raw, _CASE_KEYS, f"case {name!r}")
        own = _script_keys(raw, folder, f"case {name!r}")
        case.scripts, case.hierarchy = own or (scripts, hierarchy)
        if not case.scripts:
            raise TestFileError(f"case {name!r}: no script: give `script = ...` at the top")
        merged = merge_settings(settings, _table(raw.get("settings", {}), "settings"))
        case.settings = parse_settings(merged, folder, f"case {name!r}: settings")
        if "envelope" in raw:
            case.envelope = tuple(sorted(_envelope(raw["envelope"], "envelope").items()))
        if "expect" in raw:
            case.expect = _expectation(raw["expect"], "expect", case.hierarchy)
        only_compile = case.expect is not None and case.expect.compile_only
        case.deliveries = [] if only_compile else _deliveries(raw, folder, name)
        case.expect_at = _expect_at(raw.get("expect_at", {}), len(case.deliveries), case)
    except TestFileError as error:
        case.problem = str(error)
    return case


def _deliveries(raw: Mapping[str, Any], folder: Path, name: str) -> list[Delivery]:
    if "message" in raw and "messages" in raw:
        raise TestFileError(f"case {name!r}: give `message` or `messages`, not both")
    if "message" in raw:
        items = [raw["message"]]
    elif "messages" in raw:
        if not isinstance(raw["messages"], list) or not raw["messages"]:
            raise TestFileError(f"case {name!r}: messages: a non-empty list of messages")
        items = raw["messages"]
    else:
        raise TestFileError(f'case {name!r}: no message: give `message = "file.eml"`')
    repeat = raw.get("repeat", 1)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise TestFileError(f"case {name!r}: repeat: a whole number from 1, not {repeat!r}")
    once: list[Delivery] = []
    for item in items:
        delivery, times = _delivery(item, folder, f"case {name!r}: message")
        if (len(once) + times) * repeat > MAX_RUNS:
            raise TestFileError(f"case {name!r}: more than {MAX_RUNS} messages in one case")
        # A repeated message waits only before its first copy.
        once += [delivery, *[dataclasses.replace(delivery, wait=0.0)] * (times - 1)]
    return once * repeat


def _delivery(item: Any, folder: Path, where: str) -> tuple[Delivery, int]:
    """One message table, and how many times in a row it is sent."""
    if isinstance(item, str):
        item = {"file": item}
    table = _table(item, where)
    _no_unknown(table, _MESSAGE_KEYS, where)
    if ("file" in table) == ("inline" in table):
        raise TestFileError(f"{where}: give `file` or `inline` (one of them)")
    if "file" in table:
        name = _string(table["file"], f"{where}.file")
        data, label = read_input(folder / name, f"{where}: {name}"), name
    else:
        text = _string(table["inline"], f"{where}.inline")
        data, label = text.encode("utf-8", "surrogateescape"), "inline message"
    wait = _number(table.get("wait", 0), f"{where}.wait", minimum=0)
    if wait > MAX_WAIT_SECONDS:
        raise TestFileError(f"{where}.wait: at most a century, not {wait!r} seconds")
    envelope = _envelope(table.get("envelope", {}), f"{where}.envelope")
    times = table.get("repeat", 1)
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_RUNS:
        raise TestFileError(f"{where}.repeat: a whole number from 1 to {MAX_RUNS}")
    return Delivery(label, data, float(wait), tuple(sorted(envelope.items()))), times


def _expect_at(raw: Any, count: int, case: Case) -> list[tuple[int, int, Expectation]]:
    table = _table(raw, "expect_at")
    found = []
    for key, value in table.items():
        match = re.fullmatch(r"\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?", key)
        if match is None:
            raise TestFileError(f'expect_at: {key!r} is not a message number or range ("1-50")')
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not 1 <= first <= last <= count:
            raise TestFileError(
                f"expect_at.{key}: the case sends {count} message{'s' * (count != 1)}"
            )
        found.append((first, last, _expectation(value, f"expect_at.{key}", case.hierarchy)))
    return found


def _expectation(raw: Any, where: str, hierarchy: bool) -> Expectation:
    table = _table(raw, where)
    _no_unknown(table, _EXPECT_KEYS, where)
    for key in ("actions", "contains", "not_contains"):
        if key in table:
            for index, pattern in enumerate(_list(table[key], f"{where}.{key}")):
                _check_action_pattern(pattern, f"{where}.{key}[{index}]")
    for key in ("errors", "warnings"):
        if key in table:
            _check_record_patterns(table[key], _ERROR_FIELDS, f"{where}.{key}")
    if "compile_errors" in table:
        _check_record_patterns(
            table["compile_errors"], _DIAGNOSTIC_FIELDS, f"{where}.compile_errors"
        )
        others = set(table) - {"compile_errors"}
        if others:
            raise TestFileError(
                f"{where}: compile_errors runs no message, so {', '.join(sorted(others))} "
                "cannot be checked with it"
            )
    for key in ("implicit_keep",):
        if key in table:
            _bool(table[key], f"{where}.{key}")
    if "implicit_keep_flags" in table:
        _strings(table["implicit_keep_flags"], f"{where}.implicit_keep_flags")
    if "status" in table and table["status"] not in _STATUSES:
        raise TestFileError(f"{where}.status: one of {', '.join(_STATUSES)}")
    if "decided_by" in table:
        if not hierarchy:
            raise TestFileError(f"{where}.decided_by: only with a [scripts] hierarchy")
        if table["decided_by"] not in (*LEVELS, "none"):
            raise TestFileError(f"{where}.decided_by: one of {', '.join(LEVELS)}, none")
    return Expectation(where, table)


def _check_action_pattern(pattern: Any, where: str) -> None:
    table = _table(pattern, where)
    kind = table.get("type")
    if not isinstance(kind, str):
        raise TestFileError(f'{where}: an action needs its `type` ("fileinto", "reject", ...)')
    known = ACTION_FIELDS.get(kind)
    if known is None:
        if ACTION_FIELDS:
            raise TestFileError(f"{where}: no action type {kind!r}{_closest(kind, ACTION_FIELDS)}")
        return
    for key in table:
        _check_pattern_key(key, table[key], known, f"{where}: {kind}")


def _check_record_patterns(value: Any, fields: set[str], where: str) -> None:
    for index, item in enumerate(_list(value, where)):
        if isinstance(item, str):
            continue
        table = _table(item, f"{where}[{index}]")
        for key in table:
            _check_pattern_key(key, table[key], fields, f"{where}[{index}]")


def _check_pattern_key(key: str, value: Any, known: Iterable[str], where: str) -> None:
    base = key.removesuffix("_contains") if key.endswith("_contains") else key
    if base not in known:
        raise TestFileError(f"{where} has no field {base!r}{_closest(base, known)}")
    if key != base and not (isinstance(value, str) or _all_strings(value)):
        raise TestFileError(f"{where}: {key} takes a text or a list of texts")


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
            return _check_compile_errors(compile_only[0], compiled, case)
        if isinstance(compiled, _NotCompiled):
            return [compiled.describe()]
        host, clock = self._host(case)
        failures: list[str] = []
        count = len(case.deliveries)
        for number, delivery in enumerate(case.deliveries, 1):
            clock.advance(delivery.wait)
            envelope = _envelope_for(delivery, case)
            environment = dict(case.settings.environment) or None
            if case.hierarchy:
                from sieve.runtime.hierarchy import run_hierarchy

                outcome: Any = run_hierarchy(
                    compiled, delivery.data, envelope, environment=environment, host=host
                )
            else:
                outcome = compiled[0][1].run(
                    delivery.data, envelope, environment=environment, host=host
                )
            actual = _Actual.of(outcome)
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
                return _NotCompiled(_relative(path, self.path), error.diagnostics)
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
        return self._mapping_host(case, fields, clock), clock

    def _mapping_host(self, case: Case, fields: dict[str, Any], clock: _Clock) -> Any:
        from sieve.mapping.callouts import CalloutLinks
        from sieve.mapping.evaluate import Routines
        from sieve.mapping.greylist import Greylist
        from sieve.mapping.host import MappingHost
        from sieve.mapping.throttle import (
            MemcachedSettings,
            Throttle,
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
        if settings.memcached is not None:
            memcached = MemcachedSettings((settings.memcached,))
            throttle = dataclasses.replace(throttle, memcached=memcached)
        if settings.fail_closed:
            throttle = dataclasses.replace(throttle, fail_open=False)
        routines = Routines()
        routines.register(
            "throttle",
            Throttle.from_settings(throttle, state=settings.state, clock=clock.timestamp).routine,
        )
        greylist = Greylist(delay=settings.greylist_delay, clock=clock.timestamp)
        routines.register("grosscheck", greylist.routine)
        return MappingHost(
            mappings=self._load_mappings(settings.mappings),
            routines=routines,
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
    _no_unknown(document, _FILE_KEYS, "the file")
    scripts, hierarchy = _script_keys(document, folder, "the file") or ((), False)
    raw_settings = _table(document.get("settings", {}), "settings")
    parse_settings(raw_settings, folder)  # report a broken [settings] once, for the file
    raw_cases = document.get("case")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise TestFileError("no cases: add a [[case]] table")
    cases = [
        _parse_case(raw, number, folder, raw_settings, scripts, hierarchy)
        for number, raw in enumerate(raw_cases, 1)
    ]
    _name_duplicates(cases)
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


def _script_keys(
    table: Mapping[str, Any], folder: Path, where: str
) -> tuple[tuple[tuple[str, Path], ...], bool] | None:
    if "script" in table and "scripts" in table:
        raise TestFileError(f"{where}: give `script` or `[scripts]`, not both")
    if "script" in table:
        return (("", folder / _string(table["script"], "script")),), False
    if "scripts" in table:
        levels = _table(table["scripts"], "scripts")
        _no_unknown(levels, set(LEVELS), "scripts")
        if not levels:
            raise TestFileError("scripts: name at least one of user, channel, system")
        ordered = tuple(
            (level, folder / _string(levels[level], f"scripts.{level}"))
            for level in LEVELS
            if level in levels
        )
        return ordered, True
    return None


def _name_duplicates(cases: list[Case]) -> None:
    """Two cases of one name would be one line in reports and one pytest id: number them."""
    seen: dict[str, int] = {}
    for case in cases:
        count = seen.get(case.name, 0)
        seen[case.name] = count + 1
        if count:
            case.name = f"{case.name} ({count + 1})"


# ---------------------------------------------------------------------------------------------
# The run's side: what happened, in the expectations' own terms


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


@dataclass(frozen=True)
class _NotCompiled:
    script: str
    diagnostics: list[Any]

    @property
    def errors(self) -> list[Any]:
        return [d for d in self.diagnostics if d.is_error]

    def describe(self) -> str:
        lines = [
            f"  {self.script}:{d.line}:{d.column}: {d.message} [{d.code}]" for d in self.errors
        ]
        return f"{self.script} does not compile\n" + "\n".join(lines[:20])


@dataclass(frozen=True)
class _Actual:
    status: str
    actions: list[dict[str, Any]]
    implicit_keep: bool
    implicit_keep_flags: list[str]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    decided_by: str | None = None

    @classmethod
    def of(cls, outcome: Any) -> _Actual:
        levels = getattr(outcome, "levels", None)
        results = [level.result for level in levels] if levels is not None else [outcome]
        return cls(
            status=outcome.status,
            actions=[action.to_dict() for action in outcome.actions],
            implicit_keep=outcome.implicit_keep,
            implicit_keep_flags=list(getattr(outcome, "implicit_keep_flags", [])),
            errors=[e.to_dict() for r in results for e in r.errors],
            warnings=[w.to_dict() for r in results for w in r.warnings],
            decided_by=(outcome.decided_by or "none") if levels is not None else None,
        )


def _envelope_for(delivery: Delivery, case: Case) -> Any:
    """The message's own envelope over the case's over the settings'; what none gives
    comes from the message's first From and To addresses."""
    from sieve.runtime.host import Envelope

    given = {**dict(case.settings.envelope), **dict(case.envelope), **dict(delivery.envelope)}
    if "from" not in given or "to" not in given:
        sender, recipient = _addresses_of(delivery.data)
        given.setdefault("from", sender)
        given.setdefault("to", recipient)
    return Envelope(given["from"], given["to"], given.get("orig_to"), given.get("auth"))


def _addresses_of(data: bytes) -> tuple[str, str]:
    from sieve.runtime.message import Message

    try:
        parsed = Message.parse(data)
        senders, recipients = parsed.addresses("from"), parsed.addresses("to")
    except Exception:  # a message too broken to have addresses has none
        return "", ""
    sender = senders[0].all if senders and senders[0].domain else ""
    recipient = recipients[0].all if recipients and recipients[0].domain else ""
    return sender, recipient


# ---------------------------------------------------------------------------------------------
# Comparing


def compare(expectation: Expectation, actual: _Actual) -> list[str]:
    """What differs between an expectation and a run, each as a reason line, optionally
    followed by a unified diff in the file's notation."""
    want = expectation.table
    failures: list[str] = []
    expected_lines: list[str] = []
    actual_lines: list[str] = []
    if "status" in want or "errors" not in want:
        status = want.get("status", "success")
        if actual.status != status:
            why = "; ".join(
                f"line {e['line']}: {e['message']} [{e['code']}]" for e in actual.errors
            )
            failures.append(
                f"status is {actual.status}, not {status}" + (f" ({why})" if why else "")
            )
    if "actions" in want:
        expected, got = _render_action_list(want["actions"], actual.actions)
        expected_lines += expected
        actual_lines += got
    for key in ("implicit_keep", "implicit_keep_flags", "decided_by"):
        if key in want:
            expected_lines.append(f"{key} = {toml_value(want[key])}")
            actual_lines.append(f"{key} = {toml_value(getattr(actual, key))}")
    for key in ("errors", "warnings"):
        if key in want:
            expected, got = _render_records(key, want[key], getattr(actual, key))
            expected_lines += expected
            actual_lines += got
    if expected_lines != actual_lines:
        differing = _differing_keys(expected_lines, actual_lines)
        failures.append(
            f"unexpected {', '.join(differing)}\n" + unified_diff(expected_lines, actual_lines)
        )
    for pattern in want.get("contains", []):
        if not any(matches(pattern, action) for action in actual.actions):
            failures.append(f"no action matches {toml_value(pattern)}\n{_listing(actual.actions)}")
    for pattern in want.get("not_contains", []):
        found = [action for action in actual.actions if matches(pattern, action)]
        if found:
            failures.append(
                f"an action matches not_contains {toml_value(pattern)}\n{_listing(actual.actions)}"
            )
    return failures


def _check_compile_errors(expectation: Expectation, compiled: Any, case: Case) -> list[str]:
    want = expectation.table["compile_errors"]
    if not isinstance(compiled, _NotCompiled):
        return [f"{expectation.where}.compile_errors: the script compiled"]
    got = [dataclasses.asdict(d) for d in compiled.errors]
    expected, actual = _render_records("compile_errors", want, got)
    if expected == actual:
        return []
    return ["compile_errors differ\n" + unified_diff(expected, actual)]


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a record (an action's or an error's dict) has every value the pattern gives;
    `KEY_contains` checks that the text (or list) of KEY contains the given part(s)."""
    for key, want in pattern.items():
        if key.endswith("_contains") and key not in record:
            have = record.get(key.removesuffix("_contains"))
            parts = want if isinstance(want, list) else [want]
            if not isinstance(have, str | list) or not all(
                isinstance(part, str) and part in have for part in parts
            ):
                return False
        elif not _same(record.get(key, _MISSING), want):
            return False
    return True


def _same(have: Any, want: Any) -> bool:
    # TOML's true is not Python's 1 here: a boolean matches only a boolean.
    if isinstance(have, bool) or isinstance(want, bool):
        return isinstance(have, bool) and isinstance(want, bool) and have == want
    if isinstance(have, list) and isinstance(want, list):
        return len(have) == len(want) and all(_same(h, w) for h, w in zip(have, want, strict=True))
    return bool(have == want)


def _render_action_list(
    patterns: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Both sides of `actions = [...]`. An action that matches a pattern is written as the
    pattern, so only real differences show in the diff; one that does not is written with
    the keys of the pattern at its place (if of the same type), else with all it has."""
    expected = ["actions = ["] + [f"  {toml_value(p)}," for p in patterns] + ["]"]
    got = ["actions = ["]
    unused = list(range(len(patterns)))
    for index, action in enumerate(actions):
        match = next((i for i in unused if matches(patterns[i], action)), None)
        if match is not None:
            unused.remove(match)
            got.append(f"  {toml_value(patterns[match])},")
            continue
        same_place = patterns[index] if index < len(patterns) else None
        if same_place is not None and same_place.get("type") == action.get("type"):
            got.append(f"  {toml_value(_project(action, same_place))},")
        else:
            got.append(f"  {toml_value(describe_action(action))},")
    got.append("]")
    return expected, got


def _render_records(
    key: str, patterns: list[Any], records: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """Both sides of an errors-like list; a code alone stands for a record of that code."""
    expected = [f"{key} = ["] + [f"  {toml_value(p)}," for p in patterns] + ["]"]
    got = [f"{key} = ["]
    for index, record in enumerate(records):
        pattern = patterns[index] if index < len(patterns) else None
        if isinstance(pattern, str):
            got.append(f"  {toml_value(record.get('code', ''))},")
        elif isinstance(pattern, dict) and matches(pattern, record):
            got.append(f"  {toml_value(pattern)},")
        elif isinstance(pattern, dict):
            got.append(f"  {toml_value(_project(record, pattern))},")
        else:
            got.append(f"  {toml_value(record.get('code', ''))},")
    got.append("]")
    return expected, got


def _project(record: Mapping[str, Any], pattern: Mapping[str, Any]) -> dict[str, Any]:
    """The record's values for the pattern's keys (`KEY_contains` shows KEY whole)."""
    shown: dict[str, Any] = {}
    for key in pattern:
        base = key.removesuffix("_contains") if key not in record else key
        if base in record:
            shown[base] = record[base]
    return shown


def describe_action(action: Mapping[str, Any]) -> dict[str, Any]:
    """An action's dict without the values every action of its type has by default: what a
    person would write to expect it."""
    defaults = _defaults().get(action.get("type", ""), {})
    return {
        key: value
        for key, value in action.items()
        if key == "type" or (value is not None and defaults.get(key, _MISSING) != value)
    }


_DEFAULTS: dict[str, dict[str, Any]] = {}


def _defaults() -> dict[str, dict[str, Any]]:
    if not _DEFAULTS:
        pending = list(act.Action.__subclasses__())
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            try:
                _DEFAULTS[cls.type] = cls().to_dict()
            except TypeError:
                continue
    return _DEFAULTS


def _listing(actions: list[dict[str, Any]]) -> str:
    if not actions:
        return "  the run had no actions"
    return "  the run's actions:\n" + "\n".join(
        f"    {toml_value(describe_action(a))}" for a in actions
    )


def _differing_keys(expected: list[str], actual: list[str]) -> list[str]:
    """The names of the expectations whose lines differ, for the one-line reason."""

    def by_key(lines: list[str]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        current = ""
        for line in lines:
            if not line.startswith(" ") and line != "]":
                current = line.split(" = ", 1)[0]
            grouped.setdefault(current, []).append(line)
        return grouped

    left, right = by_key(expected), by_key(actual)
    return [key for key in left if left[key] != right.get(key)] or ["results"]


def unified_diff(expected: list[str], actual: list[str]) -> str:
    lines = difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=3)
    return "\n".join(lines)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(value: Any) -> str:
    """A value in TOML inline notation, so a report's lines can be pasted into a test."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # JSON escapes are TOML escapes; DEL is the one control character JSON leaves raw.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = (
            f"{key if _BARE_KEY.fullmatch(key) else toml_value(key)} = {toml_value(item)}"
            for key, item in value.items()
            if item is not None
        )
        return "{" + ", ".join(items) + "}"
    if value is None:
        return '""'
    return toml_value(str(value))


# ---------------------------------------------------------------------------------------------
# Small checks of the file's values


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a text"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TestFileError(f"{where}: a table, not {_kind(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TestFileError(f"{where}: a list, not {_kind(value)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TestFileError(f"{where}: a text, not {_kind(value)}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = _list(value, where)
    if not _all_strings(items):
        raise TestFileError(f"{where}: a list of texts")
    return items


def _all_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _string_table(value: Any, where: str) -> dict[str, str]:
    table = _table(value, where)
    for key, item in table.items():
        _string(item, f"{where}.{key}")
    return table


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TestFileError(f"{where}: true or false, not {_kind(value)}")
    return value


def _number(value: Any, where: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TestFileError(f"{where}: a number, not {_kind(value)}")
    if not math.isfinite(value):
        raise TestFileError(f"{where}: a finite number, not {value!r}")
    if minimum is not None and value < minimum:
        raise TestFileError(f"{where}: at least {minimum}, not {value!r}")
    return value


def _no_unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise TestFileError(f"{where}: unknown key {key!r}{_closest(key, known)}")


def _closest(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def read_input(path: Path, what: str) -> bytes:
    """A message or script file; only a regular file, so that a path naming a device or a
    pipe cannot hang the run."""
    try:
        if not path.is_file():
            raise TestFileError(f"{what}: no such file")
        return path.read_bytes()
    except OSError as error:
        raise TestFileError(f"{what}: cannot read it: {error.strerror or error}") from None
    except ValueError:  # a NUL in the name
        raise TestFileError(f"{what}: not a usable file name") from None


def _relative(path: Path, test_file: Path) -> str:
    try:
        return str(path.relative_to(test_file.parent))
    except ValueError:
        return str(path)
