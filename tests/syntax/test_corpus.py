"""The script corpus (corpus/README.md): valid scripts parse clean, invalid ones report the
errors their header announces, and their diagnostics match reviewed golden files.

Golden files: corpus/expected/NAME.diagnostics.json holds the diagnostics (code, line, column,
end_line, end_column, message, hint) of corpus/scripts/invalid/NAME.sieve and of the two
verbatim Oracle scripts. After a deliberate change to a diagnostic, regenerate them with

    SIEVE_UPDATE_GOLDEN=1 python -m pytest tests/syntax/test_corpus.py

and read the diff before committing it. Scripts in KNOWN_BAD get no golden file: their
diagnostics are wrong today. Fix the parser, remove the entry, regenerate, review.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import sieve

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
EXPECTED = CORPUS / "expected"
UPDATE_GOLDEN = os.environ.get("SIEVE_UPDATE_GOLDEN") == "1"
GOLDEN_FIELDS = ("code", "line", "column", "end_line", "end_column", "message", "hint")

# Diagnostics that were reviewed and found wrong or unhelpful; they must not be frozen.
KNOWN_BAD: dict[str, str] = {}


def scripts(folder: str, *suffixes: str) -> list[Path]:
    return sorted(p for p in (CORPUS / folder).iterdir() if p.suffix in suffixes)


VALID = (
    [pytest.param(p, "standard", id=f"valid/{p.name}") for p in scripts("scripts/valid", ".sieve")]
    + [
        pytest.param(p, "oracle", id=f"oracle/{p.name}")
        for p in scripts("scripts/oracle", ".sieve")
    ]
    + [
        pytest.param(p, "oracle", id=f"oracle-guide/{p.name}")
        for p in scripts("oracle", ".sieve", ".filter")
        if "verbatim" not in p.stem
    ]
    + [
        pytest.param(p, dialect, id=f"bench/{p.name}-{dialect}")
        for p in scripts("bench", ".sieve")
        for dialect in ("standard", "oracle")
    ]
)
INVALID = scripts("scripts/invalid", ".sieve")
VERBATIM = [p for p in scripts("oracle", ".sieve", ".filter") if "verbatim" in p.stem]


def announced_error_count(path: Path) -> int:
    match = re.match(rb"# errors: (\d+)", path.read_bytes())
    assert match, f"{path.name}: line 1 must be '# errors: N'"
    return int(match.group(1))


def announced_error_lines(path: Path) -> set[int]:
    description = path.read_bytes().splitlines()[1].decode()
    return {int(n) for n in re.findall(r"line (\d+):", description)}


def errors(path: Path, dialect: str = "standard") -> list[sieve.Diagnostic]:
    return [d for d in sieve.parse(path.read_bytes(), dialect=dialect).diagnostics if d.is_error]


def xfail_if(names: dict[str, str], path: Path) -> pytest.MarkDecorator | tuple[()]:
    if path.stem in names:
        return pytest.mark.xfail(strict=True, reason=names[path.stem])
    return ()


def with_marks(paths: list[Path], names: dict[str, str]) -> list[object]:
    return [pytest.param(p, id=p.name, marks=xfail_if(names, p)) for p in paths]


# Valid scripts.


def test_corpus_is_where_the_readme_says() -> None:
    assert len(scripts("scripts/valid", ".sieve")) == 31
    assert len(INVALID) == 23
    assert len(scripts("scripts/oracle", ".sieve")) == 5
    assert len(VERBATIM) == 2


@pytest.mark.parametrize(("path", "dialect"), VALID)
def test_valid_script_parses_without_diagnostics(path: Path, dialect: str) -> None:
    result = sieve.parse(path.read_bytes(), dialect=dialect)
    assert result.diagnostics == []
    assert result.script is not None
    assert result.script.commands


# Invalid scripts: the errors their header announces.


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_script_reports_at_least_the_announced_errors(path: Path) -> None:
    assert len(errors(path)) >= announced_error_count(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_script_reports_exactly_the_announced_errors(path: Path) -> None:
    assert len(errors(path)) == announced_error_count(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_script_reports_an_error_on_each_announced_line(path: Path) -> None:
    assert announced_error_lines(path) <= {d.line for d in errors(path)}


@pytest.mark.parametrize("path", INVALID + VERBATIM, ids=lambda p: p.name)
def test_every_corpus_diagnostic_has_a_hint(path: Path) -> None:
    dialect = "oracle" if path in VERBATIM else "standard"
    found = sieve.parse(path.read_bytes(), dialect=dialect).diagnostics
    assert found
    assert all(d.hint.strip() for d in found)


def test_decimal_number_in_corpus_is_a_bad_number() -> None:
    found = errors(CORPUS / "scripts" / "invalid" / "bad-number-decimal.sieve")
    assert [(d.code, d.line, d.column) for d in found] == [("bad-number", 6, 15)]


def test_callout_script_is_valid_in_the_oracle_dialect() -> None:
    path = CORPUS / "scripts" / "invalid" / "oracle-callout-in-standard.sieve"
    assert sieve.parse(path.read_bytes(), dialect="oracle").diagnostics == []


# Golden files.


GOLDEN = [pytest.param(p, "standard", id=p.name, marks=xfail_if(KNOWN_BAD, p)) for p in INVALID]
GOLDEN += [pytest.param(p, "oracle", id=p.name) for p in VERBATIM]


def golden_path(path: Path) -> Path:
    return EXPECTED / f"{path.stem}.diagnostics.json"


def diagnostics_as_json(path: Path, dialect: str) -> list[dict[str, object]]:
    result = sieve.parse(path.read_bytes(), dialect=dialect)
    return [{name: getattr(d, name) for name in GOLDEN_FIELDS} for d in result.diagnostics]


@pytest.mark.parametrize(("path", "dialect"), GOLDEN)
def test_diagnostics_match_golden_file(path: Path, dialect: str) -> None:
    actual = diagnostics_as_json(path, dialect)
    golden = golden_path(path)
    if UPDATE_GOLDEN and path.stem not in KNOWN_BAD:
        EXPECTED.mkdir(exist_ok=True)
        text = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.exists(), (
        f"no golden file {golden.name}: review the diagnostics, then run "
        "SIEVE_UPDATE_GOLDEN=1 python -m pytest tests/syntax/test_corpus.py"
    )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert actual == expected, (
        f"diagnostics of {path.name} changed; if the change is intended, regenerate with "
        "SIEVE_UPDATE_GOLDEN=1 and review the diff"
    )


def test_every_golden_file_belongs_to_a_corpus_script() -> None:
    stems = {p.stem for p in INVALID + VERBATIM}
    orphans = [g.name for g in EXPECTED.glob("*.json") if g.name.split(".")[0] not in stems]
    assert orphans == []


def test_no_golden_file_freezes_a_known_bad_diagnostic() -> None:
    frozen = [name for name in KNOWN_BAD if golden_path(Path(name)).exists()]
    assert frozen == []
