"""Every rule against its fixtures: each `bad-*.sieve` must produce the codes its first line
expects, each `good-*.sieve` no finding of its rule, and every rule must have both kinds and a
complete docstring. The valid scripts of corpus/ must lint clean, except for the true
positives listed (and justified) in ALLOWED."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sieve.lint import LintConfig, all_rules, lint
from sieve.lint.rule import SECTIONS
from tests.lint.conftest import CORPUS, FIXTURES

# Rules that the engine reports itself, so they need no script fixtures of their own.
ENGINE_ONLY = {"internal-error"}


def _header(path: Path) -> tuple[list[str], LintConfig]:
    """The `# expect:` codes and the settings (`# dialect:`, `# config: k=v, k=v`)."""
    expected: list[str] = []
    settings: dict[str, object] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        if line.startswith("# expect:"):
            expected = line.removeprefix("# expect:").split()
        elif line.startswith("# dialect:"):
            settings["dialect"] = line.removeprefix("# dialect:").strip()
        elif line.startswith("# config:"):
            for item in line.removeprefix("# config:").split(","):
                key, _, value = item.partition("=")
                settings[key.strip()] = value.strip()
    return expected, LintConfig().merged(settings)


def _fixtures(prefix: str) -> list[Path]:
    return sorted(FIXTURES.glob(f"*/{prefix}-*.sieve"))


@pytest.mark.parametrize("path", _fixtures("bad"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bad_fixture_triggers_its_rule(path: Path) -> None:
    expected, config = _header(path)
    assert path.parent.name in expected, "a bad fixture must expect its own rule"
    findings = lint(path.read_bytes(), str(path), config)
    found = Counter(f.code for f in findings)
    for code, count in Counter(expected).items():
        assert found[code] >= count, f"expected {count}× {code}, got {findings}"
    assert not [f for f in findings if f.code == "internal-error"]


@pytest.mark.parametrize("path", _fixtures("good"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_good_fixture_is_clean_for_its_rule(path: Path) -> None:
    _, config = _header(path)
    findings = lint(path.read_bytes(), str(path), config)
    # A good fixture must compile, or it would prove nothing.
    assert not [f for f in findings if f.severity == "error"], findings
    assert not [f for f in findings if f.code == path.parent.name], findings


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_every_rule_is_documented_and_has_fixtures(code: str) -> None:
    rule = all_rules()[code]
    doc = rule.explanation()
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), doc
    if code in ENGINE_ONLY:
        return
    folder = FIXTURES / code
    assert list(folder.glob("bad-*.sieve")), f"no bad fixture for {code}"
    assert list(folder.glob("good-*.sieve")), f"no good fixture for {code}"


def test_every_fixture_folder_names_a_rule() -> None:
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders <= set(all_rules()), folders - set(all_rules())


# True positives on the valid corpus scripts: each rule's fixture folder may hold a
# corpus-allowed.txt with lines `FILE-NAME  why the finding is right` (the rule's owner
# justifies them there).
def _allowed() -> dict[tuple[str, str], str]:
    allowed: dict[tuple[str, str], str] = {}
    for listing in FIXTURES.glob("*/corpus-allowed.txt"):
        for line in listing.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, _, why = line.partition("  ")
            assert why.strip(), f"{listing}: {name} needs a justification"
            allowed[(name.strip(), listing.parent.name)] = why.strip()
    return allowed


ALLOWED = _allowed()


def _corpus_scripts() -> list[Path]:
    scripts = sorted((CORPUS / "scripts" / "valid").glob("*.sieve"))
    scripts += sorted((CORPUS / "extensions").glob("*/valid-*"))
    return scripts


@pytest.mark.parametrize("path", _corpus_scripts(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_valid_corpus_scripts_have_no_false_positives(path: Path) -> None:
    findings = lint(path.read_bytes(), str(path))
    unexpected = [
        f
        for f in findings
        if (path.name, f.code) not in ALLOWED
        # The checker's own warnings are `sieve check`'s business, not a rule's.
        and f.code in all_rules()
    ]
    shown = [f"{f.line}:{f.column} {f.code}: {f.message}" for f in unexpected]
    assert not unexpected, "\n".join(shown)


def test_every_corpus_allowance_is_still_needed() -> None:
    by_name = {path.name: path for path in _corpus_scripts()}
    for name, code in ALLOWED:
        assert name in by_name, f"{name} is not a valid corpus script"
        path = by_name[name]
        codes = {f.code for f in lint(path.read_bytes(), str(path))}
        assert code in codes, f"{name} no longer triggers {code}: drop the allowance"
