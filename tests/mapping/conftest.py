"""A real memcached server on loopback for the memcached throttle store's tests.

tools/test installs the `memcached` package when it is missing; only when the binary still
cannot be found are these tests skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

_NOT_FOUND = (
    "the memcached server binary is not installed (tools/test installs it with apt-get "
    "where apt is available)"
)


def _memcached_binary() -> str | None:
    return shutil.which("memcached") or next(
        (path for path in ("/usr/bin/memcached", "/usr/sbin/memcached") if os.path.exists(path)),
        None,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MemcachedServer:
    """One memcached process on 127.0.0.1; `stop()` kills it, as an outage would."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        for _attempt in range(5):  # the free port may be taken between probe and bind
            self.port = _free_port()
            command = [self.binary, "-l", "127.0.0.1", "-p", str(self.port), "-U", "0"]
            command += ["-m", "16", "-t", "2", "-c", "128"]
            if os.geteuid() == 0:
                command += ["-u", "root"]  # memcached refuses to run as root without -u
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError("memcached did not start on loopback")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.01)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None


@pytest.fixture(scope="session")
def memcached_factory() -> Iterator[Callable[[], MemcachedServer]]:
    """Starts private servers on demand (for tests that stop theirs); all stop at the end."""
    binary = _memcached_binary()
    if binary is None:
        pytest.skip(_NOT_FOUND)
    started: list[MemcachedServer] = []

    def start() -> MemcachedServer:
        server = MemcachedServer(binary)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def memcached(memcached_factory: Callable[[], MemcachedServer]) -> MemcachedServer:
    """One server shared by the tests that leave it running (use distinct keys per test)."""
    return memcached_factory()
