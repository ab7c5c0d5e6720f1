"""The command line, run as a person would: through `python -m sieve` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
VALID = sorted((CORPUS / "scripts" / "valid").glob("*.sieve"))
ORACLE = sorted((CORPUS / "scripts" / "oracle").glob("*.sieve")) + [
    CORPUS / "oracle" / "authspam.filter",
    CORPUS / "oracle" / "greylist.sieve",
]


def sieve(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sieve", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_check_names_the_missing_semicolon_read_from_stdin() -> None:
    result = sieve("check", "-", stdin="if true { keep }\n")
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:1:15: error: expected ';' after the command 'keep'")
    assert "[missing-semicolon]" in result.stdout
    lines = result.stdout.splitlines()
    assert lines[1] == "    if true { keep }"
    assert lines[2] == "    " + " " * 14 + "^"
    assert "hint:" in lines[3]


def test_check_reports_three_separate_errors_with_carets() -> None:
    result = sieve("check", "corpus/scripts/invalid/three-errors.sieve")
    assert result.returncode == 1
    headers = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert [h.split(":")[1] for h in headers] == ["9", "18", "28"]
    assert result.stdout.count("^") == 3
    assert result.stdout.rstrip().endswith("3 errors in 1 file")


def test_check_clean_scripts_exit_zero_and_print_nothing() -> None:
    result = sieve("check", *map(str, VALID))
    assert (result.returncode, result.stdout) == (0, "")


def test_check_oracle_scripts_need_the_oracle_dialect() -> None:
    assert sieve("check", "--dialect", "oracle", *map(str, ORACLE)).returncode == 0
    assert sieve("check", str(CORPUS / "oracle" / "greylist.sieve")).returncode == 1


def test_check_json_lists_every_diagnostic_with_its_file() -> None:
    result = sieve("check", "--format", "json", "corpus/scripts/invalid/three-errors.sieve")
    entries = json.loads(result.stdout)
    assert [(e["code"], e["line"]) for e in entries] == [
        ("missing-semicolon", 9),
        ("missing-bracket", 18),
        ("unbalanced-brace", 28),
    ]
    assert {e["file"] for e in entries} == {"corpus/scripts/invalid/three-errors.sieve"}
    assert all(e["hint"] for e in entries)


def test_unreadable_file_and_bad_usage_exit_two() -> None:
    missing = sieve("check", "no/such/file.sieve")
    assert missing.returncode == 2
    assert "cannot read no/such/file.sieve" in missing.stderr
    assert sieve("check").returncode == 2
    assert sieve("check", "--dialect", "klingon", "x").returncode == 2
    assert sieve("frobnicate").returncode == 2


@pytest.mark.parametrize("script", VALID + ORACLE, ids=lambda p: p.name)
def test_fmt_check_passes_on_formatted_corpus_scripts(script: Path, tmp_path: Path) -> None:
    dialect = "oracle" if script in ORACLE else "standard"
    formatted = sieve("fmt", "--dialect", dialect, str(script))
    assert formatted.returncode == 0, formatted.stderr
    copy = tmp_path / script.name
    copy.write_text(formatted.stdout, encoding="utf-8")
    check = sieve("fmt", "--check", "--dialect", dialect, str(copy))
    assert (check.returncode, check.stdout) == (0, "")


def test_fmt_check_shows_a_diff_and_write_rewrites(tmp_path: Path) -> None:
    script = tmp_path / "messy.sieve"
    script.write_text('IF TRUE {FILEINTO   "x" ;}\n', encoding="utf-8")
    script.chmod(0o640)
    check = sieve("fmt", "--check", str(script))
    assert check.returncode == 1
    assert '-IF TRUE {FILEINTO   "x" ;}' in check.stdout
    assert '+    fileinto "x";' in check.stdout
    write = sieve("fmt", "--write", str(script))
    assert write.returncode == 0
    assert script.read_text(encoding="utf-8") == 'if true {\n    fileinto "x";\n}\n'
    assert script.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["messy.sieve"]  # no temporary left
    assert sieve("fmt", "--check", str(script)).returncode == 0


def test_fmt_refuses_scripts_with_errors() -> None:
    result = sieve("fmt", "-", stdin="if true { keep }\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "[missing-semicolon]" in result.stderr


@pytest.mark.parametrize("script", VALID + ORACLE, ids=lambda p: p.name)
def test_highlight_terminal_keeps_the_text(script: Path) -> None:
    result = sieve("highlight", str(script))
    assert result.returncode == 0
    plain = _strip_ansi(result.stdout)
    assert plain.replace("\r\n", "\n") == script.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert "\x1b[" in result.stdout


def test_highlight_html_is_a_page_with_our_token_classes() -> None:
    result = sieve("highlight", "--html", "corpus/scripts/valid/spam-filing.sieve")
    assert result.returncode == 0
    assert result.stdout.lstrip().startswith("<!DOCTYPE html")
    assert 'class="k"' in result.stdout  # keywords such as require and if
    assert 'class="err"' not in result.stdout


def test_pygments_finds_our_lexer_through_its_entry_point() -> None:
    from pygments.lexers import get_lexer_by_name

    from sieve.syntax.highlight_lexer import SieveLexer

    assert isinstance(get_lexer_by_name("sieve-rfc5228"), SieveLexer)


def test_console_script_is_installed() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sieve"), "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.startswith("sieve ")


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_diagnostic_source_lines_are_coloured_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sieve.cli import terminal_painter

    monkeypatch.delenv("NO_COLOR", raising=False)
    paint = terminal_painter(_Terminal())
    assert paint is not None
    painted = paint('fileinto "Junk";')
    assert "\x1b[" in painted
    assert _strip_ansi(painted) == 'fileinto "Junk";'
    monkeypatch.setenv("NO_COLOR", "1")
    assert terminal_painter(_Terminal()) is None
    assert terminal_painter(object()) is None  # a pipe or file: plain text
