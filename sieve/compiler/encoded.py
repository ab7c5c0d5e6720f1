"""RFC 5228 §2.4.2.4 encoded characters: `${hex:…}` and `${unicode:…}` in strings are
replaced by the characters they name when the script is compiled, before variable
expansion: so, as in Pigeonhole, "${hex:24 7b}x}" becomes "${x}", which then expands."""

from __future__ import annotations

import re
from collections.abc import Iterator

_ENCODED = re.compile(
    r"\$\{(?:(hex)|(unicode)):[ \t]*((?:[0-9A-Fa-f]+[ \t\r\n]*)*?)[ \t\r\n]*\}", re.IGNORECASE
)


def decode_encoded(text: str) -> str:
    if "${" not in text:
        return text
    return _ENCODED.sub(_replace, text)


def _replace(found: re.Match[str]) -> str:
    numbers = found.group(3).split()
    if not numbers:
        return found.group(0)
    if found.group(1):
        # hex-pair = 1*2HEXDIG: octets of UTF-8; anything else stays as written.
        if any(len(pair) > 2 for pair in numbers):
            return found.group(0)
        try:
            return bytes(int(pair, 16) for pair in numbers).decode("utf-8")
        except ValueError:
            return found.group(0)
    points = [int(number, 16) for number in numbers]
    # Surrogates and values past U+10FFFF are not characters (the checker reports them).
    if not all(map(_is_character, points)):
        return found.group(0)
    return "".join(map(chr, points))


def not_characters(text: str) -> Iterator[tuple[str, int]]:
    """Each `${unicode:…}` of `text` that names a non-character, as (its text, the first
    such code point): what the compiler leaves undecoded, for the checker to report."""
    for found in _ENCODED.finditer(text):
        if found.group(2):
            bad = [p for p in (int(n, 16) for n in found.group(3).split()) if not _is_character(p)]
            if bad:
                yield found.group(0), bad[0]


def _is_character(point: int) -> bool:
    """A Unicode scalar value: not a surrogate, not past U+10FFFF."""
    return not (0xD800 <= point <= 0xDFFF or point > 0x10FFFF)
