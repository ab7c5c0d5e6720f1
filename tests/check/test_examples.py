"""Each extension's example scripts under corpus/extensions/<capability>/: the valid ones
check clean, the invalid ones report exactly the codes their first line announces
(`# expect: code, code`); a `# dialect: oracle` line selects the Oracle dialect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sieve
from sieve.check import check

EXAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "extensions"
VALID = sorted(EXAMPLES.glob("*/valid*.sieve"))
INVALID = sorted(EXAMPLES.glob("*/invalid*.sieve"))


def dialect_of(text: str) -> str:
    found = re.search(r"^# dialect: (\w+)", text, re.MULTILINE)
    return found.group(1) if found else "standard"


def diagnostics_of(path: Path) -> list[sieve.Diagnostic]:
    text = path.read_text(encoding="utf-8")
    dialect = dialect_of(text)
    parsed = sieve.parse(text, dialect=dialect)
    assert parsed.diagnostics == [], parsed.diagnostics  # examples are all grammatical
    assert parsed.script is not None
    return check(parsed.script, dialect=dialect)


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", VALID, ids=label)
def test_valid_example_checks_clean(path: Path) -> None:
    assert diagnostics_of(path) == []


@pytest.mark.parametrize("path", INVALID, ids=label)
def test_invalid_example_reports_the_announced_codes(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    expected = sorted(code.strip() for code in first.removeprefix("# expect:").split(","))
    found = diagnostics_of(path)
    assert sorted(d.code for d in found) == expected, found
    assert all(d.hint for d in found)


def test_every_extension_has_examples() -> None:
    from sieve.extensions import all_extensions

    folders = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    module_names = {c.replace("-", "_").replace(";", "_") for c in all_extensions() if c}
    missing = {
        capability
        for capability in all_extensions()
        if capability
        and capability not in folders
        and capability.replace("-", "_").replace(";", "_") not in folders
    }
    assert module_names and not missing, f"no examples for {sorted(missing)}"
