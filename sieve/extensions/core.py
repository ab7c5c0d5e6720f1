"""The base language of RFC 5228: control commands, keep/discard/redirect, the core tests,
the shared match-type, comparator and address-part groups. Always available."""

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
