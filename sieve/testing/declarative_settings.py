"""The settings of a declarative test file (`[settings]`, `[case.settings]`): the keys it
may have, how a case's settings merge over the file's, and how they are checked into a
`Settings` with paths resolved.

Separate from the cases because settings are one self-contained table with many keys of
their own, read both for the file as a whole and for every case."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sieve.runtime.host import parse_moment
from sieve.runtime.limits import Limits
from sieve.testing.declarative_values import (
    TestFileError,
    closest,
    kind_of,
    read_bool,
    read_number,
    read_string,
    read_string_table,
    read_strings,
    read_table,
    refuse_unknown,
)

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
    table = read_table(raw, where)
    refuse_unknown(table, _SETTINGS_KEYS, where)
    values: dict[str, Any] = {}
    for key, value in table.items():
        here = f"{where}.{key}"
        if key == "dialect":
            from sieve.syntax.dialects import DIALECTS

            if value not in DIALECTS:
                raise TestFileError(f"{here}: one of {', '.join(sorted(DIALECTS))}, not {value!r}")
            values[key] = value
        elif key == "extensions":
            values[key] = tuple(read_strings(value, here))
        elif key == "limits":
            values[key] = _limits(value, here)
        elif key == "clock":
            values[key] = parse_clock(value, here)
        elif key in ("environment", "callouts"):
            values[key] = tuple(sorted(read_string_table(value, here).items()))
        elif key == "envelope":
            values[key] = tuple(sorted(parse_envelope(value, here).items()))
        elif key == "lists":
            lists = read_table(value, here)
            values[key] = tuple(
                sorted(
                    (name, frozenset(read_strings(v, f"{here}.{name}")))
                    for name, v in lists.items()
                )
            )
        elif key == "mailboxes":
            values[key] = frozenset({"INBOX", *read_strings(value, here)})
        elif key in ("scripts", "mappings", "state"):
            values[key] = folder / read_string(value, here)
        elif key == "throttle":
            if isinstance(value, dict):
                values[key] = json.dumps(value, sort_keys=True, default=str)
            else:
                values[key] = folder / read_string(value, here)
        elif key == "memcached":
            values[key] = read_string(value, here)
        elif key == "fail_closed":
            values[key] = read_bool(value, here)
        elif key in ("spam_score", "greylist_delay"):
            values[key] = read_number(value, here, minimum=None if key == "spam_score" else 0)
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
        raise TestFileError(f"{where}: a date and time, not {kind_of(value)}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _limits(value: Any, where: str) -> Limits:
    table = read_table(value, where)
    numbers: dict[str, Any] = {}
    for name, number in table.items():
        if name not in _LIMIT_FIELDS:
            raise TestFileError(f"{where}: no limit {name!r}{closest(name, _LIMIT_FIELDS)}")
        numbers[name] = read_number(number, f"{where}.{name}", minimum=0)
        if "int" in str(_LIMIT_FIELDS[name]):
            if numbers[name] != int(numbers[name]):
                raise TestFileError(f"{where}.{name}: a whole number, not {number!r}")
            numbers[name] = int(numbers[name])
    return Limits(**numbers)


def parse_envelope(value: Any, where: str) -> dict[str, str]:
    table = read_string_table(value, where)
    refuse_unknown(table, _ENVELOPE_KEYS, where)
    return table
