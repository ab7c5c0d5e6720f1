"""The sandbox: a running script reaches nothing but what the Host offers (docs/SECURITY.md).

Included scripts stay inside the script directory whatever name a script (or a message,
through a variable) asks for; the process environment and files never reach a script; Host
failures end the run cleanly; a symlink cannot lead an include out of the script directory,
and a slow callout is bounded by `max_callout_seconds`."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sieve
from sieve.runtime.host import MemoryHost

MESSAGE = b"From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hello\r\n\r\nbody\r\n"
ENVELOPE = sieve.Envelope(mail_from="alice@example.com", rcpt_to="bob@example.org")
SECRET_SCRIPT = 'require "fileinto"; fileinto "LEAKED";'


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A script directory next to a secret script outside it, and a harmless script inside."""
    scripts = tmp_path / "scripts"
    (scripts / "global").mkdir(parents=True)
    (scripts / "inside.sieve").write_text('require "fileinto"; fileinto "Inside";')
    (scripts / "global" / "shared.sieve").write_text('require "fileinto"; fileinto "Shared";')
    secret = tmp_path / "secret.sieve"
    secret.write_text(SECRET_SCRIPT)
    return scripts, secret


def include_run(host: sieve.Host, name: str, location: str = "") -> sieve.Result:
    source = f'require "include"; include {location} "{name}";'
    return sieve.compile(source).run(MESSAGE, ENVELOPE, host=host)


def mailboxes(result: sieve.Result) -> list[str]:
    return [a["mailbox"] for a in result.to_dict()["actions"] if a["type"] == "fileinto"]


def test_a_plain_name_is_read_from_the_script_directory(layout: tuple[Path, Path]) -> None:
    scripts, _ = layout
    host = MemoryHost(script_dir=scripts)
    assert mailboxes(include_run(host, "inside")) == ["Inside"]
    assert mailboxes(include_run(host, "shared", ":global")) == ["Shared"]


@pytest.mark.parametrize(
    "name",
    [
        "../secret",
        "../secret.sieve",
        "..",
        ".",
        "global/../../secret",
        "..\\secret",
        "./../secret",
        ".hidden",
        "",
    ],
)
def test_a_relative_path_cannot_leave_the_directory(layout: tuple[Path, Path], name: str) -> None:
    scripts, _ = layout
    host = MemoryHost(script_dir=scripts)
    assert host.load_script(name, "personal") is None
    assert host.load_script(name, "global") is None
    result = include_run(host, name.replace("\\", "\\\\"))
    assert "LEAKED" not in mailboxes(result)
    assert result.status == "failed"
    assert result.implicit_keep


def test_an_absolute_path_cannot_be_included(layout: tuple[Path, Path]) -> None:
    scripts, secret = layout
    host = MemoryHost(script_dir=scripts)
    for name in (str(secret), str(secret.with_suffix("")), "/etc/passwd"):
        assert host.load_script(name, "personal") is None
        assert include_run(host, name).errors[0].code == "include-missing"


def test_a_nul_byte_cannot_truncate_a_name(layout: tuple[Path, Path]) -> None:
    scripts, _ = layout
    host = MemoryHost(script_dir=scripts)
    assert host.load_script("inside\0../../secret", "personal") is None


def test_a_name_from_the_message_cannot_escape(layout: tuple[Path, Path]) -> None:
    """The include name may come from a variable, so from a hostile message."""
    scripts, _ = layout
    source = (
        'require ["include", "variables"];'
        'if header :matches "subject" "*" { set "name" "${1}"; }'
        'include "${name}";'
    )
    message = b"Subject: ../secret\r\n\r\nbody\r\n"
    result = sieve.compile(source).run(message, ENVELOPE, host=MemoryHost(script_dir=scripts))
    assert result.status == "failed"
    assert result.errors[0].code == "include-missing"
    assert "LEAKED" not in mailboxes(result)


def test_a_symlink_that_stays_inside_is_followed(layout: tuple[Path, Path]) -> None:
    scripts, _ = layout
    (scripts / "alias.sieve").symlink_to(scripts / "inside.sieve")
    assert mailboxes(include_run(MemoryHost(script_dir=scripts), "alias")) == ["Inside"]


def test_a_symlink_pointing_out_is_refused(layout: tuple[Path, Path]) -> None:
    scripts, secret = layout
    (scripts / "evil.sieve").symlink_to(secret)
    host = MemoryHost(script_dir=scripts)
    assert host.load_script("evil", "personal") is None


def test_a_symlinked_global_directory_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.sieve").write_text(SECRET_SCRIPT)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "global").symlink_to(outside, target_is_directory=True)
    assert MemoryHost(script_dir=scripts).load_script("x", "global") is None


def test_without_a_script_directory_nothing_is_read_from_disk(layout: tuple[Path, Path]) -> None:
    _, secret = layout
    result = include_run(MemoryHost(), str(secret))
    assert result.errors[0].code == "include-missing"


# ---------------------------------------------------------------------------------------
# Callouts


ORACLE_CALLOUT = 'require "variables"; set "r" lookup("x"); if string :is "${r}" "x" { discard; }'


