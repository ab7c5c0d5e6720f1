"""RFC 5322 address lists, parsed leniently, for the `address` test and friends.

Scripts test what a header *says*, so the parser recovers what a reader would: display
names, comments, groups, quoted local parts, route addresses and obsolete syntax.
Text that is no address at all still yields an `Address` with `valid=False`, because
RFC 5228 §2.7.4 lets `:all` see it while `:localpart` and `:domain` must not.

Compared with Pigeonhole 2.3 (`sieve-test`, `address :all`): the same addresses for valid
lists, groups, routes, comments and trailing junk (`a@b@c` gives `a@b`); the same text for
an element that is no address (`John Doe jdoe@example.org`, `user@`, `@example.com`).
Where Pigeonhole gives up on the whole field, this parser keeps what it can, element by
element: an unclosed `<`, UTF-8 addresses (RFC 6532) and the elements after a bad one are
read. `<>` gives the null address and an empty group nothing (Pigeonhole: the text), and a
lone word (`joe`) is a local part without a domain (Pigeonhole: text for `:all` only).

Encoded words (RFC 2047) in display names are left as written: the message model decodes
them after parsing, so a decoded "<" or "," can never change the structure.
The tokenizer is one regular expression with no nested repetition, and every later step
walks the token list once: hostile headers cost linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox from an address header (or the text that failed to be one)."""

    localpart: str
    domain: str | None
    display: str | None = None
    valid: bool = True
    """False when the text is not an address; `localpart` then holds that text, and the
    address test must offer it only to `:all` (RFC 5228 §2.7.4)."""

    @property
    def all(self) -> str:
        """`local@domain`, the local part alone without a domain, or the invalid text.

        A local part that is not a dot-atom is quoted again, as Pigeonhole does, so the
        result is itself a valid address (`"john doe"@example.com`)."""
        if not self.valid or self.domain is None:
            return self.localpart
        return f"{quote_localpart(self.localpart)}@{self.domain}"

    def user(self, separator: str = "+") -> str:
        """RFC 5233 §4: the local part before the first separator (all of it without one)."""
        if not separator:
            return self.localpart
        return self.localpart.split(separator, 1)[0]

    def detail(self, separator: str = "+") -> str | None:
        """RFC 5233 §4: the local part after the first separator; None without a separator
        (`:detail` then matches nothing), "" for `user+@domain`."""
        if not separator or separator not in self.localpart:
            return None
        return self.localpart.split(separator, 1)[1]


# RFC 5322 §3.2.3: atext, widened to every non-ASCII character (RFC 6532).
_ATEXT = r"[^\x00-\x20\x7f\"(),.:;<>@\[\]\\]+"
_DOT_ATOM = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")


def quote_localpart(local: str) -> str:
    """The local part as written in an address: bare when a dot-atom, else quoted."""
    if _DOT_ATOM.fullmatch(local):
        return local
    return '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Token kinds; _BROKEN is an unterminated quoted string, which makes its element invalid.
_WS, _ATOM, _QUOTED, _LITERAL, _COMMENT, _SPECIAL, _BROKEN = range(7)

