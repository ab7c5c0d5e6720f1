"""RFC 5232: imap4flags. The actions `setflag`, `addflag` and `removeflag` change a list of
IMAP flags (the internal one, or a variable's); the `hasflag` test matches it; the `:flags`
tag on `keep` and `fileinto` stores the message with given flags.

The RFC puts an optional argument *first*: `setflag [<variablename: string>]
<list-of-flags: string-list>`, and `hasflag` likewise takes an optional variable list
before its flags. A Signature only lets trailing positionals be optional, so these are
declared as what the checker will see, read left to right: one or two string lists, where
the first is the flags when it stands alone and the variable(s) when a second follows.
Two checks of RFC 5232 fall outside the declaration and are the checker's: in the
two-argument form of the actions the variable name must be a single string (not a
bracketed list), and both the variable forms need "variables" to be required (§3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.flags import add_flags, parse_flags, remove_flags

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

# RFC 5232 §3: the three actions share one shape.
FLAG_ACTION = Signature(
    (
        Positional("flags-or-variablename", Arg.STRING_LIST),
        Positional("list-of-flags", Arg.STRING_LIST, optional=True),
    )
)

# RFC 5232: `:flags <list-of-flags: string-list>` on keep and fileinto.
FLAGS = (Tag("flags", Arg.STRING_LIST),)

EXTENSION = Extension(
    capability="imap4flags",
    summary="RFC 5232: IMAP flags on delivered messages",
    commands=(
        CommandSpec("setflag", FLAG_ACTION),
        CommandSpec("addflag", FLAG_ACTION),
        CommandSpec("removeflag", FLAG_ACTION),
    ),
    tests=(
        # RFC 5232: `hasflag [MATCH-TYPE] [COMPARATOR]
        #            [<variable-list: string-list>] <list-of-flags: string-list>`.
        TestSpec(
            "hasflag",
            Signature(
                (
                    Positional("flags-or-variable-list", Arg.STRING_LIST),
                    Positional("list-of-flags", Arg.STRING_LIST, optional=True),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
    extra_tags=(("keep", FLAGS), ("fileinto", FLAGS)),
)

BEHAVIOUR = Behaviour()

_CHANGES: dict[str, Callable[[list[str], list[str]], list[str]]] = {
    "setflag": lambda current, given: parse_flags(given),
    "addflag": add_flags,
    "removeflag": remove_flags,
}


@BEHAVIOUR.command("setflag", "addflag", "removeflag")
def change_flags(run: Run, args: Args) -> None:
    change = _CHANGES[args.name]
    if len(args.positionals) == 2:
        # RFC 5232 §3: the first argument names the variable holding the flags.
        name = run.string(args.positionals[0])
        current = parse_flags([run.lookup(name)])
        run.set_variable(name, " ".join(change(current, run.strings(args.positionals[1]))))
    else:
        run.flags = change(run.flags, run.strings(args.positionals[0]))
        if run.tracing:
            run.event("set", f"internal flags = {' '.join(run.flags)!r}")


@BEHAVIOUR.test("hasflag")
def hasflag(run: Run, args: Args) -> bool:
    # RFC 5232 §4: the flags of the named variables, or of the internal variable.
    if len(args.positionals) == 2:
        names = run.strings(args.positionals[0])
        flags = parse_flags(run.lookup(name) for name in names)
        keys = args.positionals[1]
    else:
        flags = list(run.flags)
        keys = args.positionals[0]
    return run.match(args, flags, keys)
