"""Comparators and match types, as tables of examples: (match type, comparator, values, keys)
and what the test answers, with the match variables ${0}.. where they are set.

Capture tables marked "Pigeonhole" were checked against Dovecot Pigeonhole 2.3.19's
sieve-test; where Pigeonhole is wrong (its :matches has bugs), the table says so.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sieve.runtime.comparators import COMPARATORS, comparator, numeric_value
from sieve.runtime.matching import (
    MAX_MATCH_VARIABLES,
    Glob,
    Matcher,
    MatchError,
    MatchResult,
    glob_to_matcher,
    quote_regex,
    quote_wildcard,
)

OCTET, CASEMAP, NUMERIC, UNICODE = (
    "i;octet",
    "i;ascii-casemap",
    "i;ascii-numeric",
    "i;unicode-casemap",
)


def run(
    match_type: str,
    values: list[str],
    keys: list[str],
    comparator_name: str = CASEMAP,
    relation: str | None = None,
) -> MatchResult:
    matcher = Matcher(match_type, comparator_name, relation, keys, captures=True)
    return matcher.test(values)


def captures(match_type: str, value: str, key: str, comparator_name: str = CASEMAP) -> list[str]:
    """${0}.. as a list, or [] when the key does not match."""
    result = run(match_type, [value], [key], comparator_name)
    return list(result.captures or ()) if result.matched else []


# --- comparators ---------------------------------------------------------------------------

EQUALITY = [
    # (comparator, a, b, equal)
    (OCTET, "Hello", "Hello", True),
    (OCTET, "Hello", "hello", False),
    (CASEMAP, "Hello", "hELLO", True),
    (CASEMAP, "", "", True),
    # RFC 4790 §9.2: only a-z are folded.
    (CASEMAP, "é", "É", False),
    (CASEMAP, "straße", "STRASSE", False),
    # RFC 4790 §9.1: the number a string starts with; no leading digit is +infinity.
    (NUMERIC, "0010", "10", True),
    (NUMERIC, "12abc", "12", True),
    (NUMERIC, "0", "000", True),
    (NUMERIC, "abc", "xyz", True),
    (NUMERIC, "", "abc", True),
    (NUMERIC, "1", "abc", False),
    (NUMERIC, " 1", "1", False),
    (NUMERIC, "٣", "3", False),  # only ASCII digits are digits
    # RFC 5051: case-insensitive across Unicode, compatibility forms decomposed.
    (UNICODE, "É", "é", True),
    (UNICODE, "é", "e\u0301", True),
    (UNICODE, "é", "e", False),
    (UNICODE, "straße", "STRASSE", True),
    (UNICODE, "ﬁle", "FILE", True),
    (UNICODE, "İ", "i\u0307", True),
    (UNICODE, "İ", "i", False),
    (UNICODE, "ΣΊΣΥΦΟΣ", "σίσυφος", True),
    (UNICODE, "Hello", "hELLO", True),
]


@pytest.mark.parametrize(("name", "a", "b", "equal"), EQUALITY)
def test_equality(name: str, a: str, b: str, equal: bool) -> None:
    assert comparator(name).equals(a, b) is equal
    assert comparator(name).equals(b, a) is equal
    assert run("is", [a], [b], name).matched is equal


ORDER = [
    # (comparator, value, key, order)
    (OCTET, "a", "b", -1),
    (OCTET, "B", "a", -1),
    (OCTET, "abc", "ab", 1),
    (CASEMAP, "B", "a", 1),
    (CASEMAP, "ab", "AB", 0),
    # RFC 4790 §9.2 folds to upper case, so "_" (0x5F) sorts after every letter.
    # (Pigeonhole folds to lower case and says "_" < "a"; we follow the RFC.)
    (CASEMAP, "_", "a", 1),
    (OCTET, "_", "a", -1),
    (NUMERIC, "9", "10", -1),
    (NUMERIC, "007", "8", -1),
    (NUMERIC, "12", "12", 0),
    (NUMERIC, "abc", "999999999999999999999999", 1),
    (NUMERIC, "abc", "", 0),
    (NUMERIC, "1" + "0" * 5000, "9" * 5000, 1),  # longer than int() accepts
    (UNICODE, "Äpfel", "äpfel", 0),
    (UNICODE, "b", "A", 1),
]


@pytest.mark.parametrize(("name", "value", "key", "order"), ORDER)
def test_order(name: str, value: str, key: str, order: int) -> None:
    assert comparator(name).order(value, key) == order
    assert comparator(name).order(key, value) == -order


def test_numeric_value_is_the_leading_digits_without_zeros() -> None:
    assert [numeric_value(s) for s in ("42abc", "0007", "000", "x1", "")] == [
        "42",
        "7",
        "0",
        None,
        None,
    ]


def test_comparator_names_are_case_insensitive_and_unknown_names_raise() -> None:
    assert comparator("I;ASCII-CaseMap") is COMPARATORS[CASEMAP]
    with pytest.raises(MatchError) as raised:
        comparator("i;klingon")
    assert raised.value.code == "unknown-comparator"


def test_ascii_numeric_has_no_substring_operation() -> None:
    # RFC 4790 §9.1: equality and ordering only.
    with pytest.raises(MatchError) as raised:
        comparator(NUMERIC).contains("123", "2")
    assert raised.value.code == "comparator-no-substring"
    for match_type in ("contains", "matches", "regex"):
        with pytest.raises(MatchError):
            Matcher(match_type, NUMERIC, keys=["1"])


# --- :is, :contains --------------------------------------------------------------------------

SIMPLE = [
    # (match type, comparator, values, keys, matched)
    ("is", CASEMAP, ["Frobnitz"], ["frobnitz"], True),
    ("is", CASEMAP, ["Frobnitz"], ["frob"], False),
    ("is", CASEMAP, [""], [""], True),
    ("is", CASEMAP, ["x"], [""], False),
    ("is", CASEMAP, [], [""], False),
    ("is", CASEMAP, ["a", "b"], ["c", "B"], True),
    ("is", CASEMAP, ["a"], [], False),
    ("contains", CASEMAP, ["Hello World"], ["lo w"], True),
    ("contains", OCTET, ["Hello World"], ["lo w"], False),
    ("contains", CASEMAP, ["anything"], [""], True),
    ("contains", CASEMAP, [""], [""], True),
    ("contains", CASEMAP, [], [""], False),
    ("contains", CASEMAP, ["$$$ money"], ["$$$"], True),
    ("contains", UNICODE, ["GRÜSSE aus Köln"], ["grüße"], True),
]


@pytest.mark.parametrize(("match_type", "name", "values", "keys", "matched"), SIMPLE)
def test_is_and_contains(
    match_type: str, name: str, values: list[str], keys: list[str], matched: bool
) -> None:
    result = run(match_type, values, keys, name)
    assert result.matched is matched
    assert result.captures is None  # only :matches and :regex set match variables


# --- :matches --------------------------------------------------------------------------------

MATCHES = [
    # (comparator, value, key, matched)
    (CASEMAP, "", "*", True),
    (CASEMAP, "", "", True),
    (CASEMAP, "", "?", False),
    (CASEMAP, "", "**", True),
    (CASEMAP, "a", "", False),
    (CASEMAP, "abc", "?*", True),
    (CASEMAP, "a", "??*", False),
    (CASEMAP, "Frobnitz", "frob*", True),
    (OCTET, "Frobnitz", "frob*", False),
    (CASEMAP, "spam@example.com", "*@EXAMPLE.com", True),
    (CASEMAP, "spam@example.org", "*@example.com", False),
    (CASEMAP, "a money b", "*money*", True),
    (CASEMAP, "ab", "a*b*", True),
    (CASEMAP, "ab", "a*?b", False),
    (CASEMAP, "aXbXc", "a*b*c", True),
    # RFC 5228 §2.7.1: a backslash makes the next character literal. (The Sieve string
    # "\\*" reaches the matcher as the two characters \*.)
    (CASEMAP, "a*b", r"a\*b", True),
    (CASEMAP, "axb", r"a\*b", False),
    (CASEMAP, "what?", r"what\?", True),
    (CASEMAP, "whatx", r"what\?", False),
    (CASEMAP, "a\\b", r"a\\b", True),
    (CASEMAP, "ab", r"a\b", True),  # \b is just "b", as in Pigeonhole
    (CASEMAP, "x*y", r"*\**", True),
    (CASEMAP, "ab\\", "ab\\", True),  # a lone trailing backslash stands for itself
    # Pigeonhole 2.3.19 gets these wrong; the reference matcher below agrees with us.
    (CASEMAP, "..aa", "?a*", False),
    (OCTET, ".bAbBbB", ".??B*", False),
    (OCTET, "a.ababa", "*a?aba", True),
    (CASEMAP, "baBba", "b*?b?", True),
]


@pytest.mark.parametrize(("name", "value", "key", "matched"), MATCHES)
def test_matches(name: str, value: str, key: str, matched: bool) -> None:
    assert run("matches", [value], [key], name).matched is matched
    assert glob_to_matcher(key, comparator(name)).test(value) is matched
    assert (reference_glob(key, value, comparator(name).fold) is not None) is matched


MATCH_CAPTURES = [
    # (key, value, ${0}, ${1}, ...): all checked against Pigeonhole's sieve-test.
    ("*.*", "a.b.c", ["a.b.c", "a", "b.c"]),
    ("*@*", "x@y@z", ["x@y@z", "x", "y@z"]),
    ("?*", "abc", ["abc", "a", "bc"]),
    ("*?", "abc", ["abc", "ab", "c"]),
    ("*?*", "abc", ["abc", "", "a", "bc"]),
    ("**", "abc", ["abc", "", "abc"]),
    ("*?*?", "abc", ["abc", "", "a", "b", "c"]),
    ("a?c", "abc", ["abc", "b"]),
    ("*a*b", "xaybab", ["xaybab", "x", "yba"]),
    ("*a", "aaa", ["aaa", "aa"]),
    ("*b?*", "abcabc", ["abcabc", "a", "c", "abc"]),
    ("*a?b", "aaab", ["aaab", "a", "a"]),
    ("*?b*", "abab", ["abab", "", "a", "ab"]),
    ("?*?", "aaab", ["aaab", "a", "aa", "b"]),
    ("*?a*?", "aaab", ["aaab", "", "a", "a", "b"]),
    ("*", "", ["", ""]),
    ("*x*", "aXbXc", ["aXbXc", "a", "bXc"]),
    # The comparator folds for matching; the variables hold the original text.
    ("*.*", "ABC.def", ["ABC.def", "ABC", "def"]),
    ("a*", "ABC", ["ABC", "BC"]),
    # RFC 5229 §3.2's example.
    (
        "[*] *",
        "[acme-users] [fwd] version 1.0 is out",
        ["[acme-users] [fwd] version 1.0 is out", "acme-users", "[fwd] version 1.0 is out"],
    ),
    (
        "*<*@*>",
        "Acme <list@acme.example>",
        ["Acme <list@acme.example>", "Acme ", "list", "acme.example"],
    ),
    # Only ${0}..${9} exist: later wildcards set nothing.
    (
        "* * * * * * * * * * *",
        "1 2 3 4 5 6 7 8 9 10 11",
        ["1 2 3 4 5 6 7 8 9 10 11", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    ),
    ("?" * 12, "abcdefghijkl", ["abcdefghijkl", *"abcdefghi"]),
]


@pytest.mark.parametrize(("key", "value", "expected"), MATCH_CAPTURES)
def test_matches_captures(key: str, value: str, expected: list[str]) -> None:
    assert captures("matches", value, key) == expected
    assert list(glob_to_matcher(key, comparator(CASEMAP)).match(value) or ()) == expected


def test_the_first_matching_value_wins_then_the_first_key() -> None:
    # Values are tried in order, each against every key (Pigeonhole's order too).
    result = run("matches", ["one", "two"], ["t*", "o*"])
    assert result.captures == ("one", "ne")
    result = run("matches", ["one"], ["*e", "o*"])
    assert result.captures == ("one", "on")


def test_no_captures_unless_asked_for() -> None:
    matcher = Matcher("matches", keys=["*@*"])
    assert matcher.test(["a@b"]) == MatchResult(True, None)
    assert matcher.test(["ab"]) == MatchResult(False, None)


UNICODE_MATCHES = [
    # (value, key, ${0}.. or [] for no match): `?` is one character as written, accents
    # included, whatever it folds to.
    ("Straße", "stra?e", ["Straße", "ß"]),
    ("STRASSE", "stra?e", []),
    ("café", "caf?", ["café", "é"]),
    ("cafe\u0301", "caf?", ["cafe\u0301", "e\u0301"]),
    ("Köln", "k?ln", ["Köln", "ö"]),
    ("Köln", "KÖ*", ["Köln", "ln"]),
    ("Straße", "*SS*", ["Straße", "Stra", "e"]),
    # "s" is half of "ß" (folded "SS"), not a character of its own; :contains "as" is
    # true all the same, as it compares the folded texts.
    ("Straße", "*s", []),
    ("Straße", "*se", []),
    ("Straße", "stras*", []),
    ("Straße", "*as*", []),
    ("Straße", "*?se", []),
    ("ﬁle", "FI*", ["ﬁle", "le"]),
    ("plain ascii", "PLAIN *", ["plain ascii", "ascii"]),
    ("é", "??", []),
    ("é", "?*?", []),
    ("é", "*é", ["é", ""]),
    ("", "?", []),
]


@pytest.mark.parametrize(("value", "key", "expected"), UNICODE_MATCHES)
def test_unicode_casemap_matches(value: str, key: str, expected: list[str]) -> None:
    assert captures("matches", value, key, UNICODE) == expected


# --- :regex ----------------------------------------------------------------------------------

REGEX = [
    # (comparator, value, key, ${0}.. or [] for no match): checked against Pigeonhole.
    (CASEMAP, "HELLO world", "hello (W.*)", ["HELLO world", "world"]),
    (OCTET, "HELLO world", "hello (W.*)", []),
    (
        CASEMAP,
        "coyote@ACME.Example.COM",
        r"^([^@]*)@(.*)\.([a-z]+)$",
        ["coyote@ACME.Example.COM", "coyote", "ACME.Example", "COM"],
    ),
    # ${0} is the matched text, not the whole value; POSIX leftmost-longest.
    (CASEMAP, "xabcd", "(a|ab)(c|bcd)?", ["abcd", "a", "bcd"]),
    (CASEMAP, "ab", "a|ab", ["ab"]),
    (CASEMAP, "foo bar", "(o+) (b|ba)(r?)", ["oo bar", "oo", "ba", "r"]),
    (CASEMAP, "abab", "(ab)*", ["abab", "ab"]),
    # A group that took no part is empty.
    (CASEMAP, "xyz", "(a)?(x)", ["x", "", "x"]),
    (CASEMAP, "abc", "^b", []),
    (CASEMAP, "abc", "", [""]),
    (CASEMAP, "", "^$", [""]),
    (CASEMAP, "line1\nline2", "1.l", ["1\nl"]),  # POSIX: "." matches a newline
    (CASEMAP, "abcdefghijkl", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", ["abcdefghijk", *"abcdefghi"]),
    (UNICODE, "GRÜN", "grün", ["GRÜN"]),
]


@pytest.mark.parametrize(("name", "value", "key", "expected"), REGEX)
def test_regex(name: str, value: str, key: str, expected: list[str]) -> None:
    assert captures("regex", value, key, name) == expected
    assert Matcher("regex", name, keys=[key]).test([value]).matched is bool(expected)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("(a", "bad-regex"),
        (r"(a)\1", "bad-regex"),  # RE2 has no backreferences
        ("a{1001}", "bad-regex"),
    ],
)
def test_regex_rejected_by_re2_gives_its_reason(key: str, code: str) -> None:
    with pytest.raises(MatchError) as raised:
        Matcher("regex", keys=[key])
    assert raised.value.code == code
    assert key in raised.value.message and ":" in raised.value.message


def test_regex_memory_limit() -> None:
    key = "(" + "[a-z]" * 200 + "){20}"
    assert Matcher("regex", keys=[key]).test(["x"]).matched is False
    with pytest.raises(MatchError) as raised:
        Matcher("regex", keys=[key], regex_max_mem=64 * 1024)
    assert raised.value.code == "regex-too-large"


def test_regex_on_text_that_is_not_valid_unicode() -> None:
    # Undecodable header bytes arrive as surrogate escapes; they must not crash the match.
    result = run("regex", ["a\udcff\udc80b"], ["a(.*)b"])
    assert result.matched and result.captures is not None and len(result.captures) == 2


# --- :count and :value (RFC 5231) ------------------------------------------------------------

RELATIONAL = [
    # (match type, comparator, relation, values, keys, matched): checked against Pigeonhole.
    ("value", NUMERIC, "gt", ["10"], ["9"], True),
    ("value", NUMERIC, "ge", ["9"], ["9"], True),
    ("value", NUMERIC, "lt", ["007"], ["8"], True),
    ("value", NUMERIC, "le", ["8"], ["7"], False),
    ("value", NUMERIC, "eq", ["007"], ["7"], True),
    ("value", NUMERIC, "ne", ["007"], ["7"], False),
    ("value", NUMERIC, "eq", ["abc"], ["xyz"], True),  # infinity equals infinity
    ("value", NUMERIC, "gt", ["abc"], ["999"], True),
    ("value", NUMERIC, "lt", [""], ["5"], False),
    ("value", NUMERIC, "ge", ["1"], ["x"], False),
    ("value", CASEMAP, "gt", ["b"], ["A"], True),
    ("value", CASEMAP, "ne", ["a"], ["A"], False),
    ("value", CASEMAP, "le", ["ab"], ["abc"], True),
    ("value", CASEMAP, "eq", ["x", "y"], ["Y"], True),  # any value against any key
    ("value", CASEMAP, "GT", ["b"], ["a"], True),  # operators are case-insensitive
    ("value", NUMERIC, "eq", [], ["0"], False),
    # :count compares the number of values, written in decimal.
    ("count", NUMERIC, "eq", ["a", "b"], ["2"], True),
    ("count", NUMERIC, "gt", ["a", "b"], ["1"], True),
    ("count", NUMERIC, "ge", ["a", "b"], ["3"], False),
    ("count", NUMERIC, "le", ["a", "b"], ["2"], True),
    ("count", NUMERIC, "ne", ["a"], ["1", "2"], True),
    ("count", NUMERIC, "eq", [], ["0"], True),
    ("count", NUMERIC, "lt", [], ["1"], True),
    ("count", NUMERIC, "lt", ["a"], ["x"], True),
    ("count", NUMERIC, "lt", ["a"] * 10, ["9"], False),
    ("count", CASEMAP, "lt", ["a"] * 10, ["9"], True),  # "10" < "9" as text
    ("count", NUMERIC, "eq", ["a"], [], False),
]


@pytest.mark.parametrize(
    ("match_type", "name", "relation", "values", "keys", "matched"), RELATIONAL
)
def test_relational(
    match_type: str, name: str, relation: str, values: list[str], keys: list[str], matched: bool
) -> None:
    assert run(match_type, values, keys, name, relation).matched is matched


@pytest.mark.parametrize("relation", [None, "", "gte", "=="])
def test_relational_needs_a_known_operator(relation: str | None) -> None:
    with pytest.raises(MatchError) as raised:
        Matcher("value", NUMERIC, relation, ["1"])
    assert raised.value.code == "bad-relation"


def test_unknown_match_type() -> None:
    with pytest.raises(MatchError) as raised:
        Matcher("fuzzy", keys=["x"])
    assert raised.value.code == "unknown-match-type"


# --- quoting (RFC 5229 §4.1, draft-ietf-sieve-regex) ----------------------------------------


def test_quote_wildcard() -> None:
    assert quote_wildcard(r"a*b?c\d.e") == r"a\*b\?c\\d.e"  # as Pigeonhole's :quotewildcard


def test_quote_regex() -> None:
    assert quote_regex("a.b*c\\d[e]{f}(g)|h^i$j+k?l-m") == (
        r"a\.b\*c\\d\[e\]\{f\}\(g\)\|h\^i\$j\+k\?l-m"
    )


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_quoted_text_matches_exactly_itself(text: str) -> None:
    assert run("matches", [text], [quote_wildcard(text)], OCTET).captures == (text,)
    assert run("matches", [text + "x"], [quote_wildcard(text)], OCTET).matched is False
    assert run("regex", [text], ["^" + quote_regex(text) + "$"], OCTET).captures == (text,)


# --- :matches against a slow reference ------------------------------------------------------


def _glob_tokens(pattern: str) -> list[tuple[str, str]]:
    tokens, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            tokens.append(("lit", pattern[i + 1] if i + 1 < len(pattern) else "\\"))
            i += 2
            continue
        tokens.append((char, "") if char in "*?" else ("lit", char))
        i += 1
    return tokens


def reference_glob(pattern: str, value: str, fold=lambda s: s) -> list[str] | None:  # noqa: ANN001
    """Textbook backtracking: each `*` tries the shortest expansion first. Exponential, so
    only for short strings; its first success defines which captures are right."""
    tokens = _glob_tokens(pattern)
    folded = fold(value)

    def walk(t: int, v: int) -> list[str] | None:
        if t == len(tokens):
            return [] if v == len(value) else None
        kind, char = tokens[t]
        if kind == "*":
            for end in range(v, len(value) + 1):
                rest = walk(t + 1, end)
                if rest is not None:
                    return [value[v:end], *rest]
            return None
        if v == len(value):
            return None
        if kind == "?":
            rest = walk(t + 1, v + 1)
            return None if rest is None else [value[v], *rest]
        return walk(t + 1, v + 1) if folded[v] == fold(char) else None

    found = walk(0, 0)
    return None if found is None else [value, *found][:MAX_MATCH_VARIABLES]


PARTS = ["a", "b", "A", ".", "*", "?", r"\*", r"\?", "\\\\"]


def draw_value(data: st.DataObject, parts: list[str], alphabet: str) -> str:
    """Mostly a value made to fit the pattern (with the odd slip), so that most examples
    match and the captures get compared; sometimes any text at all."""
    if data.draw(st.integers(0, 3)) == 0:
        return data.draw(st.text(alphabet, max_size=9))
    out = []
    for part in parts:
        if part == "*":
            out.append(data.draw(st.text(alphabet, max_size=3)))
        elif part == "?":
            out.append(data.draw(st.sampled_from(alphabet)))
        else:
            char = part[-1]
            out.append(char.swapcase() if data.draw(st.integers(0, 5)) == 0 else char)
    value = "".join(out)
    if value and data.draw(st.integers(0, 5)) == 0:  # a slip: drop one character
        cut = data.draw(st.integers(0, len(value) - 1))
        value = value[:cut] + value[cut + 1 :]
    return value


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(PARTS), max_size=7),
    st.sampled_from([OCTET, CASEMAP, UNICODE]),
    st.data(),
)
def test_glob_agrees_with_the_reference(parts: list[str], name: str, data: st.DataObject) -> None:
    pattern, value = "".join(parts), draw_value(data, parts, "abAB.*?\\")
    expected = reference_glob(pattern, value, comparator(name).fold)
    assert captures("matches", value, pattern, name) == (expected or [])
    assert Matcher("matches", name, keys=[pattern]).test([value]).matched is (expected is not None)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_glob_built_from_the_value_always_matches(data: st.DataObject) -> None:
    # Long values the reference cannot handle: cut a value into pieces, replace some with
    # wildcards; the result must match and give back the replaced pieces.
    value = data.draw(st.text("ab.", min_size=1, max_size=200))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(value)), max_size=8)))
    pieces = [value[i:j] for i, j in zip([0, *cuts], [*cuts, len(value)], strict=True)]
    pattern = "".join(
        "*" if data.draw(st.booleans()) else quote_wildcard(piece) for piece in pieces
    )
    assert run("matches", [value], [pattern], OCTET).matched


UNITS = ["a", "b", "é", "e\u0301", "E", "ß", "SS", "s", "ﬁ", "İ", "i"]


def reference_units(pattern: str, value: str) -> list[str] | None:
    """The reference for i;unicode-casemap: the value as a list of characters-with-accents,
    each folded; a literal run must cover whole units."""
    fold = comparator(UNICODE).fold
    units, start = [], 0
    for i in range(1, len(value) + 1):
        if i == len(value) or not unicodedata.combining(value[i]):
            units.append(value[start:i])
            start = i
    folded = [fold(u) for u in units]
    runs: list[tuple[str, str]] = []
    for kind, char in _glob_tokens(pattern):
        if kind == "lit" and runs and runs[-1][0] == "lit":
            runs[-1] = ("lit", runs[-1][1] + char)
        else:
            runs.append((kind, char))

    def walk(t: int, u: int) -> list[str] | None:
        if t == len(runs):
            return [] if u == len(units) else None
        kind, text = runs[t]
        if kind == "*":
            for end in range(u, len(units) + 1):
                rest = walk(t + 1, end)
                if rest is not None:
                    return ["".join(units[u:end]), *rest]
            return None
        if kind == "?":
            rest = walk(t + 1, u + 1) if u < len(units) else None
            return None if rest is None else [units[u], *rest]
        want, end, got = fold(text), u, ""
        while end < len(units) and len(got) < len(want):
            got += folded[end]
            end += 1
        return walk(t + 1, end) if got == want else None

    found = walk(0, 0)
    return None if found is None else [value, *found][:MAX_MATCH_VARIABLES]


# Other spellings of a unit under i;unicode-casemap, and some near misses ("s" is half
# of "ß", "e" lacks the accent of "é").
SPELLINGS = {
    "é": ["É", "e\u0301", "e"],
    "ß": ["SS", "ss", "s"],
    "ﬁ": ["FI", "f"],
    "İ": ["i\u0307", "i"],
    "a": ["A"],
}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(UNITS), max_size=7), st.data())
def test_unicode_glob_agrees_with_the_unit_reference(chars: list[str], data: st.DataObject) -> None:
    value = "".join(chars)
    parts = []
    for char in chars:  # a pattern made from the value, with the odd unrelated unit
        choice = data.draw(st.integers(0, 9))
        if choice < 4:
            parts.append(char)
        elif choice < 6:
            parts.append(data.draw(st.sampled_from(SPELLINGS.get(char, [char]))))
        elif choice < 8:
            parts.append(data.draw(st.sampled_from(["?", "*", "*?"])))
        else:
            parts.append(data.draw(st.sampled_from([*UNITS, "*", "?", "??"])))
    pattern = "".join(parts)
    assert captures("matches", value, pattern, UNICODE) == (reference_units(pattern, value) or [])


# --- hostile input -----------------------------------------------------------------------


class CountingStr(str):
    """A value that counts the string searches run on it: the matcher's steps."""

    calls = 0

    def find(self, *args):  # noqa: ANN002, ANN201
        CountingStr.calls += 1
        return super().find(*args)

    def startswith(self, *args):  # noqa: ANN002, ANN201
        CountingStr.calls += 1
        return super().startswith(*args)

    def endswith(self, *args):  # noqa: ANN002, ANN201
        CountingStr.calls += 1
        return super().endswith(*args)

    def __contains__(self, key: object) -> bool:
        CountingStr.calls += 1
        return super().__contains__(key)


