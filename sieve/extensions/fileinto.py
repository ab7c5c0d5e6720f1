"""RFC 5228 §4.1: the `fileinto` action, which delivers the message into a named mailbox."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature

EXTENSION = Extension(
    capability="fileinto",
    summary="RFC 5228 §4.1: deliver into a named mailbox",
    commands=(
        # RFC 5228 §4.1: `fileinto <mailbox: string>`. Its tags come from other extensions
        # (copy's :copy, imap4flags' :flags, mailbox's :create) through their extra_tags.
        CommandSpec("fileinto", Signature((Positional("mailbox", Arg.STRING, role="mailbox"),))),
    ),
)
