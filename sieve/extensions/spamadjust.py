"""Oracle Communications Messaging Server: `spamadjust "+5 reason"`, which adds a signed
number to the spam score that spamtest reads and appends the whole string to the score
text. Several spamadjust actions add up; the score starts at 0."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="spamadjust",
    summary="Oracle Messaging Server: spamadjust, a change to the spam score",
    commands=(CommandSpec("spamadjust", Signature((Positional("adjustment", Arg.STRING),))),),
    # The Messaging Server guide ties spamadjust to the spamtest extension ("the spamtest
    # extension should be listed").
    depends_on=("spamtest",),
    dialects=("oracle",),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("spamadjust")
def spamadjust(run: Run, args: Args) -> None:
    run.add(actions.SpamAdjust(run.string(args.positionals[0])))
