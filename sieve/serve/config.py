"""The `sieve serve` configuration: one TOML file, read with the standard library's tomllib.

A minimal configuration (every other key has the default shown in `Config`)::

    [listen]
    host = "127.0.0.1"        # loopback by default
    port = 10025
    protocol = "smtp"         # or "lmtp": one reply per recipient

    [next_hop]                # where filtered mail, redirects and notices go (SMTP)
    host = "127.0.0.1"
    port = 10026

    [scripts]
    system = "/etc/sieve/system.sieve"    # the MTA-wide script (optional)
    channel = "/etc/sieve/channel.sieve"  # the channel's script (optional)
    users = "/etc/sieve/users"            # per-recipient scripts: <rcpt>.sieve or <local>.sieve

Run it with ``sieve serve --config FILE``. Relative paths are read from the configuration
file's folder. Optional sections: ``[limits]`` (``max_message_bytes``, ``message_seconds``,
``max_sessions``), ``[metrics]`` (``host``, ``port``: Prometheus text on HTTP, off when 0),
``[mapping]`` (``mappings``, ``throttle``, ``memcached`` = "host:port": the Oracle mapping
host whose throttle counts are shared by every instance using the same memcached) and
``[notices]`` (``from``: the sender of reject notices, ``hostname``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The configuration file is missing, not TOML, or has a value of the wrong kind."""


@dataclass(frozen=True, slots=True)
class Config:
    listen_host: str = "127.0.0.1"
    listen_port: int = 10025
    protocol: str = "smtp"
    next_host: str = "127.0.0.1"
    next_port: int = 10026
    next_timeout: float = 30.0
    system: Path | None = None
    channel: Path | None = None
    users: Path | None = None
    dialect: str = "standard"
    poll_seconds: float = 1.0
    max_message_bytes: int = 10 * 1024 * 1024
    message_seconds: float = 60.0
    max_sessions: int = 100
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0
    mappings: Path | None = None
    throttle: Path | None = None
    memcached: str | None = None
    notice_from: str = "MAILER-DAEMON@localhost"
    hostname: str = "localhost"
    environment: dict[str, str] = field(default_factory=dict)


# (section, key) -> (Config field, type)
_KEYS: dict[tuple[str, str], tuple[str, type]] = {
    ("listen", "host"): ("listen_host", str),
    ("listen", "port"): ("listen_port", int),
    ("listen", "protocol"): ("protocol", str),
    ("next_hop", "host"): ("next_host", str),
    ("next_hop", "port"): ("next_port", int),
    ("next_hop", "timeout"): ("next_timeout", float),
    ("scripts", "system"): ("system", Path),
    ("scripts", "channel"): ("channel", Path),
    ("scripts", "users"): ("users", Path),
    ("scripts", "dialect"): ("dialect", str),
    ("scripts", "poll_seconds"): ("poll_seconds", float),
    ("limits", "max_message_bytes"): ("max_message_bytes", int),
    ("limits", "message_seconds"): ("message_seconds", float),
    ("limits", "max_sessions"): ("max_sessions", int),
    ("metrics", "host"): ("metrics_host", str),
    ("metrics", "port"): ("metrics_port", int),
    ("mapping", "mappings"): ("mappings", Path),
    ("mapping", "throttle"): ("throttle", Path),
    ("mapping", "memcached"): ("memcached", str),
    ("notices", "from"): ("notice_from", str),
    ("notices", "hostname"): ("hostname", str),
}


def load_config(path: str | Path) -> Config:
    """Reads and validates the file; unknown keys are errors, so a typo is not ignored."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return config_from(document, path.resolve().parent)


def config_from(document: dict[str, Any], base: Path) -> Config:
    values: dict[str, Any] = {}
    for section, table in document.items():
        if section == "environment" and isinstance(table, dict):
            values["environment"] = {str(k): str(v) for k, v in table.items()}
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"[{section}] must be a table")
        for key, value in table.items():
            if (section, key) not in _KEYS:
                raise ConfigError(f"unknown setting {section}.{key}")
            name, kind = _KEYS[(section, key)]
            values[name] = _convert(f"{section}.{key}", value, kind, base)
    config = Config(**values)
    if config.protocol not in ("smtp", "lmtp"):
        raise ConfigError(f"listen.protocol must be smtp or lmtp, not {config.protocol!r}")
    return config


def _convert(key: str, value: Any, kind: type, base: Path) -> Any:
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path (a string)")
        return base / value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"{key} must be a {kind.__name__}, not {value!r}")
    if kind in (int, float) and value < 0:
        raise ConfigError(f"{key} must not be negative")
    return value
