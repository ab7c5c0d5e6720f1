"""`--fix` and `--diff`: the safe fixes keep comments, leave nothing fixable behind, and do
not change what the script does (the VM gives the same result on every corpus message)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sieve
from sieve.cli import main
from sieve.lint import all_rules, lint
from sieve.lint.finding import Finding, Fix
from sieve.lint.fix import apply_fixes, fix_source
from tests.lint.conftest import CORPUS, FIXTURES
from tests.runtime.corpus_runs import LISTS, MESSAGES, NOW, envelope_for


def test_fixes_of_one_finding_go_in_together_and_overlaps_wait() -> None:
    first = Finding("a", "warning", 1, 1, 1, 2, "m", fixes=(Fix(0, 1, "X", ""), Fix(4, 5, "Y", "")))
    clash = Finding("b", "warning", 1, 1, 1, 2, "m", fixes=(Fix(4, 6, "Z", ""),))
    apart = Finding("c", "warning", 1, 1, 1, 2, "m", fixes=(Fix(7, 8, "W", ""),))
    text, applied = apply_fixes("abcdefgh", [clash, first, apart])
    assert text == "XbcdYfgW" and applied == [first, apart]


def test_unused_requires_go_one_by_one_keeping_comments() -> None:
    source = (
        "# user filter\n"
        'require ["fileinto", "vacation", "imap4flags"];  # capabilities\n'
        'if header :contains "Subject" "[SPAM]" { fileinto "Junk"; }  # spam\n'
    )
    result = fix_source(source)
    assert result.text == source.replace(', "vacation", "imap4flags"', "")
    assert [f.code for f in result.fixed] == ["unused-require", "unused-require"]
    # A comment inside the list would be lost by rewriting it: no fix is offered then.
    inside = 'require ["fileinto", # mail folders\n  "vacation"];\nkeep;\n'
    result = fix_source(inside)
    assert result.text == inside and len(result.remaining) == 2


def test_unused_require_fix_rewrites_the_list_or_drops_the_command() -> None:
    source = 'require ["fileinto", "vacation", "imap4flags"];\nif true { fileinto "Junk"; }\n'
    fixed = fix_source(source, config=None).text
    assert fixed.startswith('require ["fileinto"];\n')
    source = 'require "envelope";\n# keep everything\nkeep;\n'
    assert fix_source(source).text == "# keep everything\nkeep;\n"


def test_matches_fixes_use_is_and_contains() -> None:
    source = (
        'if header :matches "List-Id" "<dev.example.org>" { stop; }\n'
        'if header :matches "Subject" ["*inv\\"oice*", "*bill*"] { stop; }\n'
    )
    fixed = fix_source(source).text
    assert fixed == (
        'if header :is "List-Id" "<dev.example.org>" { stop; }\n'
        'if header :contains "Subject" ["inv\\"oice", "bill"] { stop; }\n'
    )


def test_mergeable_tests_merge_into_one_key_list() -> None:
    source = (
        'if anyof (header :contains "Subject" "lottery", exists "X-Spam",\n'
        "          header :contains \"Subject\" 'winner') { discard; }\n"
    ).replace("'", '"')
    assert fix_source(source).text == (
        'if anyof (header :contains "Subject" ["lottery", "winner"], exists "X-Spam") '
        "{ discard; }\n"
    )
    chain = (
        'require "fileinto";\n'
        'if address :is "from" "boss@example.com" {\n    fileinto "Boss";\n'
        '} elsif address :is "from" ["ceo@example.com", "cfo@example.com"] {\n'
        '    fileinto "Boss";\n} else {\n    keep;\n}\n'
    )
    assert fix_source(chain).text == (
        'require "fileinto";\n'
        'if address :is "from" ["boss@example.com", "ceo@example.com", "cfo@example.com"] {\n'
        '    fileinto "Boss";\n} else {\n    keep;\n}\n'
    )


def test_no_fix_when_match_variables_are_read() -> None:
    source = 'require ["variables", "fileinto"];\n'
    source += 'if header :matches "Subject" "*urgent*" { fileinto "${1}"; }\n'
    assert fix_source(source).text == source


def test_fix_and_diff_on_the_command_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "user.sieve"
    original = 'require ["fileinto", "envelope"];\nif header :matches "Subject" "*x*" { stop; }\n'
    script.write_text(original)
    assert main(["lint", "--diff", str(script)]) == 1  # fixes are pending
    out = capsys.readouterr().out
    assert out.startswith("---") and "[unused-require]" not in out  # only the diff
    assert '-require ["fileinto", "envelope"];' in out and "+if header :contains" in out
    assert script.read_text() == original  # --diff never writes
    assert main(["lint", "--fix", str(script)]) == 0
    assert script.read_text() == 'if header :contains "Subject" "x" { stop; }\n'
    assert "fixed 3 finding(s) in" in capsys.readouterr().err
    assert main(["lint", "--diff", str(script)]) == 0  # nothing left to fix
    assert capsys.readouterr().out == ""
    assert main(["lint", "--fix", "-"]) == 2


# Behaviour is kept: every script with fixes, before and after, on every corpus message.

FIXABLE = sorted(code for code, rule in all_rules().items() if rule.fixable)


def _scripts_with_fixes() -> list[Path]:
    candidates = sorted((CORPUS / "scripts" / "valid").glob("*.sieve"))
    candidates += sorted((CORPUS / "extensions").glob("*/valid-*.sieve"))
    for code in FIXABLE:
        candidates += sorted((FIXTURES / code).glob("*.sieve"))
    return [p for p in candidates if any(f.fixes for f in lint(p.read_bytes(), str(p)))]


SCRIPTS = _scripts_with_fixes()


def _results(source: str, folder: Path) -> list[dict]:
    compiled = sieve.compile(source, name="fixed.sieve")
    results = []
    for message in MESSAGES:
        mail_from, rcpt_to = envelope_for(message)
        host = sieve.MemoryHost(
            clock=lambda: NOW,
            script_dir=folder,
            lists={name: set(members) for name, members in LISTS.items()},
        )
        envelope = sieve.Envelope(mail_from=mail_from, rcpt_to=rcpt_to)
        result = compiled.run(message.read_bytes(), envelope, host=host).to_dict()
        for error in result.get("errors", []):
            error.pop("line", None)  # a fix may move a command to another line
            error.pop("column", None)
        results.append(result)
    return results


def test_there_are_enough_scripts_to_compare() -> None:
    assert len(SCRIPTS) >= 10
    assert any(path.is_relative_to(CORPUS) for path in SCRIPTS)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixed_scripts_relint_clean_and_behave_the_same(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    result = fix_source(source, str(path))
    assert result.fixed and result.text != source
    assert not [f for f in result.remaining if f.fixes], result.remaining
    assert not [f for f in result.remaining if f.severity == "error"]
    # Comments are kept: every comment line of the original is still there.
    comments = [line.strip() for line in source.splitlines() if line.strip().startswith("#")]
    assert all(comment in result.text for comment in comments)
    assert _results(result.text, path.parent) == _results(source, path.parent)
