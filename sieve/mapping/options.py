"""The command-line options that bring Oracle mapping tables into `sieve check` and
`sieve run`, and what they build: the callout check and the mapping Host."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sieve.diagnostics import Diagnostic
from sieve.syntax.ast import Script


def add_mapping_options(parser: argparse.ArgumentParser, *, run: bool) -> None:
    parser.add_argument(
        "--mappings",
        metavar="FILE",
        default=None,
        help="an MTA mapping file: callouts look up its FILTER_<NAME> tables",
    )
    parser.add_argument(
        "--callout",
        action="append",
        default=[],
        metavar="NAME=TABLE",
        help="link a callout to a table of another name (greylst=FILTER_GREYLIST); repeatable",
    )
    if not run:
        return
    parser.add_argument(
        "--throttle",
        metavar="FILE",
        default=None,
        help="throttle tables (TOML) for `throttle` (default: throttle.toml beside --mappings)",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        default=None,
        help="keep throttle counts in this SQLite file, shared by separate runs",
    )
    parser.add_argument(
        "--memcached",
        metavar="HOST:PORT",
        default=None,
        help="keep throttle counts in memcached, shared by several hosts",
    )
    parser.add_argument(
        "--fail-closed",
        action="store_true",
        help="when the throttle store is down, count senders as over quota (default: mail passes)",
    )
    parser.add_argument(
        "--greylist-delay",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long a new triplet must wait in the grosscheck greylist (default 10)",
    )


def callout_check(
    args: argparse.Namespace,
) -> Callable[[Script, frozenset[str]], list[Diagnostic]] | None:
    """The check of callouts against --mappings, or None without a mapping file. Raises
    ValueError for a bad --callout and MappingError for an unreadable mapping file."""
    if not getattr(args, "mappings", None):
        return None
    from sieve.mapping.callouts import CalloutLinks, check_callouts

    links = CalloutLinks.parse(args.callout)
    mappings = load_reported(args.mappings)
    return lambda script, tests: check_callouts(script, mappings, links, tests)


@cache
def load_reported(path: str) -> Any:
    """Loads a mapping file, printing each of its diagnostics on stderr as
    `FILE:LINE: severity: message` with its hint; raises MappingError when one is an
    error, so a malformed file is refused rather than half used."""
    import sys

    from sieve.mapping.tables import MappingError, load_mappings

    mappings = load_mappings(path, strict=False)
    for diagnostic in mappings.diagnostics:
        print(
            f"{diagnostic.file}:{diagnostic.line}: {diagnostic.severity}: {diagnostic.message}",
            file=sys.stderr,
        )
        if diagnostic.hint:
            print(f"    hint: {diagnostic.hint}", file=sys.stderr)
    errors = mappings.errors
    if errors:
        first = errors[0]
        raise MappingError(first.file, first.line, f"{len(errors)} error(s) in the mapping file")
    return mappings


def mapping_settings(args: Any) -> dict[str, Any] | None:
    """The values of the options `add_mapping_options` adds, by attribute name (plain,
    picklable: dry-run workers rebuild their Host from them); None without --mappings."""
    if not getattr(args, "mappings", None):
        return None
    return {name: getattr(args, name) for name in _option_names()}


@cache
def _option_names() -> tuple[str, ...]:
    parser = argparse.ArgumentParser(add_help=False)
    add_mapping_options(parser, run=True)
    return tuple(action.dest for action in parser._actions)


def mapping_host(args: Any, **host: Any) -> Any:
    """The Host for `sieve run` with --mappings (a MappingHost), else None."""
    if not getattr(args, "mappings", None):
        return None
    return build_mapping_host(
        args.mappings,
        callout=args.callout,
        throttle=args.throttle,
        state=args.state,
        memcached=args.memcached,
        fail_closed=args.fail_closed,
        greylist_delay=args.greylist_delay,
        **host,
    )


def run_host(
    args: Any, *, now: datetime | None, script_dir: Path | None, items: dict[str, str]
) -> Any:
    """The one Host of a `sieve run` (or of one dry-run worker): the mapping Host with
    --mappings (`args` holds the `add_mapping_options` values; None without them), else a
    MemoryHost; the clock is fixed at `now` when given."""
    from sieve.runtime.host import MemoryHost

    host: dict[str, Any] = {
        "clock": (lambda: now) if now is not None else None,
        "script_dir": script_dir,
        "items": dict(items),
    }
    built = mapping_host(args, **host)
    return built if built is not None else MemoryHost(**host)


def build_mapping_host(
    mappings: str | Path | None,
    *,
    callout: Sequence[str] = (),
    throttle: str | Path | None = None,
    state: str | Path | None = None,
    memcached: str | None = None,
    fail_closed: bool = False,
    greylist_delay: float = 10.0,
    **host: Any,
) -> Any:
    """The mapping Host of `sieve run --mappings` and `sieve serve [mapping]`, from plain
    values. The mapping file is loaded strictly (`load_reported`: its diagnostics on
    stderr, MappingError when one is an error); without `throttle`, a throttle.toml beside
    the mapping file configures the throttle tables. Raises ValueError for a bad `callout`
    link, ThrottleConfigError and StoreUnavailable for the throttle."""
    from sieve.mapping.callouts import CalloutLinks
    from sieve.mapping.host import oracle_host

    if throttle is None and mappings:
        # A throttle.toml beside the mapping file configures its throttle tables.
        beside = Path(mappings).with_name("throttle.toml")
        throttle = beside if beside.is_file() else None
    return oracle_host(
        load_reported(str(mappings)) if mappings else None,
        throttle=throttle,
        state=state,
        memcached=memcached,
        fail_open=False if fail_closed else None,
        greylist_delay=greylist_delay,
        links=CalloutLinks.parse(list(callout)),
        **host,
    )
