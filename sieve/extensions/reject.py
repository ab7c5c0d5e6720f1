"""RFC 5429 §2.2: the `reject` action, which refuses delivery and sends a message
disposition notification (MDN) back to the sender with the given reason."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature

EXTENSION = Extension(
    capability="reject",
    summary="RFC 5429: refuse delivery with an MDN",
    commands=(
        # RFC 5429 §2.2: `reject <reason: string>`.
        CommandSpec("reject", Signature((Positional("reason", Arg.STRING),))),
    ),
)
