"""RFC 6609: including scripts, returning from them, and sharing variables between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import Arg, CommandSpec, Extension, Positional, Signature, Tag
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

LOCATION = "location"

EXTENSION = Extension(
    capability="include",
    summary="RFC 6609: include, return and global",
    commands=(
        # RFC 6609 §3.2: include [LOCATION] [":once"] [":optional"] <value: string>,
        # LOCATION = ":personal" / ":global" (":personal" when absent).
        CommandSpec(
            "include",
            Signature(
                (Positional("value", Arg.STRING),),
                tags=(
                    Tag("personal", group=LOCATION),
                    Tag("global", group=LOCATION),
                    Tag("once"),
                    Tag("optional"),
                ),
            ),
        ),
        # RFC 6609 §3.3: return ends the current script and goes back to the includer.
        CommandSpec("return"),
        # RFC 6609 §3.4: global <value: string-list> names variables, so it needs
        # "variables" as well: a need of this command alone, not of the whole extension.
        # A name used as a local variable earlier in the script cannot be declared global
        # (the checker's `global-after-local`).
        CommandSpec(
            "global",
            Signature((Positional("value", Arg.STRING_LIST, role="variable-names"),)),
            needs=("variables",),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("include")
def include(run: Run, args: Args) -> None:
    from sieve.compiler import CompileError

    name = run.string(args.positionals[0])
    location = "global" if "global" in args.tags else "personal"
    key = (location, name)
    # RFC 6609 §3.2: with :once, a script already included is not run again.
    if "once" in args.tags and key in run.included:
        return
    # RFC 6609 §3.2: a script that includes itself, directly or not, is an error.
    if any(frame.name == f"{location}:{name}" for frame in run.frames):
        raise run.stop("include-cycle", f"{location} script {name!r} includes itself")
    if len(run.frames) >= run.limits.max_include_depth:
        raise run.limit(
            "max_include_depth",
            f"includes nest deeper than {run.limits.max_include_depth} scripts",
        )
    run.includes += 1
    if run.includes > run.limits.max_includes:
        raise run.limit("max_includes", f"more than {run.limits.max_includes} includes in one run")
    source = run.host.load_script(name, location)
    if source is None:
        # RFC 6609 §3.2: :optional makes a missing script silently skipped.
        if "optional" in args.tags:
            return
        raise run.stop("include-missing", f"the {location} script {name!r} does not exist")
    if run.compile_included is None:
        raise run.stop("include-unavailable", "this run cannot compile included scripts")
    dialect = run.frame.linked.program.dialect if run.frame is not None else "standard"
    try:
        linked = run.compile_included(source, name, dialect, run.limits, run.extensions)
    except CompileError as error:
        first = error.diagnostics[0] if error.diagnostics else None
        where = f" (line {first.line}: {first.message})" if first is not None else ""
        raise run.stop(
            "include-invalid", f"the {location} script {name!r} is invalid{where}"
        ) from None
    run.check()  # the compile counts against the run's CPU time
    run.included.add(key)
    if run.tracing:
        run.event("include", f"{location} script {name!r}")
    run.execute(linked, f"{location}:{name}")


@BEHAVIOUR.command("return")
def return_(run: Run, args: Args) -> None:
    from sieve.runtime.control import ScriptReturn

    raise ScriptReturn


@BEHAVIOUR.command("global")
def global_(run: Run, args: Args) -> None:
    # RFC 6609 §3.4: the names refer to the variables shared by every script of the run.
    if run.frame is not None:
        for name in run.strings(args.positionals[0]):
            run.frame.global_names.add(name.lower())
