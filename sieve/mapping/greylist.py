"""The greylisting routine the Oracle guide's FILTER_GREYLIST table calls (`grosscheck`),
backed by an in-memory greylist: a (client IP, sender, recipient) triplet seen for the first
time must come back after `delay` seconds; a retry after that passes, and the triplet then
passes at once until it has been idle for `lifetime` seconds.

As a mapping routine it follows the callout rules: it *succeeds* with a non-empty text while
the triplet must wait (the table goes on and the script refuses the message), and *fails*
(None) when the message may pass. Replace it by registering another routine under the same
name (a real gross or postgrey client, say)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY = "greylisted: retry later"


@dataclass
class Greylist:
    delay: float = 10.0
    lifetime: float = 36 * 3600.0
    max_entries: int = 100_000
    clock: Callable[[], float] = time.time
    # triplet -> (first seen, last seen, passed)
    _seen: OrderedDict[tuple[str, str, str], tuple[float, float, bool]] = field(
        default_factory=OrderedDict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, client: str, sender: str, recipient: str) -> bool:
        """True when the triplet must wait (and remembers this attempt)."""
        key = (client.strip(), sender.strip().lower(), recipient.strip().lower())
        now = self.clock()
        with self._lock:
            entry = self._seen.get(key)
            if entry is None or now - entry[1] > self.lifetime:
                self._remember(key, (now, now, False))
                return True
            first, _, passed = entry
            passed = passed or now - first >= self.delay
            self._remember(key, (first, now, passed))
            return not passed

    def _remember(self, key: tuple[str, str, str], entry: tuple[float, float, bool]) -> None:
        self._seen[key] = entry
        self._seen.move_to_end(key)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)

    def routine(self, args: list[str]) -> str | None:
        """`$[IMTA_LIB:grosscheck.so,grosscheck,SERVER,,PORT,$0,$1,$2,]`: the server
        arguments are kept for compatibility; the triplet is the next three."""
        triplet = args[3:6] if len(args) >= 6 else args[-3:]
        if len(triplet) != 3:
            return None
        return RETRY if self.check(*triplet) else None
