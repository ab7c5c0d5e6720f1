"""The settings of a testsuite file (`test_config_set`), read into what the scripts under
test are compiled and run with. Pigeonhole names its settings after dovecot.conf; ours
follow that style, and a setting no one reads is kept and ignored, as there:

- `sieve_extensions`: the enabled extensions, as names, or as `+name`/`-name` changes to
  all of them (or to the plain names given alongside);
- `sieve_dialect`: `standard` (the default) or `oracle`;
- `sieve_max_actions`, `sieve_max_redirects`: run-time limits (sieve.Limits);
- `sieve_clock`: an ISO 8601 time, the clock of the scripts (a UTC time when no zone);
- `sieve_environment_<item>`: an RFC 5183 environment item (`..._location` "MDA");
- `sieve_extlist_<list URI>`: the members of an RFC 6134 external list, spaced;
- `sieve_mappings`, `sieve_throttle`: Oracle mapping tables and throttle settings, paths
  relative to the test file; `sieve_callout_<name>`: the mapping table a callout reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sieve.extensions.registry import Registry
from sieve.runtime.host import MemoryHost, parse_moment
from sieve.runtime.limits import Limits

DIALECTS = ("standard", "oracle")
ENVIRONMENT = "sieve_environment_"
EXTLIST = "sieve_extlist_"
CALLOUT = "sieve_callout_"


@dataclass(frozen=True, slots=True)
class Config:
    """What scripts under test are compiled and run with."""

    extensions: frozenset[str] | None
    dialect: str
    limits: Limits
    host: MemoryHost


def configure(
    settings: Mapping[str, str], resolve: Callable[[str], Path], mailboxes: AbstractSet[str]
) -> Config:
    """Reads the settings; raises ValueError naming the first bad one. `resolve` turns a
    path of a setting into a file next to the test file; `mailboxes` is the mail store's
    live set of names, which the Host shares (it only asks what is in it)."""
    dialect = settings.get("sieve_dialect", "standard").lower()
    if dialect not in DIALECTS:
        raise ValueError(f"sieve_dialect is 'standard' or 'oracle', not {dialect!r}")
    defaults = Limits()
    limits = replace(
        defaults,
        max_actions=_number(settings, "sieve_max_actions", defaults.max_actions),
        max_redirects=_number(settings, "sieve_max_redirects", defaults.max_redirects),
    )
    extensions = _extensions(settings.get("sieve_extensions"), dialect)
    return Config(extensions, dialect, limits, _host(settings, resolve, mailboxes))


def _host(
    settings: Mapping[str, str], resolve: Callable[[str], Path], mailboxes: AbstractSet[str]
) -> MemoryHost:
    host = {
        "clock": _clock(settings.get("sieve_clock")),
        "mailboxes": mailboxes,
        "items": _prefixed(settings, ENVIRONMENT),
        "lists": {name: set(value.split()) for name, value in _prefixed(settings, EXTLIST).items()},
    }
    links = _prefixed(settings, CALLOUT)
    mappings, throttle = settings.get("sieve_mappings"), settings.get("sieve_throttle")
    if mappings is None and throttle is None and not links:
        return MemoryHost(**host)  # type: ignore[arg-type]
    from sieve.mapping.callouts import CalloutLinks
    from sieve.mapping.host import oracle_host

    try:
        return oracle_host(
            None if mappings is None else resolve(mappings),
            throttle=None if throttle is None else resolve(throttle),
            links=CalloutLinks(links),
            **host,
        )
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot load the Oracle settings: {error}") from None


def _prefixed(settings: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {
        name.removeprefix(prefix): value
        for name, value in settings.items()
        if name.startswith(prefix) and len(name) > len(prefix)
    }


def _number(settings: Mapping[str, str], name: str, default: int) -> int:
    text = settings.get(name)
    if text is None:
        return default
    if not text.strip().isdigit():
        raise ValueError(f"{name} must be a number, not {text!r}")
    return int(text)


def _extensions(value: str | None, dialect: str) -> frozenset[str] | None:
    if value is None:
        return None
    words = value.split()
    plain = {word for word in words if word[:1] not in "+-"}
    enabled = set(plain) if plain else set(Registry.shared(None, dialect).known)
    for word in words:
        if word.startswith("+"):
            enabled.add(word[1:])
        elif word.startswith("-"):
            enabled.discard(word[1:])
    return frozenset(enabled)


def _clock(value: str | None) -> Callable[[], datetime] | None:
    if value is None:
        return None
    try:
        moment = parse_moment(value)
    except ValueError:
        raise ValueError(f"sieve_clock must be an ISO 8601 time, not {value!r}") from None
    return lambda: moment
