"""RFC 5260 §4–5: the date and currentdate tests, which compare one part of a date, taken
from a header field or from the time of the script run."""

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)

ZONE = "zone"

# RFC 5260 §4.2: the date parts a script may ask for.
DATE_PARTS = (
    "year",
    "month",
    "day",
    "date",
    "julian",
    "hour",
    "minute",
    "second",
    "time",
    "iso8601",
    "std11",
    "zone",
    "weekday",
)

EXTENSION = Extension(
    capability="date",
    summary="RFC 5260: the date and currentdate tests",
    tests=(
        # RFC 5260 §4: date [<":zone" <time-zone: string>> / ":originalzone"]
        #   [COMPARATOR] [MATCH-TYPE] <header-name: string> <date-part: string>
        #   <key-list: string-list>
        TestSpec(
            "date",
            Signature(
                (
                    Positional("header-name", Arg.STRING, role="header-name"),
                    Positional("date-part", Arg.STRING, values=DATE_PARTS),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                # RFC 5260 §4.1: ":zone" and ":originalzone" exclude each other.
                tags=(Tag("zone", Arg.STRING, group=ZONE), Tag("originalzone", group=ZONE)),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
        # RFC 5260 §5: currentdate [":zone" <time-zone: string>] [COMPARATOR] [MATCH-TYPE]
        #   <date-part: string> <key-list: string-list>
        # The current time has no original zone, so ":originalzone" is not offered here.
        TestSpec(
            "currentdate",
            Signature(
                (
                    Positional("date-part", Arg.STRING, values=DATE_PARTS),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                tags=(Tag("zone", Arg.STRING, group=ZONE),),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)
