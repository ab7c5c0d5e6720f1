"""RFC 5235 §3.2: the spamtest test, which compares the spam score ("0" to "10", "0"
meaning not tested) given by the mail system."""

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