_TOKEN = re.compile(
    r"""
      (?P<ws>[ \t\r\n]+)
    | "(?P<quoted>(?:[^"\\]|\\.)*)(?P<closed>"|\\?\Z)
    | (?P<literal>\[(?:[^\[\]\\]|\\.)*(?:\]|\\?\Z))
    | (?P<comment>\()
    | (?P<special>[<>:;@,.])
    | (?P<atom>[^ \t\r\n"\[\]()<>:;@,.\\]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_COMMENT_STOP = re.compile(r"[()\\]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)

# (kind, value, start, end); value is unescaped for quoted strings and comments.
_Token = tuple[int, str, int, int]


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _comment_end(text: str, start: int) -> int:
    """The end of the (possibly nested) comment opening at `start`; unclosed runs to the end."""
    depth = 0
    pos = start
    for stop in _COMMENT_STOP.finditer(text, start):
        char = stop.group()
        if stop.start() < pos:  # the character right after a backslash
            continue
        if char == "\\":
            pos = stop.start() + 2
            continue
        depth += 1 if char == "(" else -1
        pos = stop.end()
        if depth == 0:
            return pos
    return len(text)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:  # cannot happen: `other` matches any character
            break
        kind = match.lastgroup
        if kind == "comment":
            close = _comment_end(text, pos)
            inner = text[pos + 1 : close - 1 if text[close - 1 : close] == ")" else close]
            tokens.append((_COMMENT, _unescape(inner), pos, close))
            pos = close
            continue
        value = match.group(kind)
        if kind == "ws":
            tokens.append((_WS, " ", pos, match.end()))
        elif kind == "closed":
            closed = match.group("closed") == '"'
            if closed:
                tokens.append((_QUOTED, _unescape(match.group("quoted")), pos, match.end()))
            else:
                tokens.append((_BROKEN, match.group(), pos, match.end()))
        elif kind == "literal":
            tokens.append((_LITERAL, value, pos, match.end()))
        elif kind == "special":
            tokens.append((_SPECIAL, value, pos, match.end()))
        else:  # atom, or a stray character such as ")" or "]" kept as text
            tokens.append((_ATOM, value, pos, match.end()))
        pos = match.end()
    return tokens


# The shape of nearly every real header: `Name <local@domain>` or `local@domain`, comma
# separated, with no quotes, comments or groups. Such a list is read by one regular
# expression per element (unambiguous: words contain no blanks), anything else by the
# tokenizer; both give the same addresses for what the fast path accepts.
_WORD = r"[^\s\"(),:;<>@\[\]\\]+"
_DOTTED = r"[^\s\"(),.:;<>@\[\]\\]+(?:\.[^\s\"(),.:;<>@\[\]\\]+)*"
_SIMPLE = re.compile(
    rf"[ \t]*(?:(?:(?P<name>{_WORD}(?:[ \t]+{_WORD})*)[ \t]*)?"
    rf"<(?P<local>{_DOTTED})@(?P<domain>{_DOTTED})>"
    rf"|(?P<bare>{_DOTTED})@(?P<bare_domain>{_DOTTED}))[ \t]*(?:,|\Z)"
)


def parse_address_list(text: str) -> list[Address]:
    """Every mailbox in an address-list header value, group members flattened (RFC 5322 §3.4).

    Empty groups and empty list elements give nothing; `<>` gives `Address("", None)`.
    An element that cannot be read as a mailbox gives `Address(text, None, valid=False)`."""
    simple = _parse_simple(text)
    return simple if simple is not None else _parse_full(text)


def _parse_simple(text: str) -> list[Address] | None:
    found: list[Address] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _SIMPLE.match(text, pos)
        if match is None:
            return None
        if match.group("local"):
            name = match.group("name")
            display = " ".join(name.split()) if name else None
            found.append(Address(match.group("local"), match.group("domain"), display))
        else:
            found.append(Address(match.group("bare"), match.group("bare_domain")))
        pos = match.end()
    return found if found else None


def _parse_full(text: str) -> list[Address]:
    tokens = _tokenize(text)
    addresses: list[Address] = []
    segment: list[_Token] = []
    in_angle = in_group = False
    for token in tokens:
        kind, value = token[0], token[1]
        if in_angle:
            segment.append(token)
            if kind == _SPECIAL and value == ">":
                in_angle = False
            continue
        if kind == _SPECIAL:
            if value == "<":
                in_angle = True
            elif value == ",":
                _flush(text, segment, addresses)
                segment = []
                continue
            elif value == ":" and not in_group and _is_phrase(segment):
                # RFC 5322 §3.4: group = display-name ":" [group-list] ";"
                in_group = True
                segment = []
                continue
            elif value == ";" and in_group:
                _flush(text, segment, addresses)
                segment = []
                in_group = False
                continue
        segment.append(token)
    _flush(text, segment, addresses)
    return addresses


def _is_phrase(segment: list[_Token]) -> bool:
    """True when the tokens so far can be a group's display name (words only)."""
    words = (_WS, _COMMENT, _ATOM, _QUOTED)
    return all(kind in words or value == "." for kind, value, _, _ in segment)


def _flush(text: str, segment: list[_Token], out: list[Address]) -> None:
    significant = [token for token in segment if token[0] not in (_WS, _COMMENT)]
    if not significant:
        return
    address = _mailbox(segment, significant)
    if address is None:
        raw = text[significant[0][2] : significant[-1][3]].strip()
        address = Address(raw, None, None, valid=False)
    out.append(address)


def _mailbox(segment: list[_Token], significant: list[_Token]) -> Address | None:
    opening = next((i for i, t in enumerate(segment) if t[0] == _SPECIAL and t[1] == "<"), None)
    if opening is None:
        return _bare_mailbox(segment, significant)
    # RFC 5322 §3.4: name-addr = [display-name] angle-addr; an unclosed "<" runs to the end.
    closing = next(
        (i for i in range(opening + 1, len(segment)) if segment[i][:2] == (_SPECIAL, ">")),
        len(segment),
    )
    display = _phrase(segment[:opening]) or _first_comment(
        segment[:opening] + segment[closing + 1 :]
    )
    inner = [t for t in segment[opening + 1 : closing] if t[0] not in (_WS, _COMMENT)]
    if not inner:
        return Address("", None, display)  # "<>": the null address
    if inner[0][:2] == (_SPECIAL, "@"):
        # RFC 5322 §4.4 obs-route: "@a.example,@b.example:" before the addr-spec.
        colon = max((i for i, t in enumerate(inner) if t[:2] == (_SPECIAL, ":")), default=-1)
        inner = inner[colon + 1 :]
    spec = _addr_spec(inner)
    if spec is None:
        return None
    local, domain, used = spec
    if used < len(inner):
        return None
    return Address(local, domain, display)


def _bare_mailbox(segment: list[_Token], significant: list[_Token]) -> Address | None:
    spec = _addr_spec(significant)
    if spec is None:
        return None
    local, domain, used = spec
    if domain is None and used < len(significant):
        return None  # several words and no "@": a phrase, not an address
    # Trailing junk after a complete addr-spec is ignored, as Pigeonhole does.
    return Address(local, domain, _first_comment(segment))


def _addr_spec(tokens: list[_Token]) -> tuple[str, str | None, int] | None:
    """(local part, domain or None, tokens used) for `local@domain` or a lone local part.

    RFC 5322 §4.4 obs-local-part allows CFWS around dots, so whitespace is ignored here;
    dots may also lead, trail or repeat (`john.@example.com`, as real mail has)."""
    local: list[str] = []
    i, count = 0, len(tokens)
    previous_word = False
    while i < count:
        kind, value = tokens[i][0], tokens[i][1]
        if kind in (_ATOM, _QUOTED):
            if previous_word:
                break
            previous_word = True
        elif (kind, value) == (_SPECIAL, "."):
            previous_word = False
        else:
            break
        local.append(value)
        i += 1
    if i == count or tokens[i][:2] != (_SPECIAL, "@"):
        return ("".join(local), None, i) if local else None
    if not local:
        return None
    i += 1
    if i < count and tokens[i][0] == _LITERAL:
        return "".join(local), tokens[i][1], i + 1
    domain: list[str] = []
    previous_word = False
    while i < count:
        kind, value = tokens[i][0], tokens[i][1]
        if kind == _ATOM and not previous_word:
            previous_word = True
        elif (kind, value) == (_SPECIAL, ".") and domain:
            previous_word = False
        else:
            break
        domain.append(value)
        i += 1
    if not domain:
        return None
    return "".join(local), "".join(domain), i


def _phrase(tokens: list[_Token]) -> str | None:
    """A display name: words joined by single spaces, quotes removed, comments dropped."""
    words: list[str] = []
    for kind, value, _, _ in tokens:
        if kind in (_WS, _COMMENT):
            if words and words[-1] != " ":
                words.append(" ")
        else:
            words.append(value)
    phrase = "".join(words).strip()
    return phrase or None


def _first_comment(tokens: list[_Token]) -> str | None:
    """The first non-empty comment: old mail writes `jdoe@example.org (John Doe)`."""
    for kind, value, _, _ in tokens:
        if kind == _COMMENT and value.strip():
            return " ".join(value.split())
    return None
