"""`sieve run`, as a person runs it: a script, messages, an envelope; text, JSON and trace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import CORPUS, sieve

LISTS = CORPUS / "scripts" / "valid" / "mailing-lists.sieve"
LIST_MAIL = CORPUS / "messages" / "list.eml"
PLAIN = CORPUS / "messages" / "plain.eml"


def test_json_prints_exactly_the_result_document() -> None:
    result = sieve("run", str(LISTS), str(LIST_MAIL), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {
        "status",
        "actions",
        "implicit_keep",
        "implicit_keep_flags",
        "errors",
        "warnings",
    }
    assert document["status"] == "success"
    assert document["actions"] and document["actions"][0]["type"] == "fileinto"


def test_several_messages_give_json_lines(tmp_path: Path) -> None:
    result = sieve("run", str(LISTS), str(LIST_MAIL), str(PLAIN), "--format", "json")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["status"] for line in lines] == ["success", "success"]


def test_text_summary_names_actions_and_lines(tmp_path: Path) -> None:
    script = tmp_path / "s.sieve"
    script.write_text(
        'require "fileinto";\nif header :contains "subject" "" {\n  fileinto "A";\n}\n'
    )
    result = sieve("run", str(script), str(PLAIN))
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].endswith(": success")
    assert 'fileinto mailbox="A"  (line 3)' in result.stdout


def test_trace_shows_each_test(tmp_path: Path) -> None:
    script = tmp_path / "s.sieve"
    script.write_text('if header :is "x-none" "y" { discard; }\n')
    result = sieve("run", str(script), str(PLAIN), "--trace")
    assert '1: test: header is [] against ["y"]: false' in result.stdout
    assert "implicit keep" in result.stdout


def test_envelope_environment_and_limits_from_options(tmp_path: Path) -> None:
    script = tmp_path / "s.sieve"
    script.write_text(
        'require ["envelope", "environment", "fileinto"];\n'
        'if envelope :domain "from" "example.com" { fileinto "env"; }\n'
        'if environment "location" "MTA" { fileinto "mta"; }\n'
        'redirect "a@example.com"; redirect "b@example.com";\n'
    )
    result = sieve(
        "run",
        str(script),
        str(PLAIN),
        "--from",
        "x@example.com",
        "--env",
        "location=MTA",
        "--limit",
        "max_redirects=1",
        "--format",
        "json",
    )
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["status"] == "limit"
    assert document["errors"][0]["code"] == "max_redirects"
    result = sieve(
        "run",
        str(script),
        str(PLAIN),
        "--from",
        "x@example.com",
        "--env",
        "location=MTA",
        "--format",
        "json",
    )
    mailboxes = [a.get("mailbox") for a in json.loads(result.stdout)["actions"]]
    assert mailboxes[:2] == ["env", "mta"]


def test_a_runtime_failure_exits_one_with_the_implicit_keep(tmp_path: Path) -> None:
    script = tmp_path / "s.sieve"
    script.write_text('require ["reject", "fileinto"];\nfileinto "A";\nreject "no";\n')
    result = sieve("run", str(script), str(PLAIN))
    assert result.returncode == 1
    assert "failed: line 3:" in result.stdout and "[action-conflict]" in result.stdout
    assert "implicit keep" in result.stdout


def test_compiled_programs_run_too(tmp_path: Path) -> None:
    compiled = tmp_path / "lists.svbc"
    assert sieve("compile", str(LISTS), "-o", str(compiled)).returncode == 0
    source_run = json.loads(sieve("run", str(LISTS), str(LIST_MAIL), "--format", "json").stdout)
    binary_run = json.loads(sieve("run", str(compiled), str(LIST_MAIL), "--format", "json").stdout)
    assert binary_run == source_run


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    assert sieve("run", str(LISTS), str(tmp_path / "missing.eml")).returncode == 2
    assert sieve("run", str(LISTS), str(PLAIN), "--limit", "nonsense=1").returncode == 2
    assert sieve("run", str(LISTS), str(PLAIN), "--env", "novalue").returncode == 2


def test_an_invalid_script_shows_its_diagnostics(tmp_path: Path) -> None:
    script = tmp_path / "bad.sieve"
    script.write_text('fileinto "A";\n')
    result = sieve("run", str(script), str(PLAIN))
    assert result.returncode == 1
    assert "missing-require" in result.stderr


def test_the_hierarchy_text_shows_problems_and_keep_flags_as_a_lone_script_does(
    tmp_path: Path,
) -> None:
    user = tmp_path / "user.sieve"
    user.write_text('require ["reject", "fileinto"];\nfileinto "A";\nreject "no";\n')
    system = tmp_path / "system.sieve"
    system.write_text('require "imap4flags";\nsetflag "\\\\Seen";\n')
    result = sieve("run", "--user", str(user), "--system", str(system), str(PLAIN))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "    failed: line 3: " in "\n".join(lines) and "[action-conflict]" in result.stdout
    assert lines[-1] == "  implicit keep with flags \\Seen"
    lone = sieve("run", str(user), str(PLAIN)).stdout.splitlines()
    problem = next(line for line in lone if "[action-conflict]" in line)
    assert "  " + problem in lines  # the same line, under its level
