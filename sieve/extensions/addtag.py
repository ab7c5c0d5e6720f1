"""Oracle Communications Messaging Server: `addtag "text"`, which adds a tag to the
Subject line (several tags are kept apart by a vertical bar, so a tag may hold spaces
but no `|`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="addtag",
    summary="Oracle Messaging Server: addtag, a tag for the Subject line",
    commands=(CommandSpec("addtag", Signature((Positional("tag", Arg.STRING),))),),
    dialects=("oracle",),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("addtag")
def addtag(run: Run, args: Args) -> None:
    run.add(actions.AddTag(run.string(args.positionals[0])))
