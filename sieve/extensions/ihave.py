"""RFC 5463: the ihave test, which asks whether capabilities are available at run time,
and the error command, which stops the script with an error."""

from sieve.extensions.spec import (
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    TestSpec,
)

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
