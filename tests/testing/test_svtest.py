"""The Pigeonhole testsuite language (.svtest): test files written for it, run by our VM."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sieve
from sieve.runtime.limits import Limits
from sieve.testing import svtest, svtest_delivery
from sieve.testing.report import FileResult
from sieve.testing.svtest import run_file

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
EVERY_COMMAND = CORPUS / "tests" / "svtest" / "testsuite-commands.svtest"
SVTEST_FILES = sorted(CORPUS.rglob("*.svtest"))

# What issue 7 lists, as the names a test file writes.
COMMANDS = (
    "test",
    "test_fail",
    "test_set",
    "test_config_set",
    "test_config_unset",
    "test_config_reload",
    "test_script_compile",
    "test_script_run",
    "test_result_action",
    "test_result_reset",
    "test_result_execute",
    "test_message",
    "test_error",
    "test_mailbox_create",
    "test_binary_save",
    "test_binary_load",
    "test_multiscript",
    "test_result_print",
    "test_message_print",
)

HEADER = 'require "vnd.dovecot.testsuite";\nrequire ["variables", "envelope", "relational"];\n'
FILING = """require ["fileinto"];
if header :contains "Subject" "sale" { fileinto "Offers"; }
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder / next(name for name in files if name.endswith(".svtest"))


def run(folder: Path, test_file: str, **scripts: str) -> FileResult:
    files = {"t.svtest": HEADER + test_file}
    files.update({f"{name}.sieve": text for name, text in scripts.items()})
    return run_file(write(folder, files), output=io.StringIO())


def outcome(result: FileResult) -> dict[str, str]:
    assert result.error == "", result.error
    return {case.name: "PASS" if case.passed else f"FAIL: {case.reason}" for case in result.cases}


# The corpus files.


def test_the_file_that_uses_every_command_passes() -> None:
    result = run_file(EVERY_COMMAND, output=io.StringIO())
    assert result.error == ""
    assert result.failed == 0, [(c.name, c.reason) for c in result.cases if not c.passed]
    assert result.passed >= 15
    text = EVERY_COMMAND.read_text(encoding="utf-8")
    used = set(re.findall(r"\b(test(?:_[a-z_]+)?)\b", text))
    assert set(COMMANDS) <= used
    for form in (":append_result", ":smtp", ":folder", ":index", ":count", ":matches"):
        assert form in text
    for target in ("message", "envelope.from", "envelope.to", "envelope.orig_to", "envelope.auth"):
        assert f'test_set "{target}"' in text


@pytest.mark.parametrize("path", SVTEST_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_test_file_passes(path: Path) -> None:
    result = run_file(path, output=io.StringIO())
    assert result.error == ""
    assert result.cases, "a test file without tests"
    assert [(c.name, c.reason) for c in result.cases if not c.passed] == []


# Blocks and their outcomes.


def test_each_block_passes_or_fails_on_its_own(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Offers are filed" {
  if not test_script_compile "filing.sieve" { test_fail "no compile"; }
  test_set "message" "Subject: Big sale

Now.
";
  if not test_script_run { test_fail "no run"; }
  if not test_result_action "fileinto" { test_fail "not filed"; }
}
test "A wrong expectation" {
  test_set "message" "Subject: Hello

Hi.
";
  if not test_script_run { test_fail "no run"; }
  if not test_result_action "fileinto" { test_fail "expected a fileinto, got none"; }
}
test "Runs after a failure" {
  if not header :is "Subject" "Hello" { test_fail "lost the message"; }
}
""",
        filing=FILING,
    )
    assert outcome(result) == {
        "Offers are filed": "PASS",
        "A wrong expectation": "FAIL: expected a fileinto, got none",
        "Runs after a failure": "PASS",
    }
    assert (result.passed, result.failed) == (2, 1)


def test_a_failing_testsuite_command_fails_its_block(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "No mail was sent" { test_message :smtp 0; }
test "No such binary" { test_binary_load "nothing"; }
test "No such extension" { test_config_reload :extension "frobnicate"; }
test "A bad setting" {
  test_config_set "sieve_max_redirects" "many";
  test_config_reload;
}
""",
    )
    assert outcome(result) == {
        "No mail was sent": "FAIL: no outgoing SMTP message with index 0",
        "No such binary": "FAIL: test_binary_load: no binary was saved as 'nothing'",
        "No such extension": "FAIL: test_config_reload: unknown extension 'frobnicate'",
        "A bad setting": (
            "FAIL: test_config_reload: sieve_max_redirects must be a number, not 'many'"
        ),
    }