def callout_run(routine: object, limits: sieve.Limits) -> tuple[sieve.Result, float]:
    script = sieve.compile(ORACLE_CALLOUT, dialect="oracle")
    host = MemoryHost(callouts={"lookup": routine})  # type: ignore[dict-item]
    start = time.perf_counter()
    result = script.run(MESSAGE, ENVELOPE, host=host, limits=limits)
    return result, time.perf_counter() - start


def test_a_callout_answers_through_the_host() -> None:
    result, _ = callout_run(lambda value: (True, value), sieve.Limits())
    assert result.to_dict()["actions"] == [{"type": "discard"}]


def test_a_failing_callout_ends_the_run_with_the_implicit_keep() -> None:
    def broken(value: str) -> tuple[bool, str]:
        raise ConnectionError("mapping service down")

    result, _ = callout_run(broken, sieve.Limits())
    assert result.status == "failed"
    assert result.implicit_keep
    assert result.actions == []


def test_a_slow_callout_is_bounded() -> None:
    # The CPU clock cannot see a call that sleeps; callouts have a wall-clock bound.
    def slow(value: str) -> tuple[bool, str]:
        time.sleep(0.6)
        return True, value

    result, wall = callout_run(slow, sieve.Limits(max_callout_seconds=0.1))
    assert result.status == "limit"
    assert result.errors[0].code == "max_callout_seconds"
    assert wall < 0.4


# ---------------------------------------------------------------------------------------
# No other way out


def test_the_process_environment_does_not_reach_a_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIEVE_HARDENING_SECRET", "hunter2")
    source = (
        'require ["environment", "variables", "fileinto"];'
        'if environment :matches "SIEVE_HARDENING_SECRET" "*" { fileinto "${1}"; }'
        'if environment :matches "path" "*" { fileinto "${1}"; }'
        'if environment :matches "home" "*" { fileinto "${1}"; }'
        'if environment :matches "domain" "*" { fileinto "${1}"; }'
    )
    result = sieve.compile(source).run(MESSAGE, ENVELOPE, host=MemoryHost())
    assert result.status == "success"
    assert mailboxes(result) == []


def test_environment_items_come_only_from_the_host() -> None:
    source = (
        'require ["environment", "fileinto"];'
        'if environment :is "domain" "example.org" { fileinto "FromHost"; }'
    )
    host = MemoryHost(items={"domain": "example.org"})
    result = sieve.compile(source).run(MESSAGE, ENVELOPE, host=host)
    assert mailboxes(result) == ["FromHost"]


class _Recorder:
    """Records the audit events (PEP 578) of one thread while it is switched on. An audit
    hook cannot be removed, so one recorder is installed once per process and idles."""

    watched = ("open", "os.", "socket.", "subprocess.", "shutil.", "urllib.", "http.", "ctypes")

    def __init__(self) -> None:
        self.thread: int | None = None
        self.events: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if self.thread == threading.get_ident() and event.startswith(self.watched):
            self.events.append(f"{event} {args!r:.120}")

    def record(self) -> Iterator[list[str]]:
        self.events = []
        self.thread = threading.get_ident()
        try:
            yield self.events
        finally:
            self.thread = None


_RECORDER: _Recorder | None = None


@pytest.fixture
def audit() -> Iterator[list[str]]:
    global _RECORDER
    if _RECORDER is None:
        _RECORDER = _Recorder()
    yield from _RECORDER.record()


EVERYTHING = """
require ["fileinto", "reject", "envelope", "body", "variables", "vacation", "relational",
         "comparator-i;ascii-numeric", "subaddress", "copy", "imap4flags", "date", "index",
         "mailbox", "environment", "duplicate", "include", "foreverypart", "mime",
         "editheader", "enotify", "regex", "spamtest", "virustest"];
set "who" "${1}";
if header :regex "subject" "^(h)(.*)$" { set "s" "${2}"; }
if envelope :detail "to" "x" { stop; }
if body :text :contains "body" { addflag "\\\\Seen"; }
if currentdate :value "ge" "year" "2000" { addheader "X-Year" "ok"; }
if mailboxexists "Junk" { fileinto :copy "Junk"; }
if environment :is "name" "sieve" { fileinto "Env"; }
if duplicate { discard; }
if valid_notify_method "mailto:x@example.org" { notify "mailto:x@example.org"; }
foreverypart { if header :mime :type "content-type" "text" { break; } }
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "Spam"; }
include :optional "not-there";
vacation :days 1 "away";
"""


def test_the_recorder_sees_a_file_being_opened(audit: list[str], tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    assert any(event.startswith("open") for event in audit)


def test_a_run_opens_no_file_socket_or_process(audit: list[str]) -> None:
    script = sieve.compile(EVERYTHING)
    script.run(MESSAGE, ENVELOPE, host=MemoryHost())  # warm-up: imports read files
    audit.clear()
    result = script.run(MESSAGE, ENVELOPE, host=MemoryHost())
    assert result.status == "success"
    assert audit == []


def test_a_fileinto_path_is_only_a_name(tmp_path: Path) -> None:
    target = tmp_path / "owned"
    source = f'require "fileinto"; fileinto "{target}"; fileinto "../../etc/passwd";'
    result = sieve.compile(source).run(MESSAGE, ENVELOPE, host=MemoryHost())
    assert mailboxes(result) == [str(target), "../../etc/passwd"]
    assert not target.exists()
