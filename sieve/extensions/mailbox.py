"""RFC 5490 §3: the `:create` tag of fileinto and the mailboxexists test."""

from sieve.extensions.spec import Arg, Extension, Positional, Signature, Tag, TestSpec

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
