"""Small typed readers of a declarative test file's values (`read_table`, `read_string`,
`read_number`, ...), the "did you mean" hint for a misspelt key, and `TestFileError`, which
they all raise.

Both the settings and the cases of a test file (and the runner, which reads the scripts)
check their values with these, so they live apart from either: each reader says where in
the file a value is wrong and what it should have been."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


class TestFileError(Exception):
    """A test file that cannot be used as written; the message says where and why."""

    __test__ = False  # not a pytest test class, despite the name


def kind_of(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a text"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def read_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TestFileError(f"{where}: a table, not {kind_of(value)}")
    return value


def read_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TestFileError(f"{where}: a list, not {kind_of(value)}")
    return value


def read_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise TestFileError(f"{where}: a text, not {kind_of(value)}")
    return value


def read_strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = read_list(value, where)
    if not all_strings(items):
        raise TestFileError(f"{where}: a list of texts")
    return items


def all_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def read_string_table(value: Any, where: str) -> dict[str, str]:
    table = read_table(value, where)
    for key, item in table.items():
        read_string(item, f"{where}.{key}")
    return table


def read_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise TestFileError(f"{where}: true or false, not {kind_of(value)}")
    return value


def read_number(value: Any, where: str, minimum: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TestFileError(f"{where}: a number, not {kind_of(value)}")
    if not math.isfinite(value):
        raise TestFileError(f"{where}: a finite number, not {value!r}")
    if minimum is not None and value < minimum:
        raise TestFileError(f"{where}: at least {minimum}, not {value!r}")
    return value


def refuse_unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise TestFileError(f"{where}: unknown key {key!r}{closest(key, known)}")


def closest(word: str, known: Iterable[str]) -> str:
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
