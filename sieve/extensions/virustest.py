"""RFC 5235 §3.3: the virustest test, which compares the virus verdict ("0" not tested,
"1" clean to "5" infected and not cleaned) given by the mail system."""

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
    capability="virustest",
    summary="RFC 5235: the virustest test",
    tests=(
        # RFC 5235 §3.3: virustest [COMPARATOR] [MATCH-TYPE] <value: string>
        TestSpec(
            "virustest",
            Signature((Positional("value", Arg.STRING),), groups=(COMPARATOR, MATCH_TYPE)),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("virustest")
def virustest(run: Run, args: Args) -> bool:
    # RFC 5235 §3.3: "0" not tested, "1" clean ... "5" infected and not cleaned.
    values = run.header(run.host.virus_header)
    value = "0"
    if values:
        digits = values[0].strip()[:1]
        value = digits if digits in ("1", "2", "3", "4", "5") else "0"
    return run.match(args, [value], args.positionals[0])
