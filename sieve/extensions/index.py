"""RFC 5260 §6: the `:index` and `:last` tags, which pick one occurrence of a header
field for the header, address and date tests."""

from sieve.extensions.spec import Arg, Extension, Tag

# RFC 5260 §6: ":index" <fieldno: number> [":last"]; ":last" counts from the bottom and
# is an error without ":index" (the checker has to know that; a signature cannot say it).
INDEX_TAGS = (Tag("index", Arg.NUMBER), Tag("last", needs_tag="index"))

EXTENSION = Extension(
    capability="index",
    summary="RFC 5260: :index and :last on header, address and date",
    # The date test belongs to the "date" extension: the tags apply to it only when that
    # extension is required too.
    extra_tags=(
        ("header", INDEX_TAGS),
        ("address", INDEX_TAGS),
        ("date", INDEX_TAGS),
    ),
)
