"""The pieces of the service without sockets: configuration, script store, delivery plans."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sieve
from sieve.serve.config import ConfigError, config_from, load_config
from sieve.serve.plan import plan_recipient
from sieve.serve.relay import smtp_lines
from sieve.serve.scripts import ScriptStore
from sieve.serve.service import build_host
from tests.serve.conftest import write_script


def test_the_documented_minimal_configuration_loads(tmp_path: Path) -> None:
    path = tmp_path / "serve.toml"
    path.write_text(
        '[listen]\nport = 10025\nprotocol = "lmtp"\n[next_hop]\nport = 10026\n'
        '[scripts]\nsystem = "system.sieve"\nusers = "users"\n'
    )
    config = load_config(path)
    assert (config.listen_host, config.listen_port, config.protocol) == ("127.0.0.1", 10025, "lmtp")
    assert config.next_port == 10026
    assert config.system == tmp_path / "system.sieve"  # relative to the file
    assert config.users == tmp_path / "users"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("[listen]\nprot = 1\n", "unknown setting listen.prot"),
        ('[listen]\nport = "x"\n', "listen.port must be a int"),
        ('[listen]\nprotocol = "pop3"\n', "smtp or lmtp"),
        ("[listen\n", "not valid TOML"),
        ("listen = 3\n", "[listen] must be a table"),
    ],
)
def test_a_bad_configuration_says_what_is_wrong(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "serve.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_user_scripts_are_found_by_address_then_local_part(tmp_path: Path) -> None:
    write_script(tmp_path / "bob@example.net.sieve", "discard;")
    write_script(tmp_path / "carol.sieve", "keep;")
    store = ScriptStore(users=tmp_path)
    assert [level for level, _ in store.hierarchy("<Bob@Example.NET>")] == ["user"]
    assert store.hierarchy("carol@anywhere.org")[0][1].name == "carol.sieve"
    assert store.hierarchy("dave@example.net") == []


@pytest.mark.parametrize("recipient", ["../secret@x", "..", "/etc/passwd", ".hidden@x", "a/b@c"])
def test_a_hostile_recipient_never_names_a_file_outside_the_folder(
    tmp_path: Path, recipient: str
) -> None:
    users = tmp_path / "users"
    users.mkdir()
    write_script(tmp_path / "secret.sieve", "discard;")
    write_script(tmp_path / "passwd.sieve", "discard;")
    assert ScriptStore(users=users).hierarchy(recipient) == []


def test_a_broken_new_version_keeps_the_old_script(tmp_path: Path) -> None:
    path = write_script(tmp_path / "system.sieve", "keep;")
    store = ScriptStore(system=path)
    store.reload()
    old = store.hierarchy("x@y")[0][1]
    write_script(path, "if true {")
    store.reload()
    assert store.hierarchy("x@y")[0][1] is old
    assert store.failures == 1


def _outcome(script: str, data: bytes) -> sieve.HierarchyResult:
    compiled = sieve.compile(script)
    envelope = sieve.Envelope(mail_from="a@example.org", rcpt_to="b@example.net")
    return sieve.run_hierarchy([("system", compiled)], data, envelope)


def plan(script: str, data: bytes = b"Subject: hi\r\n\r\nbody\r\n"):
    return plan_recipient(
        _outcome(script, data), "b@example.net", "a@example.org", data,
        notice_from="MAILER-DAEMON@example.net", hostname="example.net",
    )  # fmt: skip


def test_header_edits_reach_the_delivered_copy() -> None:
    (copy,) = plan('require "editheader";\naddheader "X-Checked" "yes";').deliveries
    assert copy.data.startswith(b"X-Sieve-Mailbox: INBOX\r\nX-Checked: yes\r\n")
    assert copy.data.endswith(b"\r\n\r\nbody\r\n")


def test_each_fileinto_is_its_own_copy_and_cancels_the_implicit_keep() -> None:
    outcome = plan('require "fileinto";\nfileinto "A";\nfileinto "B";')
    assert [d.data.split(b"\r\n")[0] for d in outcome.deliveries] == [
        b"X-Sieve-Mailbox: A",
        b"X-Sieve-Mailbox: B",
    ]
    assert outcome.decision == "fileinto:A,fileinto:B"


def test_a_null_sender_gets_no_reject_notice_or_vacation() -> None:
    data = b"Subject: hi\r\n\r\nbody\r\n"
    outcome = _outcome('require ["reject"];\nreject "no";', data)
    assert (
        plan_recipient(outcome, "b@x", "", data, notice_from="m@x", hostname="x").deliveries == []
    )
    data = b"To: b@example.net\r\n" + data  # RFC 5230 §4.5: only mail addressed to the user
    outcome = _outcome('require "vacation";\nvacation "away";', data)
    kinds = [
        delivery.kind
        for delivery in plan_recipient(
            outcome, "b@x", "a@y", data, notice_from="m@x", hostname="x"
        ).deliveries
    ]
    assert kinds == ["keep", "vacation"]  # with a sender, the reply goes out
    null = plan_recipient(outcome, "b@x", "", data, notice_from="m@x", hostname="x")
    assert [delivery.kind for delivery in null.deliveries] == ["keep"]
    assert null.decision == "keep:INBOX"


def test_the_vacation_reply_quotes_the_original_subject_and_message_id() -> None:
    data = (
        b"Subject: =?utf-8?q?caf=C3=A9?= and\r\n  more\r\n"
        b"To: b@example.net\r\nMessage-ID: <1@example.org>\r\n\r\nbody\r\n"
    )
    outcome = plan('require "vacation";\nvacation "away";', data)
    reply = email.message_from_bytes(outcome.deliveries[1].data, policy=email.policy.compat32)
    # The original's values as written (not RFC 2047 decoded), folding collapsed.
    assert reply["Subject"] == "Auto: =?utf-8?q?caf=C3=A9?= and more"
    assert (reply["In-Reply-To"], reply["References"]) == ("<1@example.org>",) * 2


def test_the_poll_checks_only_the_system_and_channel_scripts(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.mkdir()
    system = write_script(tmp_path / "system.sieve", "keep;")
    user = write_script(users / "b.sieve", "keep;")
    store = ScriptStore(system=system, users=users, poll_seconds=3600)
    store.reload()
    first = store.hierarchy("b@x")[0][1]
    write_script(user, "discard;")
    write_script(system, "discard;")
    store.reload(users=False)
    assert store.hierarchy("b@x")[0][1] is first  # the user script waits for its own check
    assert store.hierarchy("b@x")[1][1].name == "system.sieve"
    store.reload()  # SIGHUP: everything
    assert store.hierarchy("b@x")[0][1] is not first


@pytest.mark.parametrize(
    ("mapping", "complaint"),
    [
        ("missing.map", "cannot read the file"),
        ("broken.map", "an entry before any table name"),
    ],
)
def test_a_mapping_file_that_cannot_be_used_stops_the_start(
    tmp_path: Path, mapping: str, complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.map").write_text("\n\n  a  b\nT\n  c  d\n")
    config = config_from({"mapping": {"mappings": mapping}}, tmp_path)
    with pytest.raises(ConfigError, match="error"):
        build_host(config)
    assert complaint in capsys.readouterr().err  # each diagnostic, as `sieve run` prints it


@given(st.binary(max_size=300))
def test_any_bytes_as_a_message_are_planned_without_raising(data: bytes) -> None:
    outcome = plan('if header :contains "subject" "x" { discard; }', data)
    for delivery in outcome.deliveries:
        assert delivery.recipients == ("b@example.net",)


@given(st.binary(max_size=200))
def test_smtp_lines_ends_every_line_with_crlf(data: bytes) -> None:
    fixed = smtp_lines(data)
    assert fixed.count(b"\n") == fixed.count(b"\r\n")
    assert fixed.replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n")


def test_sieve_serve_refuses_a_mapping_file_that_cannot_be_used(tmp_path: Path) -> None:
    from tests.test_cli import sieve as cli

    config = tmp_path / "serve.toml"
    config.write_text('[listen]\nport = 0\n[mapping]\nmappings = "missing.map"\n')
    result = cli("serve", "--config", str(config))
    assert result.returncode == 2
    assert "cannot read the file" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("sieve serve: [mapping]: ")
