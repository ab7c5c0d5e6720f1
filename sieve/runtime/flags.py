"""RFC 5232 flag lists: strings of space-separated IMAP flags, compared case-insensitively,
each flag kept once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run


def parse_flags(items: Iterable[str]) -> list[str]:
    """RFC 5232 §3: every string may hold several flags separated by spaces; duplicates
    (ignoring case) are dropped, the first spelling kept."""
    seen: dict[str, str] = {}
    for item in items:
        for flag in item.split():
            seen.setdefault(flag.lower(), flag)
    return list(seen.values())


def add_flags(current: list[str], more: Iterable[str]) -> list[str]:
    return parse_flags([*current, *more])


def remove_flags(current: list[str], gone: Iterable[str]) -> list[str]:
    removed = {flag.lower() for flag in parse_flags(gone)}
    return [flag for flag in current if flag.lower() not in removed]


def flags_for(run: Run, args: Args) -> list[str]:
    """RFC 5232 §5: keep and fileinto store with their :flags, or else with the current
    value of the internal flag variable."""
    if "flags" in args.tags:
        return parse_flags(run.strings(args.tags["flags"]))
    return list(run.flags)
