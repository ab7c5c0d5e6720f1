"""RFC 5230: the `vacation` action, an auto-responder that answers each sender at most once
per period (":days") with the given reason."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag

# RFC 6131 §2: vacation-seconds adds `:seconds`, and "only one of :days and :seconds is
# allowed". The group is named here so that vacation_seconds.py can put :seconds in it.
PERIOD = "vacation-period"

EXTENSION = Extension(
    capability="vacation",
    summary="RFC 5230: the vacation auto-responder",
    commands=(
        # RFC 5230 §4: `vacation [":days" number] [":subject" string] [":from" string]
        #                [":addresses" string-list] [":mime"] [":handle" string]
        #                <reason: string>`.
        CommandSpec(
            "vacation",
            Signature(
                (Positional("reason", Arg.STRING),),
                tags=(
                    Tag("days", Arg.NUMBER, group=PERIOD),
                    Tag("subject", Arg.STRING),
                    Tag("from", Arg.STRING),
                    Tag("addresses", Arg.STRING_LIST),
                    # The reason is a whole MIME entity (headers and body), not plain text.
                    Tag("mime"),
                    Tag("handle", Arg.STRING),
                ),
            ),
        ),
    ),
)
