"""The checker's own rules, one example each: input script, expected diagnostic codes."""

from __future__ import annotations

import pytest

import sieve
from sieve.check import check


def codes(source: str, dialect: str = "standard", extensions: list[str] | None = None) -> list[str]:
    parsed = sieve.parse(source, dialect=dialect)
    assert parsed.ok and parsed.script is not None, parsed.diagnostics
    return [d.code for d in check(parsed.script, extensions=extensions, dialect=dialect)]


def diagnostics(source: str, **options: object) -> list[sieve.Diagnostic]:
    parsed = sieve.parse(source)
    assert parsed.script is not None
    return check(parsed.script, **options)  # type: ignore[arg-type]


def test_the_three_classic_mistakes_are_all_reported_with_hints() -> None:
    found = diagnostics(
        'if header :count "ge" "To" "3" { fileinto "Crowd"; }\n'
        'if header :is :caseless "Subject" "x" { stop; }\n'
    )
    assert [(d.code, d.line) for d in found] == [
        ("missing-require", 1),
        ("missing-require", 1),
        ("unknown-tag", 2),
    ]
    assert 'require "relational"' in found[0].hint
    assert 'require "fileinto"' in found[1].hint
    assert all(d.hint for d in found)


def test_clean_script_has_no_diagnostics() -> None:
    assert (
        codes('require ["fileinto"];\nif address :domain :is "From" "x.org" { fileinto "X"; }')
        == []
    )


def test_require_must_come_first() -> None:
    assert codes('keep;\nrequire "fileinto";') == ["require-not-first"]
    assert codes('if true { require "fileinto"; }') == ["require-not-first"]


def test_unknown_capability_suggests_the_closest() -> None:
    [found] = diagnostics('require "filinto";')
    assert found.code == "unknown-capability"
    assert "fileinto" in found.hint


def test_disabled_capability_follows_the_server_setting() -> None:
    source = 'require "fileinto";\nfileinto "x";'
    assert codes(source, extensions=["fileinto"]) == []
    assert codes(source, extensions=[]) == ["disabled-capability", "unknown-command"]


def test_elsif_and_else_need_an_if_before_them() -> None:
    assert codes("keep;\nelse { stop; }") == ["else-without-if"]
    assert codes("elsif true { stop; }") == ["elsif-without-if"]
    assert codes("if true { keep; } elsif false { stop; } else { discard; }") == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('if header :is :is "a" "b" { stop; }', ["duplicate-tag"]),
        ('if header :is :matches "a" "b" { stop; }', ["conflicting-tags"]),
        ("if size 10K { stop; }", ["missing-tag"]),
        ('if header "a" { stop; }', ["missing-argument"]),
        ('if header "a" "b" "c" { stop; }', ["too-many-arguments"]),
        ('redirect ["a@example.com", "b@example.com"];', ["wrong-argument-type"]),
        ('if size :over "10" { stop; }', ["wrong-argument-type"]),
        ('if header "Subject" "x" :is { stop; }', ["misplaced-tag"]),
        ('if header :comparator "i;nonsense" "a" "b" { stop; }', ["unknown-comparator"]),
        ('if header :comparator "i;ascii-numeric" "a" "1" { stop; }', ["missing-require"]),
        ('if header "Subject Line" "x" { stop; }', ["bad-header-name"]),
        ("if true;", ["missing-block"]),
        ("keep { stop; }", ["unexpected-block"]),
        ("if (true, false) { stop; }", ["test-expected"]),
        ("if anyof true { stop; }", ["test-list-expected"]),
        ("if { stop; }", ["missing-test"]),
        ("keep true;", ["unexpected-test"]),
        ("frobnicate;", ["unknown-command"]),
        ("if frobnicate { stop; }", ["unknown-test"]),
        ("if true { header; }", ["unknown-command"]),
    ],
)
def test_rule(source: str, expected: list[str]) -> None:
    assert codes(source) == expected


def test_unknown_names_get_a_suggestion() -> None:
    [found] = diagnostics('require "fileinto";\nfilein "x";')
    assert "fileinto" in found.hint
    [found] = diagnostics('if headr :is "a" "b" { stop; }')
    assert "header" in found.hint


def test_regex_patterns_are_checked_with_re2() -> None:
    assert codes('require "regex";\nif header :regex "Subject" "^(a|b" { stop; }') == ["bad-regex"]
    assert codes('require "regex";\nif header :regex "Subject" "^(a|b)$" { stop; }') == []
    # Backreferences would make matching exponential; RE2 refuses them.
    assert codes(r'require "regex";' + '\nif header :regex "S" "(a)\\\\1" { stop; }') == [
        "bad-regex"
    ]


