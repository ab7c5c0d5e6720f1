"""Lint settings: defaults from the run-time limits, `[sieve:lint]` in setup.cfg,
`[tool.sieve.lint]` in pyproject.toml, and command-line overrides on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from sieve.cli import main
from sieve.lint.config import ConfigError, LintConfig, find_settings, load_config
from sieve.runtime.limits import Limits

_DOUBLED = 'if header :matches "Subject" "**x*" { discard; }\nif true { keep; }\n'


def test_defaults_are_the_run_time_limits() -> None:
    config, limits = LintConfig(), Limits()
    assert config.max_notifys == limits.max_notifications == 10
    assert config.max_redirects == limits.max_redirects
    assert config.max_mime_parts == limits.max_mime_parts
    assert config.dialect == "auto" and config.fail_on == "warning"


def test_setup_cfg_section_is_read(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[metadata]\nname = x\n\n[sieve:lint]\nmax-notifys = 3\n"
        "ignore = constant-condition,\n    unused-*\nfail-on = error\nblocked-senders = 5\n"
    )
    config = load_config(tmp_path)
    assert config.max_notifys == 3
    assert config.ignore == ("constant-condition", "unused-*")
    assert config.fail_on == "error"
    assert config.option("blocked-senders", 0) == "5"  # rule settings pass through


def test_pyproject_table_is_read_and_wins_over_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[sieve:lint]\nmax-redirects = 9\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sieve.lint]\nmax-redirects = 2\nselect = ["doubled-wildcard"]\n'
    )
    config = load_config(tmp_path / "script.sieve")
    assert config.max_redirects == 2 and config.select == ("doubled-wildcard",)


def test_settings_are_found_in_a_parent_folder_and_skipped_without_a_section(
    tmp_path: Path,
) -> None:
    (tmp_path / "setup.cfg").write_text("[sieve:lint]\nlong-key-list = 5\n")
    inner = tmp_path / "filters" / "users"
    inner.mkdir(parents=True)
    (inner / "pyproject.toml").write_text("[tool.black]\nline-length = 80\n")
    found, settings = find_settings(inner)
    assert found == (tmp_path / "setup.cfg").resolve()
    assert load_config(inner).long_key_list == 5


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[sieve:lint]\nmax-notifys = 3\nignore = x\n")
    config = load_config(tmp_path, {"max_notifys": 7, "ignore": None})
    assert config.max_notifys == 7 and config.ignore == ("x",)


@pytest.mark.parametrize(
    "settings",
    [{"max_notifys": "many"}, {"max_redirects": -1}, {"dialect": "exim"}, {"fail_on": "fatal"}],
)
def test_bad_values_are_config_errors(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        LintConfig().merged(settings)


def test_a_broken_settings_file_is_a_usage_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[tool.sieve.lint\n")
    script = tmp_path / "a.sieve"
    script.write_text("keep;\n")
    assert main(["lint", str(script)]) == 2
    assert "pyproject.toml" in capsys.readouterr().err


def test_the_cli_applies_file_settings_and_its_own_options(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "setup.cfg").write_text("[sieve:lint]\nignore = doubled-wildcard\n")
    script = tmp_path / "a.sieve"
    script.write_text(_DOUBLED)
    assert main(["lint", "--format", "json", str(script)]) == 1
    out = capsys.readouterr().out
    assert "constant-condition" in out and "doubled-wildcard" not in out
    assert main(["lint", "--select", "doubled-wildcard", "--ignore", "", str(script)]) == 1
    assert "doubled-wildcard" in capsys.readouterr().out
    explicit = tmp_path / "lint.toml"
    explicit.write_text('[tool.sieve.lint]\nignore = ["constant-condition", "doubled-wildcard"]\n')
    assert main(["lint", "--config", str(explicit), str(script)]) == 0


def test_max_notifys_reaches_the_rules(tmp_path: Path) -> None:
    assert LintConfig().merged({"max-notifys": "4"}).max_notifys == 4
    script = tmp_path / "a.sieve"
    script.write_text(
        'require "enotify";\n' + 'notify "mailto:a@example.com";\n' * 3,
    )
    # Three notifications are within the default of 10 and over a limit of 2.
    assert main(["lint", "--select", "amplification-bound", str(script)]) == 0
    assert main(["lint", "--select", "amplification-bound", "--max-notifys", "2", str(script)]) == 1
