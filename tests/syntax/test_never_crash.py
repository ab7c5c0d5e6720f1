"""`sieve.parse` never raises for bad input: whatever the bytes, it returns a ParseResult whose
diagnostics are well-formed, and whose tree is there whenever there is no error.

Every check on a result is in `check_result`; the properties feed it arbitrary bytes and
"token soups" of Sieve fragments, and a few inputs that once crashed the parser stay pinned.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sieve
from sieve import Diagnostic
from sieve.syntax.ast import Script

DIALECTS = ("standard", "oracle")

# Words and punctuation of Sieve, and the pieces of strings, comments and bad bytes that
# break it; joined in any order they reach every corner of the lexer and the recovery.
_WORDS = """
    if elsif else keep fileinto x _a1 TEXT header true anyof allof not greylst size
    { } ; ( ) [ ] , :is : 10K 1.5M 10X 99999999999999999999 . /* */ /*c*/ # @ $ / \\ ü
"""
WORDS = _WORDS.split()
PIECES = [
    '"str"',
    '"unterminated',
    '"multi\nline"',
    '"esc\\"aped"',
    "text:\n",
    "text: # c\n",
    "text:",
    "\n.\n",
    "\n..\n",
    "# c\n",
    "\n",
    "\r\n",
    " ",
    "\t",
]
FRAGMENTS = [s.encode() for s in WORDS + PIECES] + [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf"]


def soups(fragments: list[bytes]) -> st.SearchStrategy[bytes]:
    """Fragments in any order, glued directly or with a space or line break between them."""
    glued = st.lists(st.sampled_from(fragments), max_size=40).map(b"".join)
    spaced = st.lists(
        st.tuples(st.sampled_from(fragments), st.sampled_from([b" ", b"\n", b""])), max_size=40
    ).map(lambda pairs: b"".join(token + gap for token, gap in pairs))
    return st.one_of(glued, spaced)


token_soups = soups(FRAGMENTS)
ascii_soups = soups([f for f in FRAGMENTS if f.isascii() and f != b"\x00"])

PROPERTY_SETTINGS = settings(max_examples=500, deadline=None)

# Inputs that crashed the PLY-based parser of commit 6e2106d (IndexError, KeyError('commands')
# or ValueError out of error recovery); each stands for one way the recovery lost its stack.
ONCE_CRASHED = [
    pytest.param(b"keep; 5;", id="number-after-command"),
    pytest.param(b"keep;;", id="double-semicolon"),
    pytest.param(b'fileinto "a" "b" ;; keep;', id="double-semicolon-after-arguments"),
    pytest.param(b"keep;\n,", id="comma-after-command"),
    pytest.param(b"keep\n]", id="bracket-after-unfinished-command"),
    pytest.param(b"x\n,", id="comma-on-next-line"),
    pytest.param(b"if true {{ keep; }}", id="block-in-block"),
    pytest.param(b"x { ]", id="bracket-first-in-block"),
    pytest.param(b"x {(", id="paren-first-in-block"),
    pytest.param(b"x { y \n ] z", id="bracket-on-next-line-in-block"),
    pytest.param(b"x { y\n, z;}", id="comma-on-next-line-in-block"),
]


def check_result(result: sieve.ParseResult) -> None:
    """What every parse result must satisfy, whatever the input: well-formed diagnostics in
    order, a tree that is None or a Script, and a tree whenever there is no error."""
    assert isinstance(result, sieve.ParseResult)
    assert result.script is None or isinstance(result.script, Script)
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        start = (diagnostic.line, diagnostic.column)
        assert (diagnostic.end_line, diagnostic.end_column) >= start, diagnostic
        assert diagnostic.severity in ("error", "warning", "note"), diagnostic
        assert diagnostic.message and diagnostic.hint, diagnostic
    positions = [(d.line, d.column) for d in result.diagnostics]
    assert positions == sorted(positions)
    if not any(d.is_error for d in result.diagnostics):
        assert result.script is not None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("source", ONCE_CRASHED)
def test_inputs_that_once_crashed_give_diagnostics(source: bytes, dialect: str) -> None:
    result = sieve.parse(source, dialect=dialect)
    check_result(result)
    assert any(d.is_error for d in result.diagnostics)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "source",
    [b"", b"{", b"}", b"(", b")", b"[", b"]", b",", b";", b'"', b"text:", b"/*", b"\xff", b"\x00"],
)
def test_single_tokens_never_raise(source: bytes, dialect: str) -> None:
    check_result(sieve.parse(source, dialect=dialect))


# (a) Arbitrary bytes.


@PROPERTY_SETTINGS
@given(source=st.binary(max_size=2000), dialect=st.sampled_from(DIALECTS))
@example(source=b"keep;\n,", dialect="oracle")
def test_arbitrary_bytes_never_raise(source: bytes, dialect: str) -> None:
    check_result(sieve.parse(source, dialect=dialect))


# (b) Token soups: Sieve fragments in any order, in both dialects.


@PROPERTY_SETTINGS
@given(source=token_soups, dialect=st.sampled_from(DIALECTS))
@example(source=b"keep; 5;", dialect="standard")
@example(source=b"x { ]", dialect="oracle")
@example(source=b"x { y\n, z;}", dialect="standard")
def test_token_soup_never_raises(source: bytes, dialect: str) -> None:
    check_result(sieve.parse(source, dialect=dialect))


# (c) Bytes and text agree: decoding is part of parsing, not a separate contract.


@PROPERTY_SETTINGS
@given(source=ascii_soups)
def test_ascii_bytes_and_str_parse_alike(source: bytes) -> None:
    from_bytes = sieve.parse(source)
    from_text = sieve.parse(source.decode())
    assert from_bytes.script == from_text.script
    assert from_bytes.diagnostics == from_text.diagnostics
