"""RFC 5293: the addheader and deleteheader actions, which edit the message header."""

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
)

EXTENSION = Extension(
    capability="editheader",
    summary="RFC 5293: addheader and deleteheader",
    commands=(
        # RFC 5293 §4: addheader [":last"] <field-name: string> <value: string>
        CommandSpec(
            "addheader",
            Signature(
                (
                    Positional("field-name", Arg.STRING, role="header-name"),
                    Positional("value", Arg.STRING),
                ),
                tags=(Tag("last"),),
            ),
        ),
        # RFC 5293 §5: deleteheader [":index" <fieldno: number> [":last"]]
        #   [COMPARATOR] [MATCH-TYPE] <field-name: string> [<value-patterns: string-list>]
        CommandSpec(
            "deleteheader",
            Signature(
                (
                    Positional("field-name", Arg.STRING, role="header-name"),
                    Positional("value-patterns", Arg.STRING_LIST, optional=True),
                ),
                tags=(Tag("index", Arg.NUMBER), Tag("last", needs_tag="index")),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)
