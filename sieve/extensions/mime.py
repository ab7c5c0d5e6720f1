"""RFC 5703 §4: the `:mime` and `:anychild` tags of header, address and exists, and the
MIME options that read one part of a Content-Type style header field."""

from sieve.extensions.spec import Arg, Extension, Tag

MIME_OPTION = "mime-option"

# RFC 5703 §4: ":mime" parses the header field as MIME; ":anychild" (only inside
# foreverypart, and only with ":mime") looks at every child of the current part.
MIME_TAGS = (Tag("mime"), Tag("anychild", needs_tag="mime"))

EXTENSION = Extension(
    capability="mime",
    summary="RFC 5703: :mime and :anychild on header, address and exists",
    extra_tags=(
        # RFC 5703 §4.1: header [":mime"] [":anychild"] [MIME-OPTS] [COMPARATOR]
        #   [MATCH-TYPE] <header-names: string-list> <key-list: string-list>
        # MIME-OPTS = ":type" / ":subtype" / ":contenttype" / ":param" <param-list>; they
        # need ":mime".
        (
            "header",
            (
                *MIME_TAGS,
                Tag("type", group=MIME_OPTION, needs_tag="mime"),
                Tag("subtype", group=MIME_OPTION, needs_tag="mime"),
                Tag("contenttype", group=MIME_OPTION, needs_tag="mime"),
                Tag("param", Arg.STRING_LIST, group=MIME_OPTION, needs_tag="mime"),
            ),
        ),
        # RFC 5703 §4.2: address [":mime"] [":anychild"] [COMPARATOR] [ADDRESS-PART]
        #   [MATCH-TYPE] <header-list: string-list> <key-list: string-list>
        ("address", MIME_TAGS),
        # RFC 5703 §4.3: exists [":mime"] [":anychild"] <header-names: string-list>
        ("exists", MIME_TAGS),
    ),
)
