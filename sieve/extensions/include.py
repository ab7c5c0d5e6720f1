"""RFC 6609: including scripts, returning from them, and sharing variables between them."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag

LOCATION = "location"

EXTENSION = Extension(
    capability="include",
    summary="RFC 6609: include, return and global",
    commands=(
        # RFC 6609 §3.2: include [LOCATION] [":once"] [":optional"] <value: string>,
        # LOCATION = ":personal" / ":global" (":personal" when absent).
        CommandSpec(
            "include",
            Signature(
                (Positional("value", Arg.STRING),),
                tags=(
                    Tag("personal", group=LOCATION),
                    Tag("global", group=LOCATION),
                    Tag("once"),
                    Tag("optional"),
                ),
            ),
        ),
        # RFC 6609 §3.3: return ends the current script and goes back to the includer.
        CommandSpec("return"),
        # RFC 6609 §3.4: global <value: string-list>. Only with "variables" required as
        # well; that applies to this command alone, so it is a checker rule, not a
        # dependency of the whole extension.
        # RFC 6609 §3.3: global names variables, so it needs "variables" as well.
        CommandSpec(
            "global",
            Signature((Positional("value", Arg.STRING_LIST, role="variable-names"),)),
            needs=("variables",),
        ),
    ),
)
