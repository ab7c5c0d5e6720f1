"""RFC 5228 §5.4: the `envelope` test, which matches the SMTP envelope sender ("from") or
recipient ("to") rather than the message's header fields."""

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
