"""RFC 7352: the duplicate test, which is true when a message with the same unique ID
(Message-ID by default) was seen before."""

from sieve.extensions.spec import Arg, Extension, Signature, Tag, TestSpec

DUPLICATE_KEY = "duplicate-key"

EXTENSION = Extension(
    capability="duplicate",
    summary="RFC 7352: the duplicate test",
    tests=(
        # RFC 7352 §3: duplicate [":handle" <handle: string>]
        #   [":header" <header-name: string> / ":uniqueid" <value: string>]
        #   [":seconds" <timeout: number>] [":last"]
        TestSpec(
            "duplicate",
            Signature(
                tags=(
                    Tag("handle", Arg.STRING),
                    # RFC 7352 §3.1: ":header" and ":uniqueid" exclude each other.
                    Tag("header", Arg.STRING, group=DUPLICATE_KEY, role="header-name"),
                    Tag("uniqueid", Arg.STRING, group=DUPLICATE_KEY),
                    Tag("seconds", Arg.NUMBER),
                    Tag("last"),
                ),
            ),
        ),
    ),
)
