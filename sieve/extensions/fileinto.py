"""RFC 5228 §4.1: the `fileinto` action, which delivers the message into a named mailbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.flags import flags_for

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="fileinto",
    summary="RFC 5228 §4.1: deliver into a named mailbox",
    commands=(
        # RFC 5228 §4.1: `fileinto <mailbox: string>`. Its tags come from other extensions
        # (copy's :copy, imap4flags' :flags, mailbox's :create) through their extra_tags.
        CommandSpec("fileinto", Signature((Positional("mailbox", Arg.STRING, role="mailbox"),))),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("fileinto")
def fileinto(run: Run, args: Args) -> None:
    mailbox = run.string(args.positionals[0])
    run.add(
        actions.FileInto(
            mailbox,
            flags_for(run, args),
            copy="copy" in args.tags,
            create="create" in args.tags,
        )
    )
