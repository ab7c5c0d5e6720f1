"""RFC 5229 variables at run time: expanding `${name}` and `${N}` in strings, and the `set`
modifiers in their order of precedence."""

from __future__ import annotations

import re
from collections.abc import Callable

# RFC 5229 §3: variable-ref = "${" [namespace] variable-name "}", where a variable name is
# an identifier or a number (a match variable). Anything else stays literal text.
VARIABLE_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[0-9]+)\}")


def expand(text: str, lookup: Callable[[str], str]) -> str:
    """Replaces every well-formed reference, once: RFC 5229 §3 says the result is not
    expanded again, so a value holding "${x}" stays as it is."""
    if "${" not in text:
        return text
    return VARIABLE_REF.sub(lambda found: lookup(found.group(1)), text)


def truncate(value: str, limit: int) -> str:
    """RFC 5229 §4: values longer than the implementation's limit are truncated; we cut on
    a character boundary, never inside a UTF-8 sequence, since strings are characters."""
    return value if len(value) <= limit else value[:limit]