def test_a_run_time_error_in_the_test_file_fails_only_that_block(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """require "reject";
test "Rejects twice" {
  reject "one";
  reject "two";
}
test "Still runs" { }
""",
    )
    assert result.cases[0].name == "Rejects twice"
    assert not result.cases[0].passed
    assert "second reject" in result.cases[0].reason
    assert result.cases[1].passed


def test_stop_ends_the_block_and_the_test_passes(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Stops early" { stop; test_fail "ran past stop"; }
test "Next" { }
""",
    )
    assert outcome(result) == {"Stops early": "PASS", "Next": "PASS"}


def test_commands_outside_blocks_run_in_order_and_share_variables(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
set "expected" "Quarterly report";
test_set "message" "Subject: Quarterly report

See attachment.
";
test "Sees the top-level variable and message" {
  if not header :is "Subject" "${expected}" { test_fail "got another message"; }
  set "later" "set in a block";
}
test "Sees the variable of an earlier block" {
  if not string :is "${later}" "set in a block" { test_fail "variable lost"; }
}
""",
    )
    assert outcome(result) == {
        "Sees the top-level variable and message": "PASS",
        "Sees the variable of an earlier block": "PASS",
    }


def test_a_failure_outside_any_test_is_reported(tmp_path: Path) -> None:
    result = run(tmp_path, 'test "Fine" { }\ntest_fail "set-up went wrong";\n')
    assert outcome(result) == {
        "Fine": "PASS",
        "(outside any test, line 4)": "FAIL: set-up went wrong",
    }


def test_the_actions_of_the_test_file_join_the_result(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Redirect from the test file" {
  redirect "archive@example.com";
  if not test_result_action :index 1 "redirect" { test_fail "not in the result"; }
  if not test_result_execute { test_fail "not executed"; }
  test_message :smtp 0;
  if not envelope :is "to" "archive@example.com" { test_fail "sent elsewhere"; }
}
""",
    )
    assert outcome(result) == {"Redirect from the test file": "PASS"}


def test_multiscript_stops_at_a_failing_script_and_keeps_the_message(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "A script of the chain fails" {
  if test_multiscript ["filing.sieve", "twice.sieve", "filing.sieve"] {
    test_fail "the chain succeeded";
  }
  if not test_error :contains "second reject" { test_fail "no reason"; }
  test_message :folder "INBOX" 0;
}
test "A script of the chain is missing" {
  if test_multiscript ["filing.sieve", "absent.sieve"] { test_fail "the chain succeeded"; }
  if not test_error :contains "absent.sieve" { test_fail "no reason"; }
}
""",
        filing=FILING,
        twice='require "reject";\nreject "a";\nreject "b";\n',
    )
    assert outcome(result) == {
        "A script of the chain fails": "PASS",
        "A script of the chain is missing": "PASS",
    }


# Files that are not test files.


def test_a_file_that_does_not_parse_is_an_error(tmp_path: Path) -> None:
    result = run(tmp_path, 'test "Broken" { test_fail "x" }\n')
    assert result.cases == []
    assert re.match(r".*t\.svtest:3:\d+: ", result.error)
    assert result.failed == 1


def test_a_file_that_does_not_check_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.svtest"
    path.write_text('test "Needs the require" { test_fail "x"; }\n')
    result = run_file(path, output=io.StringIO())
    assert "needs the capability 'vnd.dovecot.testsuite'" in result.error


def test_tests_cannot_be_nested(tmp_path: Path) -> None:
    result = run(tmp_path, 'test "Outer" { if true { test "Inner" { } } }\n')
    assert "tests cannot be nested" in result.error
    assert result.cases == []


def test_blocks_of_one_name_are_numbered(tmp_path: Path) -> None:
    # One name twice would be one line in the report and one pytest id.
    result = run(tmp_path, 'test "Same" { }\ntest "Same" { test_fail "two"; }\ntest "Same" { }\n')
    assert outcome(result) == {"Same": "PASS", "Same (2)": "FAIL: two", "Same (3)": "PASS"}


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    result = run_file(tmp_path / "absent.svtest")
    assert result.error.startswith("cannot read ")


