"""The `sieve serve` configuration: one TOML file, read with the standard library's tomllib.

A minimal configuration (every other key has the default shown in `Config`)::

    [listen]
    host = "127.0.0.1"        # loopback by default
    port = 10025
    protocol = "smtp"         # or "lmtp": one reply per recipient

    [next_hop]                # where filtered mail, redirects and notices go (SMTP)
    host = "127.0.0.1"
    port = 10026
    # starttls = true         # RFC 3207; tls_verify (default true), ca_file to trust
    # username = "filter"     # AUTH after STARTTLS, with the password in a file:
    # password_file = "next-hop.secret"
    # pool_size = 4           # connections kept open between messages (0: one per message)
    # idle_seconds = 30       # an idle connection older than this is not reused

    [scripts]
    system = "/etc/sieve/system.sieve"    # the MTA-wide script (optional)
    channel = "/etc/sieve/channel.sieve"  # the channel's script (optional)
    users = "/etc/sieve/users"            # per-recipient scripts: <rcpt>.sieve or <local>.sieve

Run it with ``sieve serve --config FILE``. Relative paths are read from the configuration
file's folder. Optional sections: ``[limits]`` (``max_message_bytes``, ``message_seconds``,
``max_sessions``), ``[metrics]`` (``host``, ``port``: Prometheus text on HTTP, off when 0),
``[mapping]`` (``mappings``, ``throttle`` (default: a throttle.toml beside the mappings),
``memcached`` = "host:port": the Oracle mapping host whose throttle counts are shared by
every instance using the same memcached; a mapping file with errors stops the start) and
``[notices]`` (``from``: the sender of reject notices, ``hostname``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sieve.serve.relay import NextHopSettings


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
    next_starttls: bool = False
    next_tls_verify: bool = True
    next_ca_file: Path | None = None
    next_username: str | None = None
    next_password_file: Path | None = None
    next_pool_size: int = 4
    next_idle_seconds: float = 30.0
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
    ("next_hop", "starttls"): ("next_starttls", bool),
    ("next_hop", "tls_verify"): ("next_tls_verify", bool),
    ("next_hop", "ca_file"): ("next_ca_file", Path),
    ("next_hop", "username"): ("next_username", str),
    ("next_hop", "password_file"): ("next_password_file", Path),
    ("next_hop", "pool_size"): ("next_pool_size", int),
    ("next_hop", "idle_seconds"): ("next_idle_seconds", float),
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
    if (config.next_username is None) != (config.next_password_file is None):
        raise ConfigError("next_hop.username and next_hop.password_file go together")
    if config.next_username is not None and not config.next_starttls:
        raise ConfigError("next_hop.username needs next_hop.starttls: no password in clear")
    return config


def next_hop_settings(config: Config) -> NextHopSettings:
    """The relay's settings; reads the password file now, so a missing one stops the start."""
    password = None
    if config.next_password_file is not None:
        try:
            password = config.next_password_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"cannot read next_hop.password_file {config.next_password_file}: "
                f"{error.strerror or error}"
            ) from None
    return NextHopSettings(
        host=config.next_host,
        port=config.next_port,
        timeout=config.next_timeout,
        helo=config.hostname,
        starttls=config.next_starttls,
        tls_verify=config.next_tls_verify,
        ca_file=config.next_ca_file,
        username=config.next_username,
        password=password,
        pool_size=config.next_pool_size,
        idle_seconds=config.next_idle_seconds,
    )


def _convert(key: str, value: Any, kind: type, base: Path) -> Any:
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path (a string)")
        return base / value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, not {value!r}")
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigError(f"{key} must be a {kind.__name__}, not {value!r}")
    if kind in (int, float) and value < 0:
        raise ConfigError(f"{key} must not be negative")
    return value
