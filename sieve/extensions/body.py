"""RFC 5173: the `body` test, which matches the message body: as it is on the wire
(`:raw`), its text parts decoded (`:text`, the default), or the parts of given MIME
content types (`:content`)."""

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

# RFC 5173: BODY-TRANSFORM = ":raw" / ":content" <content-types: string-list> / ":text";
# a body test takes at most one of them.
BODY_TRANSFORM = "body-transform"

EXTENSION = Extension(
    capability="body",
    summary="RFC 5173: the body test",
    tests=(
        # RFC 5173: `body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM]
        #               <key-list: string-list>`.
        TestSpec(
            "body",
            Signature(
                (Positional("key-list", Arg.STRING_LIST),),
                tags=(
                    Tag("raw", group=BODY_TRANSFORM),
                    Tag("content", Arg.STRING_LIST, group=BODY_TRANSFORM),
                    Tag("text", group=BODY_TRANSFORM),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)
