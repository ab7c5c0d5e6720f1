"""The cases of a declarative test file (`[[case]]`): their scripts, messages (deliveries)
and expectations, read and checked into `Case`s ready to run.

Separate from running them (sieve.testing.declarative) and from comparing outcomes
(sieve.testing.declarative_compare): a broken case is found here, before anything runs,
and becomes a case that fails with the reason instead of a file that cannot be loaded."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sieve.runtime import actions as act
from sieve.testing.declarative_settings import (
    Settings,
    merge_settings,
    parse_envelope,
    parse_settings,
)
from sieve.testing.declarative_values import (
    TestFileError,
    all_strings,
    closest,
    kind_of,
    read_bool,
    read_input,
    read_list,
    read_number,
    read_string,
    read_strings,
    read_table,
    refuse_unknown,
)

LEVELS = ("user", "channel", "system")
# A test file is input too: bound the work one case can ask for.
MAX_RUNS = 10_000
MAX_WAIT_SECONDS = 100 * 365 * 86400.0


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


def _action_defaults() -> dict[str, dict[str, Any]]:
    """Every action type's to_dict() with default values: its fields catch misspelt keys
    in expectations, its values are left out of readable diffs."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(act.Action.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        try:
            found[cls.type] = cls().to_dict()
        except TypeError:  # an action that needs arguments: compare its keys unchecked
            continue
    return found


ACTION_DEFAULTS = _action_defaults()
ACTION_FIELDS = {kind: frozenset(fields) for kind, fields in ACTION_DEFAULTS.items()}


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


def parse_case(
    raw: Any,
    number: int,
    folder: Path,
    settings: Mapping[str, Any],
    scripts: tuple[tuple[str, Path], ...],
    hierarchy: bool,
) -> Case:
    if not isinstance(raw, dict):
        return Case(f"case {number}", problem=f"case {number}: a table, not {kind_of(raw)}")
    name = raw.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else f"case {number}"
    case = Case(name)
    try:
        refuse_unknown(raw, _CASE_KEYS, f"case {name!r}")
        own = script_keys(raw, folder, f"case {name!r}")
        case.scripts, case.hierarchy = own or (scripts, hierarchy)
        if not case.scripts:
            raise TestFileError(f"case {name!r}: no script: give `script = ...` at the top")
        merged = merge_settings(settings, read_table(raw.get("settings", {}), "settings"))
        case.settings = parse_settings(merged, folder, f"case {name!r}: settings")
        if "envelope" in raw:
            case.envelope = tuple(sorted(parse_envelope(raw["envelope"], "envelope").items()))
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
    table = read_table(item, where)
    refuse_unknown(table, _MESSAGE_KEYS, where)
    if ("file" in table) == ("inline" in table):
        raise TestFileError(f"{where}: give `file` or `inline` (one of them)")
    if "file" in table:
        name = read_string(table["file"], f"{where}.file")
        data, label = read_input(folder / name, f"{where}: {name}"), name
    else:
        text = read_string(table["inline"], f"{where}.inline")
        data, label = text.encode("utf-8", "surrogateescape"), "inline message"
    wait = read_number(table.get("wait", 0), f"{where}.wait", minimum=0)
    if wait > MAX_WAIT_SECONDS:
        raise TestFileError(f"{where}.wait: at most a century, not {wait!r} seconds")
    envelope = parse_envelope(table.get("envelope", {}), f"{where}.envelope")
    times = table.get("repeat", 1)
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_RUNS:
        raise TestFileError(f"{where}.repeat: a whole number from 1 to {MAX_RUNS}")
    return Delivery(label, data, float(wait), tuple(sorted(envelope.items()))), times


def _expect_at(raw: Any, count: int, case: Case) -> list[tuple[int, int, Expectation]]:
    table = read_table(raw, "expect_at")
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
    table = read_table(raw, where)
    refuse_unknown(table, _EXPECT_KEYS, where)
    for key in ("actions", "contains", "not_contains"):
        if key in table:
            for index, pattern in enumerate(read_list(table[key], f"{where}.{key}")):
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
            read_bool(table[key], f"{where}.{key}")
    if "implicit_keep_flags" in table:
        read_strings(table["implicit_keep_flags"], f"{where}.implicit_keep_flags")
    if "status" in table and table["status"] not in _STATUSES:
        raise TestFileError(f"{where}.status: one of {', '.join(_STATUSES)}")
    if "decided_by" in table:
        if not hierarchy:
            raise TestFileError(f"{where}.decided_by: only with a [scripts] hierarchy")
        if table["decided_by"] not in (*LEVELS, "none"):
            raise TestFileError(f"{where}.decided_by: one of {', '.join(LEVELS)}, none")
    return Expectation(where, table)


def _check_action_pattern(pattern: Any, where: str) -> None:
    table = read_table(pattern, where)
    kind = table.get("type")
    if not isinstance(kind, str):
        raise TestFileError(f'{where}: an action needs its `type` ("fileinto", "reject", ...)')
    known = ACTION_FIELDS.get(kind)
    if known is None:
        if ACTION_FIELDS:
            raise TestFileError(f"{where}: no action type {kind!r}{closest(kind, ACTION_FIELDS)}")
        return
    for key in table:
        _check_pattern_key(key, table[key], known, f"{where}: {kind}")


def _check_record_patterns(value: Any, fields: set[str], where: str) -> None:
    for index, item in enumerate(read_list(value, where)):
        if isinstance(item, str):
            continue
        table = read_table(item, f"{where}[{index}]")
        for key in table:
            _check_pattern_key(key, table[key], fields, f"{where}[{index}]")


def _check_pattern_key(key: str, value: Any, known: Iterable[str], where: str) -> None:
    base = key.removesuffix("_contains") if key.endswith("_contains") else key
    if base not in known:
        raise TestFileError(f"{where} has no field {base!r}{closest(base, known)}")
    if key != base and not (isinstance(value, str) or all_strings(value)):
        raise TestFileError(f"{where}: {key} takes a text or a list of texts")


def script_keys(
    table: Mapping[str, Any], folder: Path, where: str
) -> tuple[tuple[tuple[str, Path], ...], bool] | None:
    if "script" in table and "scripts" in table:
        raise TestFileError(f"{where}: give `script` or `[scripts]`, not both")
    if "script" in table:
        return (("", folder / read_string(table["script"], "script")),), False
    if "scripts" in table:
        levels = read_table(table["scripts"], "scripts")
        refuse_unknown(levels, set(LEVELS), "scripts")
        if not levels:
            raise TestFileError("scripts: name at least one of user, channel, system")
        ordered = tuple(
            (level, folder / read_string(levels[level], f"scripts.{level}"))
            for level in LEVELS
            if level in levels
        )
        return ordered, True
    return None