def test_variable_names_are_checked() -> None:
    assert codes('require "variables";\nset "1abc" "x";') == ["bad-variable-name"]
    assert codes('require "variables";\nset "my_var" "x";') == []


def test_ihave_blocks_are_checked_for_their_own_capabilities_only() -> None:
    source = 'require "ihave";\nif ihave "fileinto" { fileinto "x"; }'
    assert codes(source) == []
    # Without the extension on the server the block is not checked at all (RFC 5463).
    assert codes('require "ihave";\nif ihave "x-unknown" { frobnicate; }') == []


def test_break_belongs_inside_foreverypart() -> None:
    assert codes('require "foreverypart";\nbreak;') == ["break-outside-foreverypart"]
    assert codes('require "foreverypart";\nforeverypart { break; }') == []


def test_oracle_dialect_accepts_callouts_and_parenthesised_tests() -> None:
    source = (
        'require ["variables", "ereject"];\n'
        'if limitauthspam "${FROM}|${TO}" { keep; }\n'
        "if anyof (true) { stop; }\n"
        "if (not true) { stop; }\n"
    )
    assert codes(source, dialect="oracle") == []
    assert codes('if limitauthspam "x" { keep; }') == ["unknown-test"]


def test_a_capability_can_bring_another_along() -> None:
    # RFC 6131 §2: requiring vacation-seconds alone makes vacation available.
    source = 'require "vacation-seconds";\nvacation :seconds 3600 "Away";'
    assert codes(source) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # RFC 5260 §6 and RFC 5293 §5: :last only with :index.
        ('require ["index"];\nif header :last "Received" "x" { stop; }', ["missing-tag"]),
        ('require ["index"];\nif header :index 2 :last "Received" "x" { stop; }', []),
        # RFC 5703 §4.1: the MIME options and :anychild only with :mime.
        ('require ["mime"];\nif header :type "Content-Type" "text" { stop; }', ["missing-tag"]),
        ('require ["mime"];\nif header :mime :type "Content-Type" "text" { stop; }', []),
        # RFC 5703 §7: extracttext only inside foreverypart.
        (
            'require ["variables", "foreverypart", "extracttext"];\nextracttext "body";',
            ["extracttext-outside-foreverypart"],
        ),
        # RFC 5703 §3.2: break :name names an enclosing loop.
        (
            'require "foreverypart";\nforeverypart :name "a" { break :name "b"; }',
            ["unknown-loop-name"],
        ),
        ('require "foreverypart";\nforeverypart :name "a" { break :name "a"; }', []),
        # RFC 6609 §3.3: global needs variables.
        ('require "include";\nglobal "x";', ["missing-require"]),
        ('require ["include", "variables"];\nglobal ["x", "2y"];', ["bad-variable-name"]),
        # RFC 6609 §3.4: a variable used as a local one cannot become global afterwards.
        ('require ["include", "variables"];\nset "x" "1";\nglobal "X";', ["global-after-local"]),
        (
            'require ["include", "variables", "fileinto"];\n'
            'if true { fileinto "${box}"; }\nglobal "box";\nglobal "BOX";',
            ["global-after-local", "global-after-local"],  # still local after the first
        ),
        (
            'require ["include", "variables", "relational", "comparator-i;ascii-numeric"];\n'
            'if string :value "gt" :comparator "i;ascii-numeric" "${1}" "x" { stop; }\n'
            'global ["x", "i"];\nglobal "a";\nset "a" "1";\nglobal "A";\nset "b" "${a}";',
            [],  # match variables, tag values and uses after the declaration are fine
        ),
        # RFC 5229 §4.1: no two modifiers of one precedence (20: the regex draft's
        # :quoteregex joins :quotewildcard).
        (
            'require ["variables", "regex"];\nset :quotewildcard :quoteregex "a" "b";',
            ["conflicting-tags"],
        ),
        ('require ["variables", "regex"];\nset :upper :quoteregex :length "a" "b";', []),
        # RFC 7352: :header names a header field.
        ('require "duplicate";\nif duplicate :header "Message ID" { stop; }', ["bad-header-name"]),
        # RFC 5229 §3: a namespace nobody provides.
        ('require "variables";\nset "a" "${env.user}";', ["bad-variable"]),
        ('set "a" "${env.user}";', ["missing-require"]),
    ],
)
def test_rules_from_extension_rfcs(source: str, expected: list[str]) -> None:
    assert codes(source) == expected
