"""The command-line options that bring Oracle mapping tables into `sieve check` and
`sieve run`, and what they build: the callout check and the mapping Host."""

from __future__ import annotations

import argparse
from collections.abc import Callable
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


def mapping_host(args: argparse.Namespace, **host: Any) -> Any:
    """The Host for `sieve run` with --mappings (a MappingHost), else None."""
    if not getattr(args, "mappings", None):
        return None
    from sieve.mapping.callouts import CalloutLinks
    from sieve.mapping.host import oracle_host

    throttle = args.throttle
    if throttle is None:
        # A throttle.toml beside the mapping file configures its throttle tables.
        beside = Path(args.mappings).with_name("throttle.toml")
        throttle = beside if beside.is_file() else None
    return oracle_host(
        load_reported(args.mappings),
        throttle=throttle,
        state=args.state,
        memcached=args.memcached,
        fail_open=False if args.fail_closed else None,
        greylist_delay=args.greylist_delay,
        links=CalloutLinks.parse(args.callout),
        **host,
    )
