"""docs/SECURITY.md documents every limit with its exact default: the table under
"## Limits" must list the fields of `sieve.Limits`, in order, with their defaults."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import sieve

DOC = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"
ROW = re.compile(r"^\| `(?P<name>\w+)` \| `(?P<default>[^`]+)` \|(?P<rest>.*)\|$")


def section(text: str, title: str) -> str:
    """The body of a `## title` section, up to the next `## ` heading."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def documented_limits() -> list[tuple[str, object, list[str]]]:
    """(name, default, other cells) for each row of the limits table."""
    rows = []
    for line in section(DOC.read_text("utf-8"), "Limits").splitlines():
        match = ROW.match(line)
        if match:
            cells = [cell.strip() for cell in match["rest"].split(" | ")]
            rows.append((match["name"], ast.literal_eval(match["default"]), cells))
    return rows


def test_the_table_lists_every_limit_in_order() -> None:
    names = [name for name, _, _ in documented_limits()]
    assert names == [field.name for field in dataclasses.fields(sieve.Limits)]


def test_the_table_gives_every_default_exactly() -> None:
    defaults = {field.name: field.default for field in dataclasses.fields(sieve.Limits)}
    for name, default, _ in documented_limits():
        assert default == defaults[name], name
        assert type(default) is type(defaults[name]), name


def test_every_row_says_what_it_bounds_and_what_happens() -> None:
    for name, _, cells in documented_limits():
        assert len(cells) == 2 and all(cells), name


def test_the_row_parser_reads_a_row() -> None:
    match = ROW.match("| `max_steps` | `100_000` | steps | the run ends |")
    assert match is not None
    assert ast.literal_eval(match["default"]) == 100_000


def test_the_doc_states_the_threat_model_and_how_to_report() -> None:
    text = DOC.read_text("utf-8")
    threat = section(text, "Threat model")
    assert "Script authors" in threat and "Message senders" in threat
    assert "Administrators" in threat
    report = section(text, "Reporting a vulnerability")
    assert "security@example.org" in report and "placeholder" in report
