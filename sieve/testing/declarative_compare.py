"""Comparing what a run did with what a declarative test file expects, and rendering the
difference readably: a reason line and a unified diff written in the test file's own
notation (`toml_value`), ready to paste back once the new behaviour is right.

Separate from reading the file and from running its cases: it sees only an expectation
and the run's outcome in the expectations' own terms (`Actual`, `NotCompiled`)."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sieve.testing.declarative_cases import ACTION_DEFAULTS, Expectation

_MISSING = object()


# ---------------------------------------------------------------------------------------------
# The run's side: what happened, in the expectations' own terms


@dataclass(frozen=True)
class NotCompiled:
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
class Actual:
    status: str
    actions: list[dict[str, Any]]
    implicit_keep: bool
    implicit_keep_flags: list[str]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    decided_by: str | None = None

    @classmethod
    def of(cls, outcome: Any) -> Actual:
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


# ---------------------------------------------------------------------------------------------
# Comparing


def compare(expectation: Expectation, actual: Actual) -> list[str]:
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


def check_compile_errors(expectation: Expectation, compiled: Any) -> list[str]:
    want = expectation.table["compile_errors"]
    if not isinstance(compiled, NotCompiled):
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
    defaults = ACTION_DEFAULTS.get(action.get("type", ""), {})
    return {
        key: value
        for key, value in action.items()
        if key == "type" or (value is not None and defaults.get(key, _MISSING) != value)
    }


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
