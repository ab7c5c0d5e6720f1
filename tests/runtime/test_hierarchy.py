"""The Oracle filter hierarchy: user, then channel, then system, until one script decides."""

from __future__ import annotations

import sieve
from sieve.runtime.hierarchy import decides

MESSAGE = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: offer\r\n\r\nbuy now\r\n"
ENVELOPE = sieve.Envelope(mail_from="a@example.com", rcpt_to="b@example.org")


def oracle(source: str, name: str) -> sieve.CompiledScript:
    return sieve.compile(source, name=name, dialect="oracle")


def test_the_first_script_that_decides_ends_processing() -> None:
    user = oracle(
        'require "fileinto"; if header :contains "subject" "offer" { fileinto "Ads"; }', "u"
    )
    system = oracle("discard;", "s")
    outcome = sieve.run_hierarchy([("user", user), ("system", system)], MESSAGE, ENVELOPE)
    assert outcome.decided_by == "user"
    assert [a.type for a in outcome.actions] == ["fileinto"]
    assert [level.level for level in outcome.levels] == ["user"]  # system never ran
    assert outcome.implicit_keep is False


def test_scripts_that_only_annotate_let_the_next_one_run() -> None:
    user = oracle('require "addtag"; addtag "[ad]";', "u")
    channel = oracle('require "addheader"; addheader "X-Checked: yes";', "c")
    system = oracle('if header :is "x-checked" "yes" { discard; }', "s")
    outcome = sieve.run_hierarchy(
        [("user", user), ("channel", channel), ("system", system)], MESSAGE, ENVELOPE
    )
    assert outcome.decided_by == "system"  # it saw the channel's header
    assert [a.type for a in outcome.actions] == ["addtag", "addheader", "discard"]
    document = outcome.to_dict()
    assert document["decided_by"] == "system"
    assert [s["level"] for s in document["scripts"]] == ["user", "channel", "system"]


def test_when_no_script_decides_the_implicit_keep_delivers() -> None:
    outcome = sieve.run_hierarchy(
        [("user", oracle('require "addtag"; addtag "x";', "u")), ("system", None)],
        MESSAGE,
        ENVELOPE,
    )
    assert outcome.decided_by is None and outcome.implicit_keep is True


def test_a_failing_user_script_does_not_switch_off_the_system_script() -> None:
    user = oracle('require ["reject", "fileinto"]; fileinto "A"; reject "no";', "u")
    system = oracle('require "reject"; reject "spam";', "s")
    outcome = sieve.run_hierarchy([("user", user), ("system", system)], MESSAGE, ENVELOPE)
    assert outcome.levels[0].result.status == "failed"
    assert outcome.decided_by == "system"
    assert [a.type for a in outcome.actions] == ["reject"]
    assert outcome.status == "failed"  # the user script's failure is still reported


def test_jettison_is_not_undone_by_keep() -> None:
    script = oracle('require ["jettison", "fileinto"]; fileinto "A"; jettison; keep;', "s")
    result = script.run(MESSAGE, ENVELOPE)
    assert [a.type for a in result.actions] == ["jettison"]
    assert result.implicit_keep is False
    assert {w.code for w in result.warnings} == {"jettisoned"}
    assert decides(result)


def test_the_cli_runs_the_hierarchy(tmp_path) -> None:  # noqa: ANN001
    import json

    from tests.test_cli import CORPUS
    from tests.test_cli import sieve as cli

    user = tmp_path / "user.sieve"
    user.write_text('require "addtag"; addtag "[checked]";\n')
    system = tmp_path / "system.sieve"
    system.write_text('require "fileinto"; fileinto "Everything";\n')
    message = str(CORPUS / "messages" / "plain.eml")
    result = cli(
        "run",
        "--dialect",
        "oracle",
        "--user",
        str(user),
        "--system",
        str(system),
        message,
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["decided_by"] == "system"
    assert [a["type"] for a in document["actions"]] == ["addtag", "fileinto"]
    text = cli("run", "--dialect", "oracle", "--user", str(user), "--system", str(system), message)
    assert "decided by the system script" in text.stdout


def test_a_copy_does_not_decide() -> None:
    user = oracle('require "copy"; redirect :copy "archive@example.com";', "u")
    system = oracle('require "addtag"; addtag "[seen]";', "s")
    outcome = sieve.run_hierarchy([("user", user), ("system", system)], MESSAGE, ENVELOPE)
    assert outcome.decided_by is None and outcome.implicit_keep is True
    assert [a.type for a in outcome.actions] == ["redirect", "addtag"]
