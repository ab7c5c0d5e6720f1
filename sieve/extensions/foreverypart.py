"""RFC 5703 §3: the foreverypart loop over the MIME parts of the message, and break."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Signature, Tag

EXTENSION = Extension(
    capability="foreverypart",
    summary="RFC 5703: the foreverypart loop and break",
    commands=(
        # RFC 5703 §3.1: foreverypart [":name" string] block
        CommandSpec("foreverypart", Signature(tags=(Tag("name", Arg.STRING),)), block=True),
        # RFC 5703 §3.2: break [":name" string]; only inside a foreverypart (of that name,
        # when named), which the checker enforces.
        CommandSpec("break", Signature(tags=(Tag("name", Arg.STRING),)), inside="foreverypart"),
    ),
)