def test_mail_filters_cannot_use_the_testsuite() -> None:
    with pytest.raises(sieve.CompileError) as raised:
        sieve.compile('require "vnd.dovecot.testsuite";\ntest_fail "x";\n')
    assert {d.code for d in raised.value.diagnostics} >= {"unknown-capability"}


def test_a_testsuite_program_run_outside_the_runner_stops_cleanly() -> None:
    script = sieve.compile(
        'require "vnd.dovecot.testsuite";\ntest_result_reset;\n', dialect="testsuite"
    )
    result = script.run(b"Subject: x\n\nx\n")
    assert result.status == "failed"
    assert result.implicit_keep
    assert result.errors[0].code == "testsuite-only"


# Scripts next to the test file.


def test_script_paths_are_relative_to_the_test_file(tmp_path: Path) -> None:
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / "pipe.sieve")
    result = run(
        tmp_path,
        """
test "Absolute paths are refused" {
  if test_script_compile "/etc/passwd" { test_fail "compiled"; }
  if not test_error :contains "relative to the test file" { test_fail "no reason"; }
}
test "Missing scripts" {
  if test_script_compile "nowhere.sieve" { test_fail "compiled"; }
  if not test_error :contains "not a file" { test_fail "no reason"; }
}
test "A pipe is not read" {
  if test_script_compile "fifo/pipe.sieve" { test_fail "compiled"; }
}
test "Sub-folders work" {
  if not test_script_compile "lib/filing.sieve" { test_fail "not found"; }
}
""",
        **{"lib/filing": FILING},
    )
    assert set(outcome(result).values()) == {"PASS"}


def test_included_scripts_are_found_next_to_the_script(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Include" {
  if not test_script_compile "lib/main.sieve" { test_fail "no compile"; }
  test_set "message" "Subject: Big sale

Now.
";
  if not test_script_run { test_fail "the include failed"; }
  if not test_result_action "fileinto" { test_fail "the included rule did not run"; }
}
""",
        **{
            "lib/main": 'require "include";\ninclude "filing";\n',
            "lib/filing": FILING,
        },
    )
    assert outcome(result) == {"Include": "PASS"}


# Settings.


def test_sieve_clock_fixes_the_time_scripts_see(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Weekend" {
  test_config_set "sieve_clock" "2026-11-28T12:00:00+00:00";
  test_config_reload;
  if not test_script_compile "weekend.sieve" { test_fail "no compile"; }
  if not test_script_run { test_fail "no run"; }
  if not test_result_action "fileinto" { test_fail "a Saturday is not the weekend"; }
}
""",
        weekend="""require ["date", "fileinto"];
if currentdate :is "weekday" ["0", "6"] { fileinto "Weekend"; }
""",
    )
    assert outcome(result) == {"Weekend": "PASS"}


def test_sieve_max_redirects_limits_the_scripts(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Two redirects are one too many" {
  test_config_set "sieve_max_redirects" "1";
  test_config_reload;
  if not test_script_compile "forward.sieve" { test_fail "no compile"; }
  if test_script_run { test_fail "the limit did not hold"; }
  if not test_error :contains "redirects" { test_fail "no reason"; }
}
""",
        forward='redirect "a@example.com";\nredirect "b@example.com";\n',
    )
    assert outcome(result) == {"Two redirects are one too many": "PASS"}


def test_the_oracle_dialect_and_mapping_tables(tmp_path: Path) -> None:
    (tmp_path / "mappings").write_text("FILTER_VIP\n\n  chair@example.com  $Y\n")
    result = run(
        tmp_path,
        """
test "A callout answers from the mapping file" {
  test_config_set "sieve_dialect" "oracle";
  test_config_set "sieve_mappings" "mappings";
  test_config_reload;
  if not test_script_compile "vip.sieve" { test_fail "no compile"; }
  test_set "message" "From: chair@example.com
Subject: Board

x
";
  if not test_script_run { test_fail "no run"; }
  if not test_result_action "addtag" { test_fail "the callout did not answer"; }
}
test "A missing mapping file fails the reload" {
  test_config_set "sieve_mappings" "absent";
  test_config_reload;
}
""",
        vip="""require ["variables", "addtag"];
