"""`sieve test`: the project's corpus tests pass through it, a broken expectation reads as
a diff, JUnit XML for CI, -k, and every corpus script has a test file naming it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sieve.cli import main
from sieve.testing import command
from sieve.testing.command import discover
from sieve.testing.declarative import load
from sieve.testing.report import CaseResult, FileResult

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
TESTS = CORPUS / "tests"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["test", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_corpus_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(CORPUS))
    assert status == 0, out
    summary = out.splitlines()[-1]
    files, counts = summary.split(": ", 1)
    assert int(files.split()[0]) >= 75
    assert int(counts.split()[0]) >= 300 and ", 0 failed in " in counts


def test_every_corpus_script_is_named_by_a_test_file() -> None:
    scripts = {
        *(CORPUS / "scripts" / "valid").glob("*.sieve"),
        *(CORPUS / "scripts" / "oracle").glob("*.sieve"),
        *(CORPUS / "extensions").glob("*/valid-*.sieve"),
        CORPUS / "extensions" / "include" / "spam-rules.sieve",
        *(CORPUS / "oracle").glob("*.filter"),
        *(CORPUS / "oracle").glob("*.sieve"),
        *(CORPUS / "bench").glob("*.sieve"),
    }
    named = {
        path.resolve()
        for test_file in TESTS.glob("*.sievetest.toml")
        for case in load(test_file).cases
        for _, path in case.scripts
    }
    assert sorted(str(s.relative_to(CORPUS)) for s in scripts if s.resolve() not in named) == []
    hierarchy = [c for f in TESTS.glob("*.sievetest.toml") for c in load(f).cases if c.hierarchy]
    assert {level for case in hierarchy for level, _ in case.scripts} == {
        "user",
        "channel",
        "system",
    }


def test_a_broken_expectation_shows_a_readable_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    test_file = copy / "tests" / "spam-filing.sievetest.toml"
    text = test_file.read_text()
    first = 'spam.eml"\nexpect.actions = [{type = "fileinto", mailbox = "Junk"}]'
    broken = text.replace(first, first.replace("Junk", "Spam"), 1)
    assert broken != text
    test_file.write_text(broken)
    status, out, _ = run(capsys, str(copy / "tests"))
    assert status == 1
    lines = out.splitlines()
    header = lines.index(f"{test_file}: 5 passed, 1 failed")
    assert lines[header + 1 : header + 9] == [
        "  SpamAssassin's verdict files the message into Junk: FAIL: unexpected actions",
        "      --- expected",
        "      +++ actual",
        "      @@ -1,4 +1,4 @@",
        "       actions = [",
        '      -  {type = "fileinto", mailbox = "Spam"},',
        '      +  {type = "fileinto", mailbox = "Junk"},',
        "       ]",
    ]
    assert lines[-1].startswith(f"{len(discover([str(copy / 'tests')])[0])} files: ")
    assert ", 1 failed in " in lines[-1]


def test_junit_xml_for_ci(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.xml"
    status, out, _ = run(
        capsys, str(TESTS / "spam-filing.sievetest.toml"), "--format", "junit", "-o", str(report)
    )
    assert status == 0
    assert out.startswith(f"{TESTS / 'spam-filing.sievetest.toml'}: 6 passed")
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "6" and root.get("failures") == "0"
    [suite] = root
    assert suite.get("name") == str(TESTS / "spam-filing.sievetest.toml")
    names = [case.get("name") for case in suite]
    assert "SpamAssassin's verdict files the message into Junk" in names
    assert all(case.get("classname", "").endswith("corpus.tests.spam-filing") for case in suite)


def test_junit_failures_and_file_errors() -> None:
    from sieve.testing.junit import to_junit

    cases = [CaseResult("ok", True), CaseResult("no", False, "why", "-x\x00")]
    document = to_junit(
        [
            FileResult("a.sievetest.toml", cases),
            FileResult("b.sievetest.toml", error="not valid TOML"),
        ]
    )
    root = ET.fromstring(document)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")
    failure = root.find("./testsuite/testcase[@name='no']/failure")
    assert failure is not None and failure.get("message") == "why"
    assert failure.text == "-x\ufffd"  # a NUL cannot be in XML at all
    error = root.find("./testsuite[@name='b.sievetest.toml']/testcase/error")
    assert error is not None and error.get("message") == "not valid TOML"


def test_k_selects_cases_by_file_or_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(TESTS), "-k", "PHISHING", "-v")
    assert status == 0
    assert out.splitlines()[:2] == [
        f"{TESTS / 'spam-filing.sievetest.toml'}: 1 passed",
        "  a phishing subject that slipped past the scanners goes to Junk/Phishing: PASS",
    ]
    status, out, _ = run(capsys, str(TESTS), "-k", "guide-verbatim")
    assert status == 0 and out.splitlines()[-1].startswith("1 file: 2 passed, 0 failed")
    status, _, err = run(capsys, str(TESTS), "-k", "no case is called this")
    assert status == 2 and "no case matches -k" in err


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, str(tmp_path / "nowhere"))
    assert status == 2 and "no such file or folder" in err
    status, _, err = run(capsys, str(tmp_path))
    assert status == 2 and "no *.sievetest.toml or *.svtest files" in err
    (tmp_path / "notes.txt").write_text("hello")
    status, _, err = run(capsys, str(tmp_path / "notes.txt"))
    assert status == 2 and "not a test file" in err


def test_discovery_skips_hidden_folders_and_runs_each_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("a", ".git", "b/c"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "x.sievetest.toml").write_text("")
    (tmp_path / "b" / "c" / "y.svtest").write_text("")
    files, problems = discover([str(tmp_path), str(tmp_path / "a" / "x.sievetest.toml")])
    assert problems == []
    assert [str(f.relative_to(tmp_path)) for f in files] == [
        "a/x.sievetest.toml",
        "b/c/x.sievetest.toml",
        "b/c/y.svtest",
    ]


def test_svtest_files_go_to_the_testsuite_runner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "one.svtest"
    path.write_text('require "vnd.dovecot.testsuite";\n')

    def run_file(p: Path) -> FileResult:
        print("--- result: 1 action(s)")  # test_result_print
        return FileResult(
            str(p), [CaseResult("first", True), CaseResult("second", False, "test_fail: nope")]
        )

    monkeypatch.setattr(command, "run_svtest", run_file)
    status, out, _ = run(capsys, str(path))
    assert status == 1
    assert out.splitlines()[:3] == [
        f"{path}: 1 passed, 1 failed",
        "  second: FAIL: test_fail: nope",
        "    | --- result: 1 action(s)",
    ]
    status, out, _ = run(capsys, str(path), "-k", "first")
    assert status == 0 and out.startswith(f"{path}: 1 passed\n")
    # What the file printed cannot break the XML on stdout: it is the suite's system-out.
    status, out, _ = run(capsys, str(path), "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and suite.findtext("system-out") == "--- result: 1 action(s)\n"


def test_svtest_blocks_of_one_name_are_numbered_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.svtest"
    path.write_text('require "vnd.dovecot.testsuite";\ntest "Same" { }\ntest "Same" { }\n')
    status, out, _ = run(capsys, "-v", str(path))
    assert status == 0
    assert out.splitlines()[:3] == [f"{path}: 2 passed", "  Same: PASS", "  Same (2): PASS"]


def test_the_command_line_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sieve", "test", str(TESTS / "guide-verbatim.sievetest.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("1 file: 2 passed, 0 failed in ")
