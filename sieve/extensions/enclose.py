"""RFC 5703 §6: the enclose action, which wraps the message as an attachment of a new
message."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag

EXTENSION = Extension(
    capability="enclose",
    summary="RFC 5703: the enclose action",
    commands=(
        # RFC 5703 §6: enclose [":subject" string] [":headers" string-list] string
        CommandSpec(
            "enclose",
            Signature(
                (Positional("body", Arg.STRING),),
                tags=(Tag("subject", Arg.STRING), Tag("headers", Arg.STRING_LIST)),
            ),
        ),
    ),
)
