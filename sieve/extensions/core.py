"""The base language of RFC 5228: control commands, keep/discard/redirect, the core tests,
the shared match-type, comparator and address-part groups. Always available."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    ADDRESS_PART,
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    SubTests,
    Tag,
    TestSpec,
)
from sieve.runtime import actions
from sieve.runtime.addresses import parse_address_list
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.fields import address_part, address_values, select, sources
from sieve.runtime.flags import flags_for

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

SIZE = "size-relation"

EXTENSION = Extension(
    capability="",
    summary="RFC 5228: the Sieve base language",
    commands=(
        # RFC 5228 §3.2: require takes the capability names.
        CommandSpec(
            "require", Signature((Positional("capabilities", Arg.STRING_LIST, role="capability"),))
        ),
        CommandSpec("if", Signature(tests=SubTests.ONE), block=True),
        CommandSpec("elsif", Signature(tests=SubTests.ONE), block=True),
        CommandSpec("else", Signature(), block=True),
        CommandSpec("stop"),
        CommandSpec("keep"),
        CommandSpec("discard"),
        CommandSpec("redirect", Signature((Positional("address", Arg.STRING, role="address"),))),
    ),
    tests=(
        TestSpec(
            "address",
            Signature(
                (
                    Positional("header-list", Arg.STRING_LIST, role="header-name"),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(ADDRESS_PART, COMPARATOR, MATCH_TYPE),
            ),
        ),
        TestSpec("allof", Signature(tests=SubTests.LIST)),
        TestSpec("anyof", Signature(tests=SubTests.LIST)),
        TestSpec(
            "exists", Signature((Positional("header-names", Arg.STRING_LIST, role="header-name"),))
        ),
        TestSpec("false"),
        TestSpec(
            "header",
            Signature(
                (
                    Positional("header-names", Arg.STRING_LIST, role="header-name"),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
        TestSpec("not", Signature(tests=SubTests.ONE)),
        TestSpec(
            "size",
            Signature(
                (Positional("limit", Arg.NUMBER),),
                tags=(Tag("over", group=SIZE), Tag("under", group=SIZE)),
                required_groups=(SIZE,),
            ),
        ),
        TestSpec("true"),
    ),
    group_tags=(
        Tag("is", group=MATCH_TYPE),
        Tag("contains", group=MATCH_TYPE),
        Tag("matches", group=MATCH_TYPE),
        Tag("comparator", Arg.STRING, group=COMPARATOR),
        Tag("all", group=ADDRESS_PART),
        Tag("localpart", group=ADDRESS_PART),
        Tag("domain", group=ADDRESS_PART),
    ),
    # RFC 5228 §2.7.3: every implementation has these two.
    comparators=("i;octet", "i;ascii-casemap"),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.command("keep")
def keep(run: Run, args: Args) -> None:
    # RFC 5232 §5: without :flags, keep stores with the current internal flags.
    run.add(actions.Keep("INBOX", flags_for(run, args)))


@BEHAVIOUR.command("discard")
def discard(run: Run, args: Args) -> None:
    run.add(actions.Discard())


@BEHAVIOUR.command("redirect")
def redirect(run: Run, args: Args) -> None:
    address = run.string(args.positionals[0]).strip()
    # RFC 5228 §4.2: the address must be a valid RFC 5322 address; with variables that
    # can only be checked now.
    if not _plausible_address(address):
        raise run.stop("bad-address", f"redirect to an invalid address {address!r}")
    run.add(actions.Redirect(address, copy="copy" in args.tags))


@BEHAVIOUR.test("true")
def true(run: Run, args: Args) -> bool:
    return True


@BEHAVIOUR.test("false")
def false(run: Run, args: Args) -> bool:
    return False


@BEHAVIOUR.test("exists")
def exists(run: Run, args: Args) -> bool:
    # RFC 5228 §5.5: true when every named header exists.
    names = run.strings(args.positionals[0])
    return all(any(source.has_header(name) for source in sources(run, args)) for name in names)


@BEHAVIOUR.test("size")
def size(run: Run, args: Args) -> bool:
    limit = run.number(args.positionals[0])
    # RFC 5228 §5.9: :over is strictly greater, :under strictly less.
    return run.message.size > limit if "over" in args.tags else run.message.size < limit


@BEHAVIOUR.test("header")
def header(run: Run, args: Args) -> bool:
    names = run.strings(args.positionals[0])
    values: list[str] = []
    if args.plain:
        message = run.message
        for name in names:
            values += message.header(name)
        run.count_header_bytes(values)
        return run.match(args, values, args.positionals[1])
    for source in sources(run, args):
        for name in names:
            if "mime" in args.tags and _MIME_OPTIONS & args.tags.keys():
                from sieve.extensions.mime import mime_option_values

                values.extend(mime_option_values(run, args, source, name))
            else:
                values.extend(select(args, run, run.header(name, source)))
    return run.match(args, values, args.positionals[1])


_MIME_OPTIONS = {"type", "subtype", "contenttype", "param"}


@BEHAVIOUR.test("address")
def address(run: Run, args: Args) -> bool:
    names = run.strings(args.positionals[0])
    part = address_part(args)
    values: list[str] = []
    if args.plain:
        message = run.message
        for name in names:
            run.raw_header(name)  # counted as read
            values += address_values(message.addresses(name), part)
        return run.match(args, values, args.positionals[1])
    for source in sources(run, args):
        for name in names:
            if "index" in args.tags:
                fields = select(args, run, run.raw_header(name, source))
                found = [a for field in fields for a in parse_address_list(field)]
            else:
                run.raw_header(name, source)  # counted as read
                found = source.addresses(name)
            values.extend(address_values(found, part))
    return run.match(args, values, args.positionals[1])


def _plausible_address(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not any(c in address for c in "\r\n\0<>,")
