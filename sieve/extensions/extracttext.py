"""RFC 5703 §7: extracttext, which stores the text of the current MIME part in a variable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.extensions.variables import EXTENSION as VARIABLES
from sieve.extensions.variables import MODIFIERS
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

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

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("extracttext")
def extracttext(run: Run, args: Args) -> None:
    """RFC 5703 §7: stores the text of the current part of the foreverypart loop, decoded
    from its transfer encoding and charset, cut to :first characters, then passed through
    the set modifiers (as Pigeonhole does: `:length :first 100` gives "100").

    Only a textual part has text: text/* (and a part typed text/plain by default), HTML
    reduced to what a reader sees. Multipart and message parts, and other media types, give
    "" (Pigeonhole stores the raw content of non-text parts; binary data in a variable
    helps no script). The checker keeps extracttext inside foreverypart; a script included
    from outside any loop reaches it at run time, which is an error, as in Pigeonhole."""
    name = run.string(args.positionals[0])
    part = run.part
    if part is None:
        raise run.stop("extracttext-outside-loop", "extracttext used outside a foreverypart loop")
    text = part.text() if part.content_type.startswith("text/") else ""
    run.charge(len(text) // 4096)
    if "first" in args.tags:
        text = text[: max(run.number(args.tags["first"]), 0)]
    for modifier, function in MODIFIERS:
        if modifier in args.tags:
            text = function(text)
    run.set_variable(name, text)
