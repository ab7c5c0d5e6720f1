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
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

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
    untested message scores "0" too, and RFC 5235 asks scripts to test for it).

    Oracle Messaging Server reads the score itself rather than a fraction of a maximum:
    in the oracle dialect the value is the score (after spamadjust) rounded and held to
    0..10."""
    score = raw_spam_score(run)
    if score is None:
        value = "0"
    elif _dialect(run) == "oracle" and "percent" not in args.tags:
        value = str(min(10, max(0, round(score))))
    else:
        fraction = min(max(score / run.host.spam_max if run.host.spam_max > 0 else 0.0, 0.0), 1.0)
        value = (
            str(round(100 * fraction)) if "percent" in args.tags else str(1 + round(9 * fraction))
        )
    return run.match(args, [value], args.positionals[0])


def raw_spam_score(run: Run) -> float | None:
    """The message's spam score: the caller's (Host.caller_spam_score) or the configured
    header's, plus Oracle's spamadjust changes so far; None when nothing scored it."""
    from sieve.runtime.actions import SpamAdjust

    host = run.host
    score = host.caller_spam_score()
    if score is None:
        values = run.header(host.spam_header)
        if values:
            score = _leading_number(values[0])
    for adjustment in run.actions:
        if isinstance(adjustment, SpamAdjust):
            change = _leading_number(adjustment.value)
            if change is not None:
                score = (score or 0.0) + change
    return score


def _dialect(run: Run) -> str:
    return run.frame.linked.program.dialect if run.frame is not None else "standard"


def _leading_number(text: str) -> float | None:
    import re

    found = re.match(r"\s*([+-]?\d+(?:\.\d*)?)", text)
    return float(found.group(1)) if found else None
