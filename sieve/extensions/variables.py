"""RFC 5229: variables. The `set` action stores a value (after its modifiers) under a name;
`${name}` in later strings expands it; the `string` test matches expanded strings."""

from sieve.extensions.spec import (
    COMPARATOR,
    MATCH_TYPE,
    Arg,
    CommandSpec,
    Extension,
    Positional,
    Signature,
    Tag,
    TestSpec,
)

# RFC 5229 §4.1: the modifiers apply in order of precedence (40 :lower/:upper, 30
# :lowerfirst/:upperfirst, 20 :quotewildcard, 10 :length), and "it is an error to use two
# or more modifiers of the same precedence in a single set action". So the two pairs that
# share a precedence are groups; modifiers of different precedence combine freely.
CASE = "set-case"  # precedence 40
CASE_FIRST = "set-case-first"  # precedence 30

EXTENSION = Extension(
    capability="variables",
    summary="RFC 5229: the set action, ${...} expansion and the string test",
    commands=(
        # RFC 5229 §4: `set [MODIFIER] <name: string> <value: string>`. Other extensions
        # add modifiers through extra_tags on "set" (enotify's :encodeurl, RFC 5435).
        CommandSpec(
            "set",
            Signature(
                (
                    # RFC 5229 §3: the name must be an identifier (no match-variable digits,
                    # no "${...}"); the role tells the checker to check it.
                    Positional("name", Arg.STRING, role="variable-name"),
                    Positional("value", Arg.STRING),
                ),
                tags=(
                    Tag("lower", group=CASE),
                    Tag("upper", group=CASE),
                    Tag("lowerfirst", group=CASE_FIRST),
                    Tag("upperfirst", group=CASE_FIRST),
                    Tag("quotewildcard"),
                    Tag("length"),
                ),
            ),
        ),
    ),
    tests=(
        # RFC 5229 §5: `string [MATCH-TYPE] [COMPARATOR]
        #               <source: string-list> <key-list: string-list>`.
        TestSpec(
            "string",
            Signature(
                (
                    Positional("source", Arg.STRING_LIST),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
)
