"""Smoke tests of the run-time benchmark: its generated maildir, its filter, its parsing of
sieve-filter's report, and (where Pigeonhole is installed) one real sieve-filter run."""

from __future__ import annotations

import email
import email.policy
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

import sieve

ROOT = Path(__file__).resolve().parents[2]


def load_bench() -> ModuleType:
    """tools/ is not a package: load the script as a module by its path."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "tools" / "bench_run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


bench = load_bench()


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("bench") / "Maildir"
    return root, bench.generate_maildir(root, 5)


def test_generator_writes_a_maildir_of_five_messages(maildir: tuple[Path, list]) -> None:
    root, messages = maildir
    assert sorted(p.name for p in root.iterdir()) == ["cur", "new", "tmp"]
    files = sorted((root / "cur").iterdir()) + sorted((root / "new").iterdir())
    assert len(files) == len(messages) == 5
    assert list((root / "tmp").iterdir()) == []
    # Maildir names: "time.unique,S=size" plus ":2,FLAGS" once in cur/.
    for path in files:
        assert f",S={path.stat().st_size}" in path.name
        assert (":2," in path.name) == (path.parent.name == "cur")


def test_generated_messages_have_realistic_headers_and_sizes(maildir: tuple[Path, list]) -> None:
    _, messages = maildir
    for message in messages:
        data = message.path.read_bytes()
        assert 900 <= len(data) <= 44 * 1024
        parsed = email.message_from_bytes(data, policy=email.policy.compat32)
        for name in ("From", "To", "Subject", "Date", "Message-ID", "Received"):
            assert parsed[name], f"{name} missing in {message.path.name}"
        assert parsed["Message-ID"] == message.message_id
        # The envelope is what sieve-filter would read: Return-Path and the first To.
        assert parsed["Return-Path"] == f"<{message.mail_from}>"
        assert parsed["To"].split(",")[0].strip() == message.rcpt_to


def test_the_same_seed_writes_the_same_mail(tmp_path: Path) -> None:
    first = bench.generate_maildir(tmp_path / "a", 5, seed=7)
    second = bench.generate_maildir(tmp_path / "b", 5, seed=7)
    assert [m.path.name for m in first] == [m.path.name for m in second]
    assert [m.path.read_bytes() for m in first] == [m.path.read_bytes() for m in second]
    other = bench.generate_maildir(tmp_path / "c", 5, seed=8)
    assert [m.path.read_bytes() for m in other] != [m.path.read_bytes() for m in first]


def test_the_benchmark_filter_compiles_clean() -> None:
    source = bench.DEFAULT_FILTER.read_text(encoding="utf-8")
    script = sieve.compile(source, name=bench.DEFAULT_FILTER.name)
    assert script is not None


def test_sieve_filter_report_is_read_per_message() -> None:
    report = (
        ">> Filtering message:\n\n  ID:      <1@x>\n  Subject: a\n\nPerformed actions:\n\n"
        " * store message in folder: Junk\n        + add IMAP flags: \\seen\n\n"
        "Implicit keep:\n\n  (none)\n\n"
        ">> Filtering message:\n\n  ID:      <2@x>\n\nPerformed actions:\n\n  (none)\n\n"
        "Implicit keep:\n\n * store message in folder: INBOX\n\n"
    )
    assert bench.parse_sieve_filter_output(report) == {"<1@x>": ("Junk",), "<2@x>": ("INBOX",)}


def test_timed_run_measures_memory_at_each_checkpoint(maildir: tuple[Path, list]) -> None:
    class CountingScript:
        runs = 0

        def run(self, data: bytes, envelope: object = None) -> None:
            self.runs += 1

    script = CountingScript()
    seconds, memory = bench.run_timed(
        script, maildir[1], checkpoints=[1, 5], probe=lambda: script.runs
    )
    assert script.runs == 5 and seconds >= 0
    assert memory == {1: 1, 5: 5}


@pytest.mark.skipif(not bench.pigeonhole_available(), reason="sieve-filter is not installed")
def test_sieve_filter_reads_every_generated_message() -> None:
    # Not under pytest's tmp_path: that sits in a folder only root may enter, and
    # Pigeonhole runs as nobody.
    with tempfile.TemporaryDirectory(prefix="sieve-bench-test-") as scratch:
        work = Path(scratch)
        messages = bench.generate_maildir(work / "Maildir", 5)
        script, config = bench.prepare_pigeonhole(work, bench.DEFAULT_FILTER)
        bench.run_sieve_filter(script, config, work / "Maildir")  # only creates the mailbox
        run = bench.run_sieve_filter(script, config, work / "Maildir")
        assert run.messages == 5
        assert set(run.folders) == {m.message_id for m in messages}
        assert all(run.folders.values())  # every message was stored somewhere
        # A dry run leaves the maildir as it was.
        assert sorted(p.name for p in (work / "Maildir").iterdir()) == ["cur", "new", "tmp"]
