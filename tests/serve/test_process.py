"""`sieve serve --config FILE` as a real process: it filters, and SIGTERM lets the message
in flight finish before it exits."""

from __future__ import annotations

import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.serve.conftest import Sink, free_port, message


def wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("sieve serve did not start listening")


def test_sigterm_finishes_the_message_in_flight(tmp_path: Path, sink: Sink) -> None:
    port = free_port()
    (tmp_path / "system.sieve").write_text('require "fileinto";\nfileinto "Filed";\n')
    (tmp_path / "serve.toml").write_text(
        f"[listen]\nport = {port}\n[next_hop]\nport = {sink.port}\n"
        '[scripts]\nsystem = "system.sieve"\n'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sieve", "serve", "--config", str(tmp_path / "serve.toml")],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(port, process)
        sink.delay = 1.0  # the next hop is slow: the message is in flight at SIGTERM
        answers: list[object] = []

        def client() -> None:
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
                answers.append(smtp.sendmail("a@example.org", ["b@example.net"], message()))

        sender = threading.Thread(target=client)
        sender.start()
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        sender.join(timeout=20)
        assert answers == [{}]  # 250: the message was acknowledged, not dropped
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    (received,) = sink.received
    assert b"X-Sieve-Mailbox: Filed" in received.data
    log = process.stderr.read() if process.stderr else ""
    assert '"decision": "fileinto:Filed"' in log  # the one JSON line per message