@pytest.mark.parametrize(
    "pattern",
    ["*a*a*a*a*a*a*b", "*a*a*a*a*a*a*b*", "*a" * 500 + "*b", "*?a*a?*a*b?*", "?*" * 300 + "b"],
)
def test_stars_never_backtrack(pattern: str) -> None:
    # A backtracking matcher needs ~n^k steps here; we search each segment once.
    value = CountingStr("a" * 20_000)
    CountingStr.calls = 0
    assert Matcher("matches", OCTET, keys=[pattern]).test([value]).matched is False
    assert CountingStr.calls <= pattern.count("*") + 2


def test_question_marks_cost_value_times_pattern_at_most() -> None:
    # Segments with `?` are searched in C by a pattern of literals and fixed `.{n}` only.
    matcher = Matcher("matches", OCTET, keys=["*" + "a?" * 50 + "b*"])
    assert matcher.test(["a" * 200_000]).matched is False
    assert matcher.cost(["a" * 200_000]) >= 200_000 * 100  # the VM can charge this up front


def test_hostile_regex_runs_in_linear_time() -> None:
    assert Matcher("regex", keys=["(a*)*b", "(a|aa)*c"], captures=True).test(["a" * 200_000]) == (
        MatchResult(False)
    )


# --- caching ---------------------------------------------------------------------------------


def test_globs_are_compiled_once_per_pattern_and_comparator() -> None:
    casemap = comparator(CASEMAP)
    assert glob_to_matcher("*@${domain}", casemap) is glob_to_matcher("*@${domain}", casemap)
    assert glob_to_matcher("x*", casemap) is not glob_to_matcher("x*", comparator(OCTET))
    long_key = "*" + "x" * 10_000
    assert isinstance(glob_to_matcher(long_key, casemap), Glob)  # not cached, still works


# --- never crash -------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["is", "contains", "matches", "regex", "count", "value"]),
    st.sampled_from([OCTET, CASEMAP, NUMERIC, UNICODE]),
    st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]),
    st.lists(st.text(max_size=12), max_size=3),
    st.lists(st.text(max_size=12), max_size=3),
)
def test_any_input_gives_a_result_or_a_match_error(
    match_type: str, name: str, relation: str, keys: list[str], values: list[str]
) -> None:
    try:
        matcher = Matcher(match_type, name, relation, keys, captures=True)
    except MatchError as error:
        assert error.code
        return
    result = matcher.test(values)
    assert isinstance(result.matched, bool)
    if result.captures is not None:
        assert result.matched and 1 <= len(result.captures) <= MAX_MATCH_VARIABLES
