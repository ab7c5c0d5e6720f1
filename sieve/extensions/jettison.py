"""Oracle Communications Messaging Server: `jettison`, a discard that later filters cannot
undo. A system filter's `discard` only cancels the implicit keep, so a user filter's
`keep` brings the message back; a system filter's `jettison` overrides every user filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import CommandSpec, Extension
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.vm import Args, Run

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
    kept = [
        a for a in run.actions if isinstance(a, actions.Keep | actions.FileInto | actions.Redirect)
    ]
    for action in kept:
        run.actions.remove(action)
        run.action_keys = {k: v for k, v in run.action_keys.items() if v is not action}
        run.warn("jettisoned", f"the {action.type} on line {action.line} is withdrawn by jettison")
    run.add(actions.Jettison())
    run.jettisoned = True
