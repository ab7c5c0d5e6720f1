"""Dry runs over mailboxes: `sieve run SCRIPT --maildir DIR | --mbox FILE | FOLDER`, and the
runner, summary and output behind it."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sieve
from sieve.dryrun import runner as runner_module
from sieve.dryrun import summary as summary_module
from sieve.dryrun.output import CSV_COLUMNS, CsvWriter, Progress, json_record
from sieve.dryrun.runner import Runner, run_messages
from sieve.dryrun.summary import Summary
from sieve.dryrun.worker import BROKEN, MessageReport, RunSettings, ScriptSpec, Worker
from sieve.runtime.mailbox import MailItem
from tests.test_cli import CORPUS
from tests.test_cli import sieve as cli

FILTER = """require ["fileinto", "envelope"];
if header :contains "subject" "[list]" {
    fileinto "Lists";
    stop;
}
if envelope :domain :is "from" "bank.example" {
    fileinto "Finance";
}
if header :contains "subject" "forward" {
    redirect "me@example.org";
}
"""


def mail(subject: str, sender: str = "ann@example.com", extra: str = "") -> bytes:
    return f"{extra}From: {sender}\nTo: sam@example.com\nSubject: {subject}\n\nHi.\n".encode()


def settings_for(source: str = FILTER, **options: object) -> RunSettings:
    script = sieve.compile(source, name="filter.sieve")
    return RunSettings((ScriptSpec("", "filter.sieve", script.to_bytes()),), **options)  # type: ignore[arg-type]


def items(*messages: bytes) -> list[MailItem]:
    return [MailItem(f"m{n}", data=data) for n, data in enumerate(messages, 1)]


def make_maildir(root: Path, messages: list[bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(messages):
        (root / "cur" / f"{1700000000 + n}.M{n}.host:2,S").write_bytes(data)
    return root


# --- one worker -------------------------------------------------------------------------


def test_each_message_gets_its_actions_with_the_line_that_took_them() -> None:
    reports = run_messages(
        items(mail("[list] news"), mail("lunch"), mail("forward this")), settings_for(), jobs=1
    )
    assert [r.index for r in reports] == [1, 2, 3]
    assert reports[0].document["actions"] == [
        {
            "type": "fileinto",
            "mailbox": "Lists",
            "flags": [],
            "copy": False,
            "create": False,
            "line": 3,
        }
    ]
    assert reports[0].rules == [("", 3)]
    assert reports[1].document["implicit_keep"] is True and reports[1].rules == []
    assert [a["address"] for a in reports[2].document["actions"]] == ["me@example.org"]


def test_the_envelope_comes_from_return_path_then_from_and_the_first_to() -> None:
    bank = mail("statement", "news@bank.example", "Return-Path: <bounce@bank.example>\n")
    null = mail("bounce", "daemon@bank.example", "Return-Path: <>\n")
    plain = mail("hello", "Ann <ann@bank.example>")
    reports = run_messages(items(bank, null, plain), settings_for(), jobs=1)
    assert [(r.mail_from, r.rcpt_to) for r in reports] == [
        ("bounce@bank.example", "sam@example.com"),
        ("", "sam@example.com"),
        ("ann@bank.example", "sam@example.com"),
    ]
    # The envelope test sees it: the null sender is not from bank.example.
    filed = [[a.get("mailbox") for a in r.document["actions"]] for r in reports]
    assert filed == [["Finance"], [], ["Finance"]]


def test_an_envelope_given_on_the_command_line_wins() -> None:
    settings = settings_for(mail_from="x@bank.example", rcpt_to="")
    (report,) = run_messages(items(mail("hello")), settings, jobs=1)
    assert (report.mail_from, report.rcpt_to) == ("x@bank.example", "")
    assert report.document["actions"][0]["mailbox"] == "Finance"


def test_with_trace_the_tests_that_matched_are_counted_by_line() -> None:
    (report,) = run_messages(items(mail("forward this")), settings_for(trace=True), jobs=1)
    assert report.matched == [("", 9)]
    assert report.rules == [("", 10)]


def test_broken_messages_are_reported_and_skipped(tmp_path: Path) -> None:
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    big = tmp_path / "big.eml"
    big.write_bytes(mail("big") + b"x" * 400)
    work = [
        MailItem(str(empty), path=str(empty)),
        MailItem("gone.eml", path=str(tmp_path / "gone.eml")),
        MailItem(str(big), path=str(big)),
        MailItem("fine", data=mail("[list] fine")),
    ]
    reports = run_messages(work, settings_for(max_message_size=300), jobs=1)
    assert [r.status for r in reports] == [BROKEN, BROKEN, BROKEN, "success"]
    assert reports[0].problem == "empty message"
    assert reports[1].problem.startswith("cannot read: ")
    assert reports[2].problem == "larger than 300 bytes"


def test_an_unexpected_error_costs_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: Worker, message: object, envelope: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Worker, "_outcome", explode)
    (report,) = run_messages(items(mail("x")), settings_for(), jobs=1)
    assert (report.status, report.problem) == (BROKEN, "internal error: RuntimeError: boom")


def test_a_run_time_failure_keeps_the_message_and_says_why() -> None:
    source = 'require ["reject", "fileinto"];\nfileinto "A";\nreject "no";\n'
    (report,) = run_messages(items(mail("x")), settings_for(source), jobs=1)
    assert report.status == "failed"
    assert report.document["implicit_keep"] is True
    assert report.document["errors"][0]["line"] == 3


def test_in_a_hierarchy_rules_are_named_by_level() -> None:
    scripts = tuple(
        ScriptSpec(level, f"{level}.sieve", sieve.compile(source, dialect="oracle").to_bytes())
        for level, source in (
            ("user", 'require "addtag";\naddtag "[seen]";\n'),
            ("system", 'require "fileinto";\n\nfileinto "All";\n'),
        )
    )
    (report,) = run_messages(items(mail("x")), RunSettings(scripts), jobs=1)
    assert report.document["decided_by"] == "system"
    assert [(a["type"], a["script"], a["line"]) for a in report.document["actions"]] == [
        ("addtag", "user", 2),
        ("fileinto", "system", 3),
    ]
    assert report.rules == [("user", 2), ("system", 3)]
    summary = Summary()
    summary.add(report)
    assert summary.to_dict()["decided_by"] == {"system": 1}
    assert summary.to_dict()["rules"] == {"user:2": 1, "system:3": 1}


_WORKER = Worker(settings_for())


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_a_report_never_an_exception(data: bytes) -> None:
    report = _WORKER.run(7, MailItem("hostile", data=data))
    assert report.index == 7
    assert report.status in ("success", "failed", "limit", BROKEN)
    assert (report.status == BROKEN) == (data == b"")


# --- worker processes -------------------------------------------------------------------

needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)


def test_worker_processes_answer_in_input_order_as_one_process_does() -> None:
    subjects = ["[list] a", "lunch", "forward", "statement"] * 30
    work = items(
        *(mail(s, "x@bank.example" if s == "statement" else "a@b.example") for s in subjects)
    )
    runner = Runner(settings_for(), jobs=2, chunk_size=4)
    parallel = [report for chunk in runner.run(work) for report in chunk]
    assert runner.processes == 2
    alone = run_messages(work, settings_for(), jobs=1)
    assert [r.index for r in parallel] == list(range(1, 121))
    assert [r.name for r in parallel] == [item.name for item in work]
    assert [r.document for r in parallel] == [r.document for r in alone]


def test_worker_summaries_merge_to_the_summary_of_every_report() -> None:
    # Problems are spread over several chunks: the merged list must keep the first ones.
    subjects = ["[list] a", "lunch", "forward", "statement", "big"] * 30
    work = [
        # Every fifth is marked as an mbox reader marks an oversized message: "broken".
        MailItem(item.name, data=item.data, problem="too large" if n % 5 == 4 else "")
        for n, item in enumerate(
            items(*(mail(s, "x@bank.example" if s == "statement" else "a@b") for s in subjects))
        )
    ]
    settings = settings_for()
    runner = Runner(settings, jobs=2, chunk_size=4)
    merged = Summary()
    for part in runner.summaries(work):
        assert isinstance(part, Summary) and part.messages <= 4
        merged.merge(part)
    assert runner.processes == 2
    expected = Summary.of(run_messages(work, settings, jobs=1))
    assert merged.to_dict() == expected.to_dict()
    assert expected.problem_count == 30 and len(merged.problems) == summary_module.MAX_LISTED
    assert [r.index for r in merged.problems] == [r.index for r in expected.problems]


def test_a_small_mailbox_runs_in_this_process() -> None:
    runner = Runner(settings_for(), jobs=4)
    reports = [r for chunk in runner.run(items(mail("a"), mail("b"))) for r in chunk]
    assert len(reports) == 2 and runner.processes == 0


def test_the_runner_streams_a_bounded_window() -> None:
    pulled = 0

    def endless() -> object:
        nonlocal pulled
        for n in range(2000):
            pulled += 1
            yield MailItem(f"m{n}", data=mail("lunch"))

    runner = Runner(settings_for(), jobs=2, chunk_size=4)
    reports = runner.run(endless())  # type: ignore[arg-type]
    assert [r.index for r in next(reports)] == [1, 2, 3, 4]
    # The first answer came back with only a few chunks read ahead, not the mailbox.
    assert pulled <= 4 * (2 * runner_module.WINDOW_PER_JOB + 1)
    assert sum(len(chunk) for chunk in reports) == 2000 - 4


@needs_fork
def test_a_worker_that_dies_costs_only_the_message_it_died_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = Worker._run

    def fragile(self: Worker, index: int, name: str, data: bytes) -> MessageReport:
        if b"poison" in data:
            os._exit(3)  # as if the kernel killed the worker
        return real(self, index, name, data)

    monkeypatch.setattr(Worker, "_run", fragile)  # forked workers inherit the patch
    subjects = ["lunch"] * 40
    subjects[17] = "poison"
    work = items(*(mail(s) for s in subjects))
    reports = [r for chunk in Runner(settings_for(), 2, chunk_size=4).run(work) for r in chunk]
    assert [r.index for r in reports] == list(range(1, 41))
    assert [r.index for r in reports if r.status == BROKEN] == [18]
    assert "died" in reports[17].problem
    assert all(r.status == "success" for n, r in enumerate(reports) if n != 17)
    merged = Summary()
    for part in Runner(settings_for(), 2, chunk_size=4).summaries(work):
        merged.merge(part)
    assert merged.to_dict() == Summary.of(reports).to_dict()
    assert [r.index for r in merged.problems] == [18]


# --- summary and output -----------------------------------------------------------------


def summary_of(*messages: bytes, source: str = FILTER) -> tuple[Summary, list[MessageReport]]:
    reports = run_messages(items(*messages), settings_for(source, trace=True), jobs=1)
    summary = Summary()
    for report in reports:
        summary.add(report)
    return summary, reports


def test_the_summary_counts_messages_per_action_mailbox_and_rule() -> None:
    summary, _ = summary_of(
        mail("[list] a"),
        mail("[list] b"),
        mail("forward"),  # RFC 5228 §2.10.2: redirect cancels the implicit keep
        mail("hi", "x@bank.example"),
        mail("lunch"),
    )
    document = summary.to_dict()
    assert document["statuses"] == {"success": 5, "failed": 0, "limit": 0, "broken": 0}
    assert document["actions"] == {"fileinto": 3, "implicit keep": 1, "redirect": 1}
    assert document["mailboxes"] == {"Lists": 2, "Finance": 1, "INBOX": 1}
    assert document["redirects"] == {"me@example.org": 1}
    assert document["rules"] == {"line 3": 2, "line 10": 1, "line 7": 1}


def test_the_summary_table_shows_rules_with_their_source_and_the_problems() -> None:
    source = (
        'require ["fileinto", "reject"];\nif header :contains "subject" "x" {\n'
        '  fileinto "X";\n  reject "no";\n}\n'
    )
    summary, _ = summary_of(mail("x one"), mail("plain"), source=source)
    summary.add(MessageReport(3, "cur/broken", BROKEN, problem="empty message"))
    out = io.StringIO()
    summary.render(out, seconds=2.0, processes=0, sources={"": source.splitlines()})
    text = out.getvalue()
    assert text.splitlines()[0] == (
        "3 messages in 2.00 s, 2/s, in one process: 1 success, 1 failed, 1 broken"
    )
    assert "\nMailboxes\n  INBOX  " in text
    assert "Tests that matched (messages per line of a test)\n  line 2  " in text
    assert 'if header :contains "subject" "x" {' in text
    assert "  m1: failed: line 4: " in text
    assert "  cur/broken: broken: empty message" in text


def test_json_records_carry_the_message_envelope_and_result() -> None:
    _, reports = summary_of(mail("[list] a"))
    record = json_record(reports[0])
    assert record["index"] == 1 and record["message"] == "m1"
    assert record["envelope"] == {"from": "ann@example.com", "to": "sam@example.com"}
    assert record["status"] == "success" and record["actions"][0]["line"] == 3
    assert record["matched"] == [2]
    broken = json_record(MessageReport(2, "x", BROKEN, problem="empty message"))
    assert broken == {"index": 2, "message": "x", "status": "broken", "error": "empty message"}


def test_csv_rows_have_one_column_per_field() -> None:
    _, reports = summary_of(mail("[list] a"), mail("forward"))
    out = io.StringIO()
    writer = CsvWriter(out)
    for report in reports:
        writer.write(report)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["actions"] == "fileinto Lists" and rows[0]["mailboxes"] == "Lists"
    assert rows[1]["actions"] == "redirect me@example.org"
    assert rows[1]["mailboxes"] == "" and rows[1]["implicit_keep"] == "false"


def test_the_progress_line_shows_rate_and_time_left() -> None:
    ticks = iter([0.0, 10.0])
    progress = Progress(io.StringIO(), total=400, clock=lambda: next(ticks))
    assert progress.line(100, 10.0) == (
        "[######..................]  25% 100/400 messages, 10/s, ETA 0:00:30"
    )
    by_bytes = Progress(io.StringIO(), None, fraction=lambda: 0.5)
    assert by_bytes.line(30, 3.0).endswith("50% 30 messages, 10/s, ETA 0:00:03")


# --- the command line -------------------------------------------------------------------


@pytest.fixture()
def maildir(tmp_path: Path) -> Path:
    messages = [mail("[list] weekly"), mail("lunch"), mail("hi", "x@bank.example")] * 3
    messages[4] = b""  # a failed delivery: an empty file
    return make_maildir(tmp_path / "Maildir", messages)


def test_sieve_run_maildir_prints_the_summary_table(tmp_path: Path, maildir: Path) -> None:
    script = tmp_path / "filter.sieve"
    script.write_text(FILTER)
    result = cli("run", str(script), "--maildir", str(maildir), "--jobs", "2")
    assert result.returncode == 1, result.stderr  # the empty message is a finding
    lines = result.stdout.splitlines()
    assert lines[0].startswith("9 messages in ") and lines[0].endswith(": 8 success, 1 broken")
    assert "\nMailboxes\n" in result.stdout
    assert '  line 3         3   33.3%  fileinto "Lists";' in lines
    assert any(line.endswith(".M4.host:2,S: broken: empty message") for line in lines)
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_json_lines_in_input_order_with_the_summary_on_stderr(
    tmp_path: Path, maildir: Path
) -> None:
    script = tmp_path / "filter.sieve"
    script.write_text(FILTER)
    result = cli("run", str(script), "--maildir", str(maildir), "--format", "json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["index"] for r in records] == list(range(1, 10))
    assert [Path(r["message"]).name for r in records] == sorted(
        p.name for p in (maildir / "cur").iterdir()
    )
    assert records[0]["actions"][0]["mailbox"] == "Lists"
    assert records[4] == {
        "index": 5,
        "message": records[4]["message"],
        "status": "broken",
        "error": "empty message",
    }
    assert result.stderr.startswith("9 messages in ")


def test_a_folder_of_eml_files_and_an_mbox_run_as_csv(tmp_path: Path) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_bytes(
        b"".join(b"From a@b Mon Jun  3 08:00:00 2024\n" + mail(s) + b"\n" for s in ("a", "forward"))
    )
    result = cli(
        "run",
        str(CORPUS / "scripts" / "valid" / "mailing-lists.sieve"),
        str(CORPUS / "messages"),
        "--mbox",
        str(mbox),
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    eml = sorted(p for p in os.listdir(CORPUS / "messages") if p.endswith(".eml"))
    assert [Path(r["message"]).name for r in rows] == ["inbox.mbox#1", "inbox.mbox#2", *eml]
    listed = next(r for r in rows if r["message"].endswith("list.eml"))
    assert listed["actions"] == "fileinto Lists.dev-announce" and listed["rules"] == "7"


def test_usage_errors_of_dry_runs_exit_two(tmp_path: Path) -> None:
    script = str(CORPUS / "scripts" / "valid" / "mailing-lists.sieve")
    result = cli("run", script, "--maildir", str(tmp_path))
    assert result.returncode == 2
    assert "not a maildir" in result.stderr and "hint:" in result.stderr
    assert cli("run", script, "--mbox", str(tmp_path / "none.mbox")).returncode == 2
    assert cli("run", script, "--maildir", str(tmp_path), "--jobs", "0").returncode == 2


def test_the_51st_spam_message_of_an_mbox_is_rejected(tmp_path: Path) -> None:
    spam = (CORPUS / "oracle" / "messages" / "outbound-spam.eml").read_bytes()
    mbox = tmp_path / "spam.mbox"
    mbox.write_bytes(
        b"".join(b"From u@example.com Mon Jun  3 08:00:00 2024\n" + spam + b"\n" for _ in range(55))
    )
    result = cli(
        "run",
        "--dialect",
        "oracle",
        "--mappings",
        str(CORPUS / "oracle" / "mappings"),
        str(CORPUS / "oracle" / "authspam.filter"),
        "--mbox",
        str(mbox),
        "--from",
        "u@example.com",
        "--to",
        "x@example.net",
        "--format",
        "json",
        "--jobs",
        "1",
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["index"] for r in records if r["actions"]] == [51, 52, 53, 54, 55]
    assert "  reject                5    9.1%" in result.stderr


def test_the_benchmark_reads_the_rate_from_the_summary_line() -> None:
    from tests.tools.test_bench_run import bench

    summary, _ = summary_of(mail("a"), mail("b"))
    out = io.StringIO()
    summary.render(out, seconds=0.5, processes=2)
    found = bench._SUMMARY_RATE.search(out.getvalue())
    assert found is not None and found.group(1) == "4"
    record = json.dumps({"message": "x", "actions": [], "implicit_keep": True})
    assert bench.folders_of_records(record, []) == {"x": ("INBOX",)}
