"""RFC 5463: the ihave test, which asks whether capabilities are available at run time,
and the error command, which stops the script with an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="ihave",
    summary="RFC 5463: the ihave test and the error command",
    commands=(
        # RFC 5463 §5: error <message: string>
        CommandSpec("error", Signature((Positional("message", Arg.STRING),))),
    ),
    tests=(
        # RFC 5463 §4: ihave <capabilities: string-list>; naming an unknown capability is
        # not an error here, it only makes the test false.
        TestSpec(
            "ihave",
            Signature((Positional("capabilities", Arg.STRING_LIST, role="capability"),)),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("ihave")
def ihave(run: Run, args: Args) -> bool:
    # RFC 5463 §4: true when every capability is available to this interpreter.
    from sieve.extensions.registry import Registry

    dialect = run.frame.linked.program.dialect if run.frame is not None else "standard"
    # The server's capability list the script was compiled against, not all we know.
    known = Registry.shared(run.extensions, dialect).enabled
    return all(name in known for name in run.strings(args.positionals[0]))


@BEHAVIOUR.command("error")
def error(run: Run, args: Args) -> None:
    # RFC 5463 §5: the script fails with this message; the implicit keep stays in force.
    raise run.stop("error-command", run.string(args.positionals[0]))
