"""RFC 5703 §5: the replace action, which swaps the body of the message (or of the
current MIME part) for new text."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag

EXTENSION = Extension(
    capability="replace",
    summary="RFC 5703: the replace action",
    commands=(
        # RFC 5703 §5: replace [":mime"] [":subject" string] [":from" string]
        #   <replacement: string>
        # ":mime" here is replace's own tag (the replacement is a whole MIME entity), not
        # the tag of the "mime" extension.
        CommandSpec(
            "replace",
            Signature(
                (Positional("replacement", Arg.STRING),),
                tags=(Tag("mime"), Tag("subject", Arg.STRING), Tag("from", Arg.STRING)),
            ),
        ),
    ),
)
