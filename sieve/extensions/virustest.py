"""RFC 5235 §3.3: the virustest test, which compares the virus verdict ("0" not tested,
"1" clean to "5" infected and not cleaned) given by the mail system."""

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    TestSpec,
)

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
