"""RFC 6134: externally stored lists (address books, block lists) named by a URI."""

from sieve.extensions.spec import (
    MATCH_TYPE,
    Arg,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)

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
