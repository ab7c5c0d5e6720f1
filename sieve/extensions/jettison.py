"""Oracle Communications Messaging Server: `jettison`, a discard that later filters cannot
undo. A system filter's `discard` only cancels the implicit keep, so a user filter's
`keep` brings the message back; a system filter's `jettison` overrides every user filter."""

from sieve.extensions.spec import CommandSpec, Extension

EXTENSION = Extension(
    capability="jettison",
    summary="Oracle Messaging Server: jettison, a discard that overrides later filters",
    commands=(CommandSpec("jettison"),),
    dialects=("oracle",),
)
