"""draft-ietf-sieve-regex: the `:regex` match type (POSIX extended regular expressions)
and, with "variables", the `:quoteregex` modifier of `set`."""

from sieve.extensions.spec import MATCH_TYPE, Extension, Tag
from sieve.extensions.variables import QUOTE

EXTENSION = Extension(
    capability="regex",
    summary="draft-ietf-sieve-regex: the :regex match type",
    # draft-ietf-sieve-regex: ":regex" joins ":is", ":contains" and ":matches", so every
    # test that takes a match type takes it.
    group_tags=(Tag("regex", group=MATCH_TYPE),),
    # draft-ietf-sieve-regex: ":quoteregex" escapes the regex special characters so that
    # a variable's value can be matched literally. Its precedence is 20, like
    # ":quotewildcard", so the two cannot be combined (RFC 5229 §4.1).
    extra_tags=(("set", (Tag("quoteregex", group=QUOTE),)),),
)
