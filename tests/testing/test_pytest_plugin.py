"""The pytest plugin: test files become items (one per case), failures read as in
`sieve test`, Python tests get `sieve_script` and `run_sieve`, and collection follows
pytest's own rules."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

from sieve.testing import command
from sieve.testing.report import CaseResult, FileResult

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

FILTER = 'require "fileinto";\nif header :contains "Subject" "offer" { fileinto "Junk"; }\n'
OFFER = "From: shop@example.net\nTo: bob@example.org\nSubject: an offer\n\ncheap\n"
TESTS = """\
script = "filter.sieve"

[[case]]
name = "offers go to Junk"
message = "offer.eml"
expect.actions = [{type = "fileinto", mailbox = "Junk"}]

[[case]]
name = "offers go to Spam"
message = "offer.eml"
expect.actions = [{type = "fileinto", mailbox = "Spam"}]
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".sieve", filter=FILTER)
    pytester.makefile(".eml", offer=OFFER)
    pytester.makefile(".sievetest.toml", spam=TESTS)
    return pytester


def test_the_plugin_is_registered_under_the_name_sieve() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("sieve") == "sieve.testing.pytest_plugin"


def test_each_case_is_an_item_and_a_failure_shows_the_diff(project: pytest.Pytester) -> None:
    result = project.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "spam.sievetest.toml::offers go to Junk PASSED*",
            "spam.sievetest.toml::offers go to Spam FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "unexpected actions",
            "--- expected",
            "+++ actual",
            "*",
            " actions = [",
            '-  {type = "fileinto", mailbox = "Spam"},',
            '+  {type = "fileinto", mailbox = "Junk"},',
            " ]",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_k_and_node_ids_select_cases(project: pytest.Pytester) -> None:
    project.runpytest("-k", "Junk").assert_outcomes(passed=1, deselected=1)
    project.runpytest("spam.sievetest.toml::offers go to Spam").assert_outcomes(failed=1)


def test_a_broken_file_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".sievetest.toml", broken="script = [")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*broken.sievetest.toml: not valid TOML*"])


def test_collection_follows_testpaths(project: pytest.Pytester) -> None:
    # The corpus test files of a project whose testpaths do not reach them are not run by
    # a plain `pytest`, so `sieve test` and pytest do not run them twice.
    project.makeini("[pytest]\ntestpaths = tests\n")
    project.mkdir("tests").joinpath("test_nothing.py").write_text("def test_x(): pass\n")
    project.runpytest().assert_outcomes(passed=1)
    project.runpytest(".").assert_outcomes(passed=2, failed=1)
    project.runpytest("-p", "no:sieve", ".").assert_outcomes(passed=1)


def test_pytest_collects_the_corpus_test_files(pytester: pytest.Pytester) -> None:
    corpus = str(ROOT / "corpus" / "tests")
    result = pytester.runpytest("--collect-only", "-q", "-o", "addopts=", corpus)
    lines = [line for line in result.stdout.lines if ".sievetest.toml::" in line]
    assert len(lines) >= 300
    assert any(line.endswith("guide-authspam.sievetest.toml::" + (
        "the first 50 spam messages within the hour pass, the 51st is rejected"
    )) for line in lines)  # fmt: skip


def test_svtest_blocks_are_items(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        command,
        "run_svtest",
        lambda path: FileResult(
            str(path),
            [CaseResult("keeps", True), CaseResult("files", False, "test_fail: no fileinto")],
        ),
    )
    pytester.makefile(".svtest", basics='require "vnd.dovecot.testsuite";\n')
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["basics.svtest::keeps PASSED*", "test_fail: no fileinto"])


def test_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makefile(".sieve", filter=FILTER)
    pytester.makepyfile(
        f"""
        from pathlib import Path

        OFFER = {OFFER!r}

        def test_from_a_path(sieve_script, run_sieve):
            script = sieve_script(Path("filter.sieve"))
            envelope = {{"from": "shop@example.net", "to": "bob@example.org"}}
            result = run_sieve(script, OFFER, envelope)
            assert [a.to_dict()["mailbox"] for a in result.actions] == ["Junk"]

        def test_from_source_text(run_sieve):
            result = run_sieve('require "reject"; reject "no";', OFFER.encode())
            assert result.actions[0].type == "reject" and not result.implicit_keep

        def test_from_a_file_name_and_a_message_file(run_sieve, tmp_path):
            message = tmp_path / "m.eml"
            message.write_text(OFFER)
            assert run_sieve("filter.sieve", message).actions[0].mailbox == "Junk"

        def test_compile_options(sieve_script):
            import pytest, sieve
            with pytest.raises(sieve.CompileError):
                sieve_script(Path("filter.sieve"), extensions=["reject"])
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)
