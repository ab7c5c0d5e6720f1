"""RFC 6134: externally stored lists (address books, block lists) named by a URI.

The lists live in the Host (`list_contains`, `list_members`, `valid_list`); a script only
names them. `:list` is a match type whose keys are list names: the VM's `Run.match` hands
tests that carry it to `list_match`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)
from sieve.runtime import actions
from sieve.runtime.behaviour import Behaviour

if TYPE_CHECKING:
    from sieve.compiler.program import Constant
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="extlists",
    summary="RFC 6134: the :list match type and externally stored lists",
    tests=(
        # RFC 6134 §2: valid_ext_list <ext-list-names: string-list>
        TestSpec(
            "valid_ext_list",
            Signature((Positional("ext-list-names", Arg.STRING_LIST),)),
        ),
    ),
    # RFC 6134 §2: ":list" is a match type; its key-list holds list names, not values.
    group_tags=(Tag("list", group=MATCH_TYPE),),
    # RFC 6134 §2: redirect [":list"] <address-or-list: string>; with ":list" the
    # positional names a list whose members all receive the message.
    extra_tags=(("redirect", (Tag("list"),)),),
)

# RFC 6134 §2: a list name that starts with ":" abbreviates "urn:ietf:params:sieve:"
# (":addrbook:default" is the user's default address book).
SHORT_PREFIX = "urn:ietf:params:sieve"
# RFC 3986 §3: a URI starts with its scheme and a colon.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00]*")

BEHAVIOUR = Behaviour()


def list_match(run: Run, args: Args, values: Sequence[str], keys: Constant | None) -> bool:
    """RFC 6134 §2: true when any value is a member of any named list. The comparator
    plays no part (each list has its own idea of equality). A list the Host does not
    know is a run-time error. With variables, ${0} becomes the value that matched and
    the other match variables empty, as in Pigeonhole."""
    names = run.strings(keys)
    run.charge(len(values) * max(1, len(names)))
    values = list(values)
    matched = False
    for name in names:
        found = _contains(run, name, values)
        if found:
            matched = True
            if run.has_variables:
                run.set_match((_which(run, name, values),))
            break
    if run.tracing:
        run.event(
            "test",
            f"{args.name} :list {len(values)} value(s) against {names!r}: "
            f"{'true' if matched else 'false'}",
        )
    return matched


def _contains(run: Run, name: str, values: list[str]) -> bool:
    if not values:
        # Still an error when the list is unknown, whatever the message holds.
        _known_or_stop(run, name)
        return False
    for candidate in _spellings(name):
        found = run.host.list_contains(candidate, values)
        if found is not None:
            return found
    raise run.stop("unknown-list", f"the external list {name!r} is not known")


def _which(run: Run, name: str, values: list[str]) -> str:
    """The first value on the list (asked one by one, only after a match)."""
    for value in values:
        if _contains(run, name, [value]):
            return value
    return values[0]


def _known_or_stop(run: Run, name: str) -> None:
    if not any(run.host.valid_list(candidate) for candidate in _spellings(name)):
        raise run.stop("unknown-list", f"the external list {name!r} is not known")


def _spellings(name: str) -> tuple[str, ...]:
    """The full name first, then the name as written when it is the short form, so a
    Host may key its lists either way."""
    if name.startswith(":"):
        return (SHORT_PREFIX + name, name)
    return (name,)


@BEHAVIOUR.test("valid_ext_list")
def valid_ext_list(run: Run, args: Args) -> bool:
    # RFC 6134 §2: true when every name is a valid list name the Host knows.
    names = run.strings(args.positionals[0])
    run.charge(len(names))
    return all(
        _URI.fullmatch(_spellings(name)[0]) is not None
        and any(run.host.valid_list(candidate) for candidate in _spellings(name))
        for name in names
    )


@BEHAVIOUR.command("redirect")
def redirect(run: Run, args: Args) -> None:
    """RFC 6134: `redirect :list NAME` sends the message to every member of the list;
    without :list this is the base redirect of RFC 5228 §4.2."""
    from sieve.extensions import core

    if "list" not in args.tags:
        core.redirect(run, args)
        return
    name = run.string(args.positionals[0])
    members = None
    for candidate in _spellings(name):
        members = run.host.list_members(candidate)
        if members is not None:
            break
    if members is None:
        raise run.stop("unknown-list", f"redirect :list: the external list {name!r} is not known")
    run.charge(len(members))
    copy = "copy" in args.tags
    sent = 0
    for member in members:
        address = member.strip()
        if not core._plausible_address(address):
            run.warn("bad-list-member", f"redirect :list {name!r}: skipped {address!r}")
            continue
        # Run.add counts each one against max_redirects.
        run.add(actions.Redirect(address, copy=copy))
        sent += 1
    if sent == 0 and run.tracing:
        run.event("redirect", f"redirect :list {name!r}: the list has no members")
