"""RFC 5173: the `body` test, which matches the message body: as it is on the wire
(`:raw`), its text parts decoded (`:text`, the default), or the parts of given MIME
content types (`:content`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

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

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("body")
def body(run: Run, args: Args) -> bool:
    message = run.message
    if "raw" in args.tags:
        values = [message.body_raw()]
    elif "content" in args.tags:
        values = message.body_content(run.strings(args.tags["content"]))
    else:
        # RFC 5173 §5: :text is the default transform.
        values = message.body_text()
    run.count_parts(max(1, len(values)))
    return run.match(args, values, args.positionals[0])
