"""RFC 5429 §2.1: the `ereject` action, which refuses delivery at the protocol level (an
SMTP or LMTP error reply) where it can, and falls back to a DSN otherwise.

`ereject` and `reject` are separate capabilities: a script may require either alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Alias, Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="ereject",
    summary="RFC 5429: refuse delivery in the protocol (SMTP/LMTP) where possible",
    commands=(
        # RFC 5429 §2.1: `ereject <reason: string>`.
        CommandSpec("ereject", Signature((Positional("reason", Arg.STRING),))),
    ),
    aliases=(
        # Oracle's security guide writes `erejec` to work around a server bug; Messaging
        # Server accepts it as ereject.
        Alias(
            "erejec",
            "ereject",
            ("oracle",),
            "Oracle Messaging Server reads 'erejec' as 'ereject' (a workaround from its "
            "security guide)",
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("ereject")
def ereject(run: Run, args: Args) -> None:
    run.add(actions.Ereject(run.string(args.positionals[0])))