if (address :all :matches "From" "*") { set "FROM" "${1}"; }
if vip "${FROM}" { addtag "[VIP]"; }
""",
    )
    found = outcome(result)
    assert found["A callout answers from the mapping file"] == "PASS"
    assert found["A missing mapping file fails the reload"].startswith(
        "FAIL: test_config_reload: cannot load the Oracle settings: 'absent' is not a file"
    )


# Printing and what goes out.


def test_result_print_and_message_print_write_to_the_output(tmp_path: Path) -> None:
    (tmp_path / "filing.sieve").write_text(FILING)
    path = write(
        tmp_path,
        {
            "t.svtest": HEADER
            + """
test "Print" {
  test_set "message" "Subject: Big sale

Now.
";
  if not test_script_compile "filing.sieve" { test_fail "no compile"; }
  if not test_script_run { test_fail "no run"; }
  test_result_print;
  test_message_print;
}
"""
        },
    )
    output = io.StringIO()
    assert run_file(path, output=output).failed == 0
    printed = output.getvalue()
    assert 'fileinto mailbox="Offers"' in printed
    assert "implicit keep: no" in printed
    assert "Subject: Big sale" in printed


def test_a_script_cannot_add_header_fields_to_the_mail_it_sends(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
test "Injection" {
  test_set "message" "From: dave@example.com
To: bob@example.org
Subject: x

x
";
  if not test_script_compile "away.sieve" { test_fail "no compile"; }
  if not test_script_run { test_fail "no run"; }
  if not test_result_execute { test_fail "not sent"; }
  test_message :smtp 0;
  if exists "Bcc" { test_fail "the subject added a Bcc field"; }
  if not header :contains "Subject" "Away" { test_fail "the subject is lost"; }
}
""",
        away="""require ["vacation", "variables", "encoded-character"];
set "subject" "Away${unicode:000a}Bcc: everyone@example.com";
vacation :subject "${subject}" "Back on Monday.";
""",
    )
    assert outcome(result) == {"Injection": "PASS"}


def test_the_mail_store_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svtest_delivery, "MAX_MESSAGES", 1)
    result = run(
        tmp_path,
        """
test "Full" {
  redirect "a@example.com";
  redirect "b@example.com";
  if test_result_execute { test_fail "stored past the limit"; }
  if not test_error :contains "full" { test_fail "no reason"; }
}
""",
    )
    assert outcome(result) == {"Full": "PASS"}


def test_a_block_that_runs_too_long_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svtest, "BLOCK_LIMITS", Limits(max_cpu_seconds=0.0))
    result = run(
        tmp_path,
        """
test "Slow" {
  if not test_script_compile "filing.sieve" { test_fail "no compile"; }
  test_fail "went on past the time limit";
}
""",
        filing=FILING,
    )
    assert outcome(result)["Slow"].startswith("FAIL: line 5: the run used more than 0.0 s of CPU")


def test_a_file_that_runs_too_long_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svtest, "FILE_CPU_SECONDS", -1.0)
    result = run(tmp_path, 'test "One" { }\ntest "Two" { }\n')
    assert set(outcome(result).values()) == {
        "FAIL: not run: the file used more than -1 s of CPU time"
    }


# Hostile files.

TOKENS = st.sampled_from(
    [
        "test",
        '"t"',
        "{",
        "}",
        ";",
        "test_fail",
        "test_set",
        '"message"',
        '"envelope.to"',
        "test_script_compile",
        '"/dev/zero"',
        '"../t.svtest"',
        "test_script_run",
        ":append_result",
        "test_result_execute",
        "test_message",
        ":smtp",
        ":folder",
        "0",
        "test_error",
        ":index",
        "test_binary_save",
        "test_binary_load",
        "test_multiscript",
        '["t.svtest"]',
        "if",
        "not",
        "stop",
        "redirect",
        '"x@example.com"',
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.lists(TOKENS, max_size=40).map(" ".join) | st.text(max_size=200))
def test_any_test_file_gives_a_result_and_never_raises(tmp_path: Path, body: str) -> None:
    path = tmp_path / "t.svtest"
    path.write_text(HEADER + body, encoding="utf-8", errors="surrogatepass")
    result = run_file(path, output=io.StringIO())
    # A block that raised inside our code is reported as an "internal error": a bug.
    assert not any(c.reason.startswith("internal error") for c in result.cases), result.cases
