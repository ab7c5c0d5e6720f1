"""Oracle Communications Messaging Server: `addheader "Name: value"`, which adds one
complete header line to the message.

This is Oracle's own capability, older than RFC 5293, and a different command from
editheader's two-argument `addheader`: the registry keeps both apart by dialect and by
what the script requires."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature

EXTENSION = Extension(
    capability="addheader",
    summary='Oracle Messaging Server: addheader "Name: value"',
    commands=(
        # Messaging Server administration guide ("Support for Sieve extensions"):
        # `require ["addheader"]; addheader "Spam-test: $U";`, the whole field in one string.
        CommandSpec("addheader", Signature((Positional("field", Arg.STRING),))),
    ),
    dialects=("oracle",),
)
