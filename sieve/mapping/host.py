"""A Host that answers Sieve callouts from mapping tables, as Oracle Messaging Server does:
the callout names a table (`FILTER_<NAME>`, or a configured link), the table's templates
call site routines (the MeterMaid-style `throttle`, the greylisting `grosscheck`), and the
answer goes back to the script."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sieve.mapping.callouts import CalloutLinks
from sieve.mapping.evaluate import Routines, lookup
from sieve.mapping.greylist import Greylist
from sieve.mapping.tables import MappingFile, load_mappings
from sieve.mapping.throttle import Throttle, ThrottleSettings, load_throttle_settings
from sieve.runtime.host import CalloutAnswer, MemoryHost


@dataclass
class MappingHost(MemoryHost):
    mappings: MappingFile | None = None
    routines: Routines = field(default_factory=Routines)
    links: CalloutLinks = field(default_factory=CalloutLinks)

    def callout(self, table: str, value: str) -> CalloutAnswer | None:
        found = self.mappings.table(self.links.table_for(table)) if self.mappings else None
        if found is None:
            return MemoryHost.callout(self, table, value)
        assert self.mappings is not None
        result = lookup(found, value, self.routines, tables=self.mappings.table)
        return CalloutAnswer(
            output=result.output,
            success=result.success,
            # The value form gives "" when the lookup fails or answers $N.
            refused=not result.found or "N" in result.flags,
            trace=result.trace,
        )


def oracle_host(
    mappings: str | Path | MappingFile | None = None,
    *,
    throttle: str | Path | ThrottleSettings | None = None,
    state: str | Path | None = None,
    memcached: str | None = None,
    fail_open: bool | None = None,
    greylist_delay: float = 10.0,
    links: CalloutLinks | None = None,
    **host: object,
) -> MappingHost:
    """The Host `sieve run --mappings` builds: the mapping file, a `throttle` routine over
    the configured tables and store (memcached, else the `state` file, else memory), and a
    `grosscheck` routine over an in-memory greylist, both on the clock of `host` (a
    datetime-returning `clock`, else the system's)."""
    table_file = (
        mappings
        if isinstance(mappings, MappingFile) or mappings is None
        else load_mappings(mappings, strict=False)
    )
    settings = (
        throttle
        if isinstance(throttle, ThrottleSettings)
        else load_throttle_settings(throttle)
        if throttle is not None
        else ThrottleSettings()
    )
    if memcached is not None:
        from sieve.mapping.throttle import MemcachedSettings

        settings = dataclasses.replace(settings, memcached=MemcachedSettings((memcached,)))
    if fail_open is not None:
        settings = dataclasses.replace(settings, fail_open=fail_open)
    # The routines count time by the host's clock, so a fixed one (`sieve run --now`, a
    # test's clock) fixes the throttle's decay and the greylist's delay too.
    clock = host.get("clock")
    timestamp: Callable[[], float] = (
        time.time if clock is None else lambda: clock().timestamp()  # type: ignore[operator]
    )
    routines = Routines()
    routines.register(
        "throttle", Throttle.from_settings(settings, state=state, clock=timestamp).routine
    )
    routines.register("grosscheck", Greylist(delay=greylist_delay, clock=timestamp).routine)
    return MappingHost(
        mappings=table_file,
        routines=routines,
        links=links or CalloutLinks(),
        **host,  # type: ignore[arg-type]
    )
