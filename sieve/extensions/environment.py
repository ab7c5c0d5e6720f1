"""RFC 5183: the environment test, which reads facts about the delivery (the host, the
phase, the remote address...) rather than the message."""

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
    capability="environment",
    summary="RFC 5183: the environment test",
    tests=(
        # RFC 5183 §4: environment [COMPARATOR] [MATCH-TYPE] <name: string>
        #   <key-list: string-list>
        # The names are an open IANA registry (§4.1), so no fixed list of values.
        TestSpec(
            "environment",
            Signature(
                (Positional("name", Arg.STRING), Positional("key-list", Arg.STRING_LIST)),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)
