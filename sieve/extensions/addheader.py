"""Oracle Communications Messaging Server: `addheader "Name: value"`, which adds one
complete header line to the message.

This is Oracle's own capability, older than RFC 5293, and a different command from
editheader's two-argument `addheader`: the registry keeps both apart by dialect and by
what the script requires."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

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

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("addheader")
def addheader(run: Run, args: Args) -> None:
    """Oracle's one-string form: "Name: value". The field joins the message, so later
    tests see it, as with RFC 5293's addheader."""
    field = run.string(args.positionals[0])
    name, colon, value = field.partition(":")
    name = name.strip()
    if not colon or not name or any(c in name for c in " \t\r\n") or not name.isascii():
        raise run.stop("bad-header", f"addheader needs \"Name: value\", not {field!r}")
    value = value.strip()
    run.editable_message().add_header(name, value)
    run.add(actions.AddHeader(name, value))
