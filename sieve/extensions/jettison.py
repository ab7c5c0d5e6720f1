"""Oracle Communications Messaging Server: `jettison`, a discard that later filters cannot
undo. A system filter's `discard` only cancels the implicit keep, so a user filter's
`keep` brings the message back; a system filter's `jettison` overrides every user filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import CommandSpec, Extension
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="jettison",
    summary="Oracle Messaging Server: jettison, a discard that overrides later filters",
    commands=(CommandSpec("jettison"),),
    dialects=("oracle",),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("jettison")
def jettison(run: Run, args: Args) -> None:
    """Throws the message away for every recipient: deliveries the script chose before
    are withdrawn, and later ones are ignored (Run.add)."""
    run.withdraw((actions.Keep, actions.FileInto, actions.Redirect), "withdrawn by jettison")
    run.add(actions.Jettison())
