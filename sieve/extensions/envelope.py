"""RFC 5228 §5.4: the `envelope` test, which matches the SMTP envelope sender ("from") or
recipient ("to") rather than the message's header fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sieve.extensions.spec import (
    ADDRESS_PART,
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    TestSpec,
)
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.fields import address_part, address_values, split_envelope_address

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

EXTENSION = Extension(
    capability="envelope",
    summary="RFC 5228 §5.4: test the SMTP envelope sender and recipient",
    tests=(
        # RFC 5228 §5.4: `envelope [COMPARATOR] [ADDRESS-PART] [MATCH-TYPE]
        #                 <envelope-part: string-list> <key-list: string-list>`.
        TestSpec(
            "envelope",
            Signature(
                (
                    # RFC 5228 §5.4 defines the (case-insensitive) parts "from" and "to" and
                    # says "implementations SHOULD consider unknown envelope parts an error";
                    # Pigeonhole does ("envelope part 'orcpt' is not supported"). RFC 6009
                    # (envelope-dsn, envelope-deliverby) adds further parts when those
                    # capabilities are required: a spec field for extension-added values is
                    # needed before such a module can widen this list.
                    Positional("envelope-part", Arg.STRING_LIST, values=("from", "to")),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(ADDRESS_PART, COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("envelope")
def envelope(run: Run, args: Args) -> bool:
    part = address_part(args)
    values: list[str] = []
    for name in run.strings(args.positionals[0]):
        path = _envelope_part(run, name.lower())
        if path is None:
            continue
        # RFC 5228 §5.4: the null reverse-path matches "" whatever the address part.
        if path in ("", "<>"):
            values.append("")
            continue
        values.extend(address_values([split_envelope_address(path)], part))
    return run.match(args, values, args.positionals[1])


def _envelope_part(run: Run, name: str) -> str | None:
    envelope = run.envelope
    if name == "from":
        return envelope.mail_from
    if name == "to":
        return envelope.rcpt_to
    if name in ("orig_to", "orcpt"):
        return envelope.orig_to
    if name == "auth":
        return envelope.auth
    return None
