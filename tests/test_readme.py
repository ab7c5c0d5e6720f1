"""The README opens with the two set-up commands; the main-job one must really work."""

from __future__ import annotations

from tests.test_cli import ROOT, sieve


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m pip install -e . && sieve run ")
    assert commands[1] == "tools/test"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "tools/test" in ci


def test_the_main_job_runs_a_real_script_on_a_real_message() -> None:
    main_job = _commands()[0].split("&&", 1)[1].split()
    assert main_job[:2] == ["sieve", "run"]
    result = sieve(*main_job[1:])
    assert result.returncode == 0, result.stderr
    assert "success" in result.stdout.splitlines()[0]
    assert 'fileinto mailbox="Lists.dev-announce"' in result.stdout
    assert "test: header matches" in result.stdout  # the trace
