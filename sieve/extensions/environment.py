"""RFC 5183: the environment test, which reads facts about the delivery (the host, the
phase, the remote address...) rather than the message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
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
    capability="environment",
    summary="RFC 5183: the environment test",
    tests=(
        # RFC 5183 §4: environment [COMPARATOR] [MATCH-TYPE] <name: string>
        #   <key-list: string-list>
        # The names are an open IANA registry (§4.1), so no fixed list of values.
        TestSpec(
            "environment",
            Signature(
                (Positional("name", Arg.STRING), Positional("key-list", Arg.STRING_LIST)),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("environment")
def environment(run: Run, args: Args) -> bool:
    # RFC 5183 §4: an item the implementation does not know makes the test false, whatever
    # the match type (even :count); items come from the caller or the Host, nothing else.
    name = run.string(args.positionals[0]).lower()
    value = run.environment.get(name)
    if value is None:
        value = run.host.environment().get(name)
    if value is None:
        value = _builtin(run, name)
    if value is None:
        return False
    return run.match(args, [value], args.positionals[1])


def _builtin(run: Run, name: str) -> str | None:
    """RFC 5183 §4.1 items every run can answer without the Host."""
    if name == "name":
        return "sieve"
    if name == "version":
        from sieve import __version__

        return __version__
    if name == "phase":
        return "during"
    return None
