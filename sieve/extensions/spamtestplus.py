"""RFC 5235 §3.2.2: "spamtestplus", the spamtest test with `:percent` (a score from "0"
to "100")."""

from sieve.extensions.spec import Extension, Tag

EXTENSION = Extension(
    capability="spamtestplus",
    summary="RFC 5235: spamtest :percent",
    # RFC 5235 §3.2: requiring "spamtestplus" alone makes spamtest usable (the RFC's own
    # examples require nothing else).
    implies=("spamtest",),
    extra_tags=(("spamtest", (Tag("percent"),)),),
)
