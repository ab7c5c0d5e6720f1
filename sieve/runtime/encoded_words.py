"""Character sets and RFC 2047 encoded words in header fields: decoding what senders wrote
(UTF-8, ISO-8859-x, windows-125x and the rest, B and Q; a broken word stays as written), and
encoding what scripts add. Only real text codecs are ever selected by a charset name."""

from __future__ import annotations

import binascii
import codecs
import re
from functools import lru_cache

# ---------------------------------------------------------------------------------------
# Character sets


def utf8_or_latin1(raw: bytes) -> str:
    """Bytes of unknown charset: UTF-8 when they are valid UTF-8, else Latin-1 (never fails)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# MIME names that Python spells differently or lacks; GB2312 mail is GBK in practice.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "iso-8859-6-e": "iso8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "x-sjis": "shift_jis",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
}
# Only real text codecs: a charset name must never select idna, punycode, unicode_escape
# (slow or surprising on hostile input) or a bytes-to-bytes codec.
_TEXT_CODEC = re.compile(
    r"(utf|iso8859|iso2022|cp|mac|koi8|gb|big5|euc|shift_jis|hz|johab|ascii|tis|hp.roman8"
    r"|ptcp154|kz1048|latin)"
)


@lru_cache(maxsize=512)
def codec_for(charset: str) -> str | None:
    """The Python codec for a MIME charset name, or None when unknown or not allowed."""
    name = charset.strip().strip('"').lower()
    if not name or len(name) > 64:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError, TypeError):
        return None
    return codec if _TEXT_CODEC.match(codec) else None


def decode_bytes(raw: bytes, codec: str | None) -> str:
    """Bytes in a known codec (bad sequences become U+FFFD); ASCII or unknown: UTF-8/Latin-1."""
    if codec is None or codec == "ascii":
        return utf8_or_latin1(raw)
    try:
        return raw.decode(codec, "replace")
    except Exception:  # a codec failing with errors="replace" is a codec bug, not our input's
        return utf8_or_latin1(raw)


def to_bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


# ---------------------------------------------------------------------------------------
# RFC 2047 encoded words

# RFC 2047 §2 forbids spaces in encoded-text; Pigeonhole accepts them in Q words, and so do we.
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]*)\?=")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]*")


def _word_bytes(charset: str, encoding: str, text: str) -> tuple[str, bytes] | None:
    """(codec, octets) of one encoded word, or None when it cannot be decoded."""
    codec = codec_for(charset.split("*", 1)[0])  # RFC 2231 §5: charset*language
    if codec is None:
        return None
    if encoding in "qQ":
        # RFC 2047 §4.2: "_" is a space, "=XX" an octet.
        return codec, binascii.a2b_qp(to_bytes(text), header=True)
    core = "".join(text.split()).rstrip("=")
    if len(core) % 4 == 1 or not _BASE64_TEXT.fullmatch(core):
        return None
    try:
        return codec, binascii.a2b_base64(core + "=" * (-len(core) % 4))
    except binascii.Error:
        return None


def decode_encoded_words(text: str) -> str:
    """Decode RFC 2047 encoded words anywhere in `text`, as Pigeonhole does.

    Whitespace between two encoded words is dropped (RFC 2047 §6.2), and adjacent words in
    the same charset are decoded as one byte string, so a character split across two words
    survives. A word with an unknown charset or broken base64 is left as written."""
    if "=?" not in text:
        return text
    out: list[str] = []
    run = bytearray()
    run_codec: str | None = None
    pos = 0
    after_word = False
    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        word = _word_bytes(*match.groups())
        if word is None:
            if run_codec is not None:
                out.append(decode_bytes(bytes(run), run_codec))
                run_codec = None
            out.append(gap)
            out.append(match.group())
            after_word = False
        else:
            codec, octets = word
            joined = after_word and not gap.strip(" \t\r\n")
            if joined and codec == run_codec:
                run += octets
            else:
                if run_codec is not None:
                    out.append(decode_bytes(bytes(run), run_codec))
                if not joined:
                    out.append(gap)
                run_codec, run = codec, bytearray(octets)
            after_word = True
        pos = match.end()
    if run_codec is not None:
        out.append(decode_bytes(bytes(run), run_codec))
    out.append(text[pos:])
    return "".join(out)


def encode_words(value: str) -> str:
    """`value` as RFC 2047 B-encoded UTF-8 words when it needs encoding, else unchanged.

    Each word holds whole characters, so decoding gives `value` back exactly."""
    if value.isascii() and "=?" not in value:
        return value
    words: list[str] = []
    chunk = bytearray()
    for char in value:
        octets = char.encode("utf-8", "replace")
        if len(chunk) + len(octets) > 45:  # 45 octets = 60 base64 characters: 72 per word
            words.append(chunk)
            chunk = bytearray()
        chunk += octets
    words.append(chunk)
    return " ".join(f"=?UTF-8?B?{binascii.b2a_base64(w, newline=False).decode()}?=" for w in words)
