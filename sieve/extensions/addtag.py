"""Oracle Communications Messaging Server: `addtag "text"`, which adds a tag to the
Subject line (several tags are kept apart by a vertical bar, so a tag may hold spaces
but no `|`)."""

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature

EXTENSION = Extension(
    capability="addtag",
    summary="Oracle Messaging Server: addtag, a tag for the Subject line",
    commands=(CommandSpec("addtag", Signature((Positional("tag", Arg.STRING),))),),
    dialects=("oracle",),
)
