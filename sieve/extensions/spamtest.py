"""RFC 5235 §3.2: the spamtest test, which compares the spam score ("0" to "10", "0"
meaning not tested) given by the mail system."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.vm import Args, Run

EXTENSION = Extension(
    capability="spamtest",
    summary="RFC 5235: the spamtest test",
    tests=(
        # RFC 5235 §3.2: spamtest [":percent"] [COMPARATOR] [MATCH-TYPE] <value: string>
        # ":percent" comes with "spamtestplus" (spamtestplus.py).
        TestSpec(
            "spamtest",
            Signature((Positional("value", Arg.STRING),), groups=(COMPARATOR, MATCH_TYPE)),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("spamtest")
def spamtest(run: Run, args: Args) -> bool:
    """RFC 5235 §3.2: compares the score as a string, normally with i;ascii-numeric; "0"
    means the message was not tested (and with :percent there is no such value: an
    untested message scores "0" too, and RFC 5235 asks scripts to test for it)."""
    score = spam_score(run)
    if score is None:
        value = "0"
    elif "percent" in args.tags:
        value = str(round(100 * min(max(score, 0.0), 1.0)))
    else:
        value = str(1 + round(9 * min(max(score, 0.0), 1.0)))
    return run.match(args, [value], args.positionals[0])


def spam_score(run: Run) -> float | None:
    """The spam score as a fraction of the maximum, after Oracle's spamadjust actions;
    None when nothing scored the message."""
    from sieve.runtime.actions import SpamAdjust

    host = run.host
    values = run.header(host.spam_header)
    score: float | None = None
    if values:
        score = _leading_number(values[0])
    adjustments = [a for a in run.actions if isinstance(a, SpamAdjust)]
    for adjustment in adjustments:
        change = _leading_number(adjustment.value)
        if change is not None:
            score = (score or 0.0) + change
    if score is None:
        return None
    return score / host.spam_max if host.spam_max > 0 else 0.0


def _leading_number(text: str) -> float | None:
    import re

    found = re.match(r"\s*([+-]?\d+(?:\.\d*)?)", text)
    return float(found.group(1)) if found else None
