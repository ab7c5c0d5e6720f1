"""RFC 5703 §7: extracttext, which stores the text of the current MIME part in a variable."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.extensions.variables import EXTENSION as VARIABLES

# RFC 5703 §7: "MODIFIER" is the modifier of `set` (RFC 5229 §4), so extracttext takes
# exactly the modifiers that variables declares for set.
_SET_MODIFIERS = next(c for c in VARIABLES.commands if c.name == "set").signature.tags

EXTENSION = Extension(
    capability="extracttext",
    summary="RFC 5703: the extracttext action",
    commands=(
        # RFC 5703 §7: extracttext [MODIFIER] [":first" number] <varname: string>, only
        # inside foreverypart.
        CommandSpec(
            "extracttext",
            Signature(
                (Positional("varname", Arg.STRING, role="variable-name"),),
                tags=(*_SET_MODIFIERS, Tag("first", Arg.NUMBER)),
            ),
            inside="foreverypart",
        ),
    ),
    # RFC 5703 §7: the extension needs "variables" (it sets one) and "foreverypart" (it
    # reads the current part).
    depends_on=("variables", "foreverypart"),
)
