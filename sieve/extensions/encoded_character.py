"""RFC 5228 §2.4.2.4: "encoded-character", which makes `${hex:...}` and `${unicode:...}` in
strings stand for the octets or Unicode characters they encode.

It adds no command, test or tag: requiring it changes how strings are read. Without the
require, such sequences are ordinary text (not an error). With it, a well-formed
`${unicode:...}` naming a value outside 0-D7FF and E000-10FFFF (a UTF-16 surrogate, say) is
an error; malformed sequences (`${hex:40`, `${hex:400}`) stay as they are."""

from sieve.extensions.spec import Extension

EXTENSION = Extension(
    capability="encoded-character",
    summary="RFC 5228 §2.4.2.4: ${hex:...} and ${unicode:...} in strings",
)
