"""RFC 4790 and RFC 5228 §2.7.3: the "i;ascii-numeric" comparator, which compares
strings by the decimal number they start with (strings that do not start with a digit
count as positive infinity). Unlike "i;octet" and "i;ascii-casemap" it must be required,
as "comparator-i;ascii-numeric"."""

from sieve.extensions.spec import Extension

EXTENSION = Extension(
    capability="comparator-i;ascii-numeric",
    summary="RFC 4790: the i;ascii-numeric comparator",
    comparators=("i;ascii-numeric",),
)
