"""The four output formats of `sieve lint`: text for people (source line, caret, hint,
coloured on a terminal), JSON, SARIF 2.1.0 for code-scanning services, and GitHub
workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sieve import __version__
from sieve.diagnostics import Diagnostic, render_text
from sieve.lint.finding import ERROR, INFO, WARNING, Finding
from sieve.lint.rule import Rule
from sieve.syntax.source import SourceMap

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"


@dataclass(slots=True)
class Report:
    """One linted file: its name, decoded text (for source lines) and findings."""

    name: str
    source: str
    findings: list[Finding]
    # Whether --fix or --diff changed the text.
    changed: bool = False


def render_text_report(reports: Sequence[Report], paint: Callable[[str], str] | None = None) -> str:
    """`FILE:LINE:COL: severity: message [code]`, the source line, a caret under the span
    and the hint, as `sieve check` prints diagnostics; then a summary."""
    blocks: list[str] = []
    for report in reports:
        source = SourceMap(report.source)
        for finding in report.findings:
            line = source.line_text(finding.line) if finding.line else None
            text = render_text(_as_diagnostic(finding), report.name, line, paint)
            if finding.fixes:
                text += f"\n    fix: {finding.fixes[0].description} (sieve lint --fix)"
            blocks.append(text)
    total = sum(len(r.findings) for r in reports)
    fixable = sum(1 for r in reports for f in r.findings if f.fixes)
    if total:
        files = sum(1 for r in reports if r.findings)
        summary = f"{_plural(total, 'finding')} in {_plural(files, 'file')}"
        if fixable:
            summary += f" ({fixable} fixable with --fix)"
        blocks.append(summary)
    return "\n".join(blocks) + ("\n" if blocks else "")


def _as_diagnostic(finding: Finding) -> Diagnostic:
    return Diagnostic(
        finding.code,
        finding.severity,
        finding.line,
        finding.column,
        finding.end_line,
        finding.end_column,
        finding.message,
        finding.hint,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_json_report(reports: Sequence[Report]) -> str:
    return json.dumps(
        [f.to_dict(r.name) for r in reports for f in r.findings], indent=2, ensure_ascii=False
    )


# SARIF 2.1.0 (OASIS): one run, the rules as reportingDescriptors, one result per finding.

_SARIF_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note"}


def render_sarif_report(reports: Sequence[Report], rules: dict[str, Rule]) -> str:
    used = sorted({f.code for r in reports for f in r.findings} | set(rules))
    index = {code: position for position, code in enumerate(used)}
    descriptors = [_descriptor(code, rules.get(code)) for code in used]
    results = [
        _result(report, finding, index[finding.code])
        for report in reports
        for finding in report.findings
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sieve lint",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                # Our columns count characters (code points), not UTF-16 units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _descriptor(code: str, rule: Rule | None) -> dict[str, object]:
    if rule is None:
        # Compile errors and checker warnings carry codes of their own.
        return {
            "id": code,
            "shortDescription": {"text": f"sieve check: {code}"},
            "defaultConfiguration": {"level": "error"},
        }
    return {
        "id": code,
        "name": "".join(part.title() for part in code.split("-")),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.summary()},
        "help": {"text": rule.explanation(), "markdown": rule.explanation()},
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "warning")},
        "properties": {"fixable": rule.fixable},
    }


def _artifact(name: str) -> dict[str, str]:
    path = Path(name)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": path.as_posix()}


def _result(report: Report, finding: Finding, rule_index: int) -> dict[str, object]:
    region: dict[str, int] = {
        "startLine": max(finding.line, 1),
        "startColumn": max(finding.column, 1),
        "endLine": max(finding.end_line, finding.line, 1),
        "endColumn": max(finding.end_column, 1),
    }
    if region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]:
        region["endColumn"] = region["startColumn"]
    result: dict[str, object] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL.get(finding.severity, "warning"),
        "message": {"text": finding.message + (f" ({finding.hint})" if finding.hint else "")},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact(report.name), "region": region}}
        ],
    }
    if finding.fixes:
        result["fixes"] = [
            {
                "description": {"text": finding.fixes[0].description},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(report.name),
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "charOffset": fix.start,
                                    "charLength": fix.end - fix.start,
                                },
                                "insertedContent": {"text": fix.replacement},
                            }
                            for fix in finding.fixes
                        ],
                    }
                ],
            }
        ]
    return result


# GitHub Actions workflow commands: `::warning file=…,line=…::message`.

_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}


def render_github_report(reports: Sequence[Report]) -> str:
    lines = []
    for report in reports:
        for finding in report.findings:
            properties = ",".join(
                f"{key}={_escape_property(str(value))}"
                for key, value in (
                    ("file", report.name),
                    ("line", finding.line),
                    ("col", finding.column),
                    ("endLine", finding.end_line),
                    ("endColumn", finding.end_column),
                    ("title", f"sieve lint: {finding.code}"),
                )
            )
            message = finding.message + (f"\n{finding.hint}" if finding.hint else "")
            level = _GITHUB_LEVEL.get(finding.severity, "warning")
            lines.append(f"::{level} {properties}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
