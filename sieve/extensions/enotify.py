"""RFC 5435: notifications. The notify action, the tests valid_notify_method and
notify_method_capability, and the `:encodeurl` modifier of `set`."""

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

EXTENSION = Extension(
    capability="enotify",
    summary="RFC 5435: the notify action and tests of notification methods",
    commands=(
        # RFC 5435 §3: notify [":from" string] [":importance" <"1" / "2" / "3">]
        #                     [":options" string-list] [":message" string] <method: string>
        CommandSpec(
            "notify",
            Signature(
                (Positional("method", Arg.STRING),),
                tags=(
                    Tag("from", Arg.STRING),
                    # RFC 5435 §3.2: 1 is high, 2 normal (the default), 3 low.
                    Tag("importance", Arg.STRING, values=("1", "2", "3")),
                    Tag("options", Arg.STRING_LIST),
                    Tag("message", Arg.STRING),
                ),
            ),
        ),
    ),
    tests=(
        # RFC 5435 §4: valid_notify_method <notification-uris: string-list>
        TestSpec(
            "valid_notify_method",
            Signature((Positional("notification-uris", Arg.STRING_LIST),)),
        ),
        # RFC 5435 §5: notify_method_capability [COMPARATOR] [MATCH-TYPE]
        #   <notification-uri: string> <notification-capability: string> <key-list: string-list>
        TestSpec(
            "notify_method_capability",
            Signature(
                (
                    Positional("notification-uri", Arg.STRING),
                    Positional("notification-capability", Arg.STRING),
                    Positional("key-list", Arg.STRING_LIST),
                ),
                groups=(COMPARATOR, MATCH_TYPE),
            ),
        ),
    ),
    # RFC 5435 §6: with "variables", `set` gains the modifier ":encodeurl" (precedence 15,
    # which no RFC 5229 modifier shares, so it conflicts with none of them).
    extra_tags=(("set", (Tag("encodeurl"),)),),
)
