"""RFC 5490 §3: the `:create` tag of fileinto and the mailboxexists test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, Extension, Positional, Signature, Tag, TestSpec
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="mailbox",
    summary="RFC 5490: fileinto :create and the mailboxexists test",
    tests=(
        # RFC 5490 §3.1: mailboxexists <mailbox-names: string-list>
        TestSpec(
            "mailboxexists",
            Signature((Positional("mailbox-names", Arg.STRING_LIST, role="mailbox"),)),
        ),
    ),
    # RFC 5490 §3.2: fileinto [":create"] <mailbox: string>; fileinto itself still needs
    # its own require.
    extra_tags=(("fileinto", (Tag("create"),)),),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("mailboxexists")
def mailboxexists(run: Run, args: Args) -> bool:
    # RFC 5490 §3.1: true only when every named mailbox exists (asked of the Host).
    names = run.strings(args.positionals[0])
    run.charge(len(names))
    return all(run.host.mailbox_exists(name) for name in names)
