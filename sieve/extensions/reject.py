"""RFC 5429 §2.2: the `reject` action, which refuses delivery and sends a message
disposition notification (MDN) back to the sender with the given reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="reject",
    summary="RFC 5429: refuse delivery with an MDN",
    commands=(
        # RFC 5429 §2.2: `reject <reason: string>`.
        CommandSpec("reject", Signature((Positional("reason", Arg.STRING),))),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("reject")
def reject(run: Run, args: Args) -> None:
    run.add(actions.Reject(run.string(args.positionals[0])))
