"""RFC 5231: relational match types. `:count` compares the number of values found (header
fields, addresses, ...) and `:value` compares each value, both with a relational operator,
under the test's comparator (usually "i;ascii-numeric")."""

from sieve.extensions.spec import MATCH_TYPE, Arg, Extension, Tag

# RFC 5231 (relational-match): the six operators, case-insensitive.
OPERATORS = ("gt", "ge", "lt", "le", "eq", "ne")

EXTENSION = Extension(
    capability="relational",
    summary="RFC 5231: :count and :value relational match types",
    # RFC 5231: MATCH-TYPE =/ COUNT / VALUE, with COUNT = ":count" relational-match and
    # VALUE = ":value" relational-match. Being match types, they exclude :is, :contains,
    # :matches and each other on any test that takes MATCH-TYPE.
    group_tags=(
        Tag("count", Arg.STRING, group=MATCH_TYPE, values=OPERATORS),
        Tag("value", Arg.STRING, group=MATCH_TYPE, values=OPERATORS),
    ),
)
