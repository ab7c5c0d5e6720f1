"""HTML reduced to its text, for RFC 5173 `body :text` and RFC 5703 `extracttext`: a
single linear pass that drops tags, breaks lines at block elements and unescapes entities."""

from __future__ import annotations

import html
import re

# ---------------------------------------------------------------------------------------
# HTML to text (RFC 5173 §5.3 :text, RFC 5703 extracttext)

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li"),
        *("main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
_TAG_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9]*)")
_END_TAG = {
    "script": re.compile(r"</script[^>]*>", re.IGNORECASE),
    "style": re.compile(r"</style[^>]*>", re.IGNORECASE),
}


def html_to_text(markup: str) -> str:
    """Text of an HTML document: tags dropped, scripts and styles removed, entities decoded.

    A single left-to-right pass with `str.find`, so unclosed tags and comments cost
    linear time (regular expressions over HTML do not)."""
    out: list[str] = []
    pos, end = 0, len(markup)
    while pos < end:
        tag = markup.find("<", pos)
        if tag < 0:
            out.append(markup[pos:])
            break
        out.append(markup[pos:tag])
        if markup.startswith("<!--", tag):
            close = markup.find("-->", tag + 4)
            pos = end if close < 0 else close + 3
            continue
        close = markup.find(">", tag + 1)
        if close < 0:
            break
        name_match = _TAG_NAME.match(markup, tag + 1, close)
        name = name_match.group(1).lower() if name_match else ""
        pos = close + 1
        if name in _END_TAG and not markup.startswith("/", tag + 1):
            ending = _END_TAG[name].search(markup, pos)
            pos = end if ending is None else ending.end()
        elif name in _BLOCK_TAGS:
            out.append("\n")
    return html.unescape("".join(out))
