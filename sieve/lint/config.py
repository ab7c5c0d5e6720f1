"""Lint settings: limits and rule selection, from `setup.cfg` (`[sieve:lint]`),
`pyproject.toml` (`[tool.sieve.lint]`) and the command line, in rising precedence.

The limit defaults are the run-time ones in `sieve/runtime/limits.py`, so the linter warns
about exactly what the VM would cut short.
"""

from __future__ import annotations

import configparser
import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sieve.lint.finding import SEVERITY_RANK, WARNING
from sieve.runtime.limits import Limits
from sieve.syntax.dialects import DIALECTS

_LIMITS = Limits()
# `dialect = "auto"`: each script in the first dialect whose grammar it compiles in.
AUTO = "auto"
AUTO_ORDER = ("standard", "oracle")


class ConfigError(ValueError):
    """A setting that cannot be read; the CLI reports it and exits with status 2."""


@dataclass(frozen=True)
class LintConfig:
    """Everything a lint run can be told. `select` empty means every rule; entries of
    `select` and `ignore` are codes or shell patterns (`redirect-*`, `ALL`)."""

    # Oracle Messaging Server's MAX_NOTIFYS and friends.
    max_notifys: int = _LIMITS.max_notifications
    max_redirects: int = _LIMITS.max_redirects
    max_actions: int = _LIMITS.max_actions
    max_vacations: int = _LIMITS.max_vacations
    max_mime_parts: int = _LIMITS.max_mime_parts
    # A literal key list longer than this belongs in an external list (extlists).
    long_key_list: int = 20
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extensions: tuple[str, ...] | None = None
    dialect: str = AUTO
    fail_on: str = WARNING
    # Settings of single rules, by name (`blocked-senders-threshold = 30`).
    options: Mapping[str, Any] = field(default_factory=dict)

    def enabled(self, code: str) -> bool:
        """Whether the rule `code` runs under `select` and `ignore`."""
        if self.select and not _matches_any(code, self.select):
            return False
        return not _matches_any(code, self.ignore)

    def option(self, name: str, default: Any) -> Any:
        return self.options.get(name.replace("-", "_"), default)

    def merged(self, settings: Mapping[str, Any]) -> LintConfig:
        """A copy with `settings` (already named like the fields, `None` = not given)
        applied on top; unknown names go to `options`."""
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        options = dict(self.options)
        for raw_name, value in settings.items():
            if value is None:
                continue
            name = raw_name.replace("-", "_")
            if name in known and name != "options":
                changes[name] = _coerce(name, value)
            else:
                options[name] = value
        return replace(self, **changes, options=options)


def _matches_any(code: str, patterns: Iterable[str]) -> bool:
    return any(p.upper() == "ALL" or fnmatch.fnmatchcase(code, p) for p in patterns)


_INTEGERS = {
    "max_notifys",
    "max_redirects",
    "max_actions",
    "max_vacations",
    "max_mime_parts",
    "long_key_list",
}


def _coerce(name: str, value: Any) -> Any:
    if name in _INTEGERS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name.replace('_', '-')} must be a number, not {value!r}") from None
        if number < 0:
            raise ConfigError(f"{name.replace('_', '-')} must not be negative")
        return number
    if name in ("select", "ignore", "extensions"):
        return tuple(_as_list(value))
    if name == "dialect":
        if value != AUTO and value not in DIALECTS:
            choices = ", ".join([AUTO, *DIALECTS])
            raise ConfigError(f"unknown dialect {value!r}; choose from {choices}")
        return value
    if name == "fail_on":
        if value not in SEVERITY_RANK:
            raise ConfigError(f"fail-on must be one of {', '.join(SEVERITY_RANK)}")
        return value
    return value


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    raise ConfigError(f"expected a list of names, not {value!r}")


def read_pyproject(path: Path) -> dict[str, Any] | None:
    """The `[tool.sieve.lint]` table of a pyproject.toml, or None if it has none."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    table = data.get("tool", {}).get("sieve", {}).get("lint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.sieve.lint] must be a table")
    return table


def read_setup_cfg(path: Path) -> dict[str, Any] | None:
    """The `[sieve:lint]` section of a setup.cfg, or None if it has none."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    except configparser.Error as error:
        raise ConfigError(f"{path}: {error}") from None
    if not parser.has_section("sieve:lint"):
        return None
    return dict(parser.items("sieve:lint"))


def find_settings(start: Path) -> tuple[Path | None, dict[str, Any]]:
    """The nearest settings at or above `start`: pyproject.toml before setup.cfg in the same
    directory, as the first file that has a lint section wins."""
    directory = start if start.is_dir() else start.parent
    for folder in (directory.resolve(), *directory.resolve().parents):
        for name, reader in (("pyproject.toml", read_pyproject), ("setup.cfg", read_setup_cfg)):
            candidate = folder / name
            if candidate.is_file():
                settings = reader(candidate)
                if settings is not None:
                    return candidate, settings
    return None, {}


def load_config(
    start: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    config_file: Path | None = None,
) -> LintConfig:
    """The settings for linting files under `start` (default: the current directory):
    defaults, then the nearest settings file (or `config_file`), then `overrides`."""
    config = LintConfig()
    if config_file is not None:
        reader = read_pyproject if config_file.suffix == ".toml" else read_setup_cfg
        settings = reader(config_file) or {}
    else:
        _, settings = find_settings(start or Path.cwd())
    config = config.merged(settings)
    if overrides:
        config = config.merged(overrides)
    return config
