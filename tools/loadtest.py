#!/usr/bin/env python3
"""Load test of `sieve serve`: throughput, latency, and every message accounted for.

C concurrent SMTP clients send M messages through the service to a sink on loopback.

Why: in a mail pipeline the service may be slow, but it may never lose or double a message.
So beside the speed (messages per second, latency percentiles) this tool checks that every
message it sent ended exactly one way: relayed (seen once at the downstream sink), refused
(the client got a 4xx/5xx reply, recorded with its reason), or discarded by a rule (the
filter's own verdict on that message, computed in-process beforehand). A message that ended
no way is *missing*; one seen twice, or seen although refused, is *duplicated*. Either fails
the run (exit status 1).

The modes share the clients, the mail and a fresh sink each:
- pass-through: clients -> a plain relay (aiosmtpd, in its own process, one cached
  connection per forwarding thread) -> sink; the ceiling.
- filtered: clients -> `sieve serve` with corpus/bench/filter-20.sieve (or --script) as the
  system script -> sink.
- unfiltered (only with --mode all or unfiltered): `sieve serve` without scripts, so the
  service's own cost and the scripts' cost show apart.
It prints one row per mode and the ratio of filtered to pass-through throughput (goal
>= 0.5). Without `sieve serve` in the checkout only the pass-through mode runs, with a note.

Both services run as subprocesses, so each mode pays the same for the clients and the sink
living in this process. The mail is tools/bench_run.py's generator (seeded), with an
`X-Loadtest-Id` header added at the top of each message.

Exit status: 0 every message accounted for, 1 some missing or duplicated, 2 a service
did not start.

    python tools/loadtest.py [--clients 20] [--messages 5000] [--quick] [--mode MODE]
                             [--script FILE] [--keep DIR]
    python tools/loadtest.py --relay LISTEN_HOST:PORT NEXT_HOP_HOST:PORT   (internal)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILTER = ROOT / "corpus" / "bench" / "filter-20.sieve"
ID_HEADER = "X-Loadtest-Id"
GOAL_RATIO = 0.5
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 20.0
# After the last client reply, the sink must stay quiet this long before counting, so a
# late duplicate still shows up.
QUIET_SECONDS = 0.3

_ID_LINE = re.compile(rb"^X-Loadtest-Id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
# The folder `sieve serve` tells the delivery agent (sieve/serve/plan.py): a message filed
# into two folders is two copies, not a duplicate.
_MAILBOX_LINE = re.compile(rb"^X-Sieve-Mailbox:[ \t]*([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_HEAD_END = re.compile(rb"\r?\n\r?\n")


def load_bench() -> ModuleType:
    """tools/ is not a package: load the benchmark's generator by its path."""
    if "bench_run" in sys.modules:
        return sys.modules["bench_run"]
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "tools" / "bench_run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------
# The mail
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadMessage:
    """One message as a client sends it: envelope, wire bytes (CRLF), and its load id."""

    load_id: str
    mail_from: str
    rcpt_to: str
    data: bytes


def with_load_id(text: bytes, load_id: str) -> bytes:
    """The message with the id header on top and CRLF line ends, as SMTP carries it.

    RFC 5321 §2.3.8: lines end in CRLF on the wire; the generator writes LF, as Dovecot
    stores mail."""
    body = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return f"{ID_HEADER}: {load_id}\r\n".encode("ascii") + body


def build_messages(count: int, work: Path, run_tag: str = "lt") -> list[LoadMessage]:
    """`count` generated messages, each with a unique load id `<run_tag>-<serial>`."""
    bench = load_bench()
    generated = bench.generate_maildir(work / "Maildir", count)
    return [
        LoadMessage(
            f"{run_tag}-{serial:06d}",
            message.mail_from,
            message.rcpt_to,
            with_load_id(message.path.read_bytes(), f"{run_tag}-{serial:06d}"),
        )
        for serial, message in enumerate(generated)
    ]


def _head(content: bytes) -> bytes:
    """The message's own header block: not an attached original, as a notice carries."""
    end = _HEAD_END.search(content)
    return content if end is None else content[: end.start()]


def load_id_of(content: bytes) -> str | None:
    """The load id in the message's own header block, or None."""
    match = _ID_LINE.search(_head(content))
    return match.group(1).decode("ascii", "replace") if match else None


def copy_key(content: bytes, rcpt_tos: Sequence[str]) -> tuple[str, ...]:
    """What makes two deliveries of one message distinct copies: recipients and folder."""
    match = _MAILBOX_LINE.search(_head(content))
    mailbox = match.group(1).decode("utf-8", "replace").strip() if match else ""
    return (*sorted(rcpt_tos), mailbox)


# ---------------------------------------------------------------------------------------
# The sink: the downstream next hop, recording every copy it receives
# ---------------------------------------------------------------------------------------


class SinkHandler:
    """aiosmtpd handler that accepts everything and counts copies by (load id, recipients).

    Keyed with the recipients and the folder, so a redirect (same message, another
    address) or a second fileinto is a copy of its own; the same copy twice is a duplicate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.copies: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.strays = 0  # messages without a load id: notices, bounces
        self.last_arrival = time.monotonic()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.content or b""
        load_id = load_id_of(content)
        with self._lock:
            if load_id is None:
                self.strays += 1
            else:
                self.copies[(load_id, copy_key(content, envelope.rcpt_tos))] += 1
            self.last_arrival = time.monotonic()
        return "250 2.0.0 stored"

    def by_id(self) -> Counter[str]:
        """Copies seen per load id, each distinct recipient set counted once."""
        with self._lock:
            return Counter(load_id for load_id, _ in self.copies)

    def duplicated_ids(self) -> set[str]:
        with self._lock:
            return {load_id for (load_id, _), seen in self.copies.items() if seen > 1}


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_sink() -> Iterator[tuple[SinkHandler, int]]:
    """A sink on loopback in a thread of this process, stopped on exit."""
    from aiosmtpd.controller import Controller

    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname=LOOPBACK, port=port, ready_timeout=START_TIMEOUT)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def wait_quiet(sink: SinkHandler, quiet: float = QUIET_SECONDS, limit: float = 10.0) -> None:
    """Waits until the sink received nothing for `quiet` seconds (at most `limit`)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        idle = time.monotonic() - sink.last_arrival
        if idle >= quiet:
            return
        time.sleep(quiet - idle)


# ---------------------------------------------------------------------------------------
# The pass-through relay (the ceiling): its own process, forwards every message as it is
# ---------------------------------------------------------------------------------------


class RelayHandler:
    """Forwards each message to the next hop and answers 250 only after it accepted.

    smtplib blocks, so forwarding runs on a thread pool; each worker thread keeps one
    connection to the next hop, as an MTA's connection cache does."""

    def __init__(self, next_hop: tuple[str, int], workers: int = 32) -> None:
        self.next_hop = next_hop
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self._local = threading.local()

    def forward(self, mail_from: str, rcpt_tos: list[str], data: bytes) -> None:
        for attempt in range(2):
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = smtplib.SMTP(*self.next_hop, timeout=60)
                self._local.connection = connection
            try:
                connection.sendmail(mail_from, rcpt_tos, data)
                return
            except smtplib.SMTPServerDisconnected:
                self._local.connection = None  # a cached connection timed out: one retry
                if attempt:
                    raise

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        loop = asyncio.get_running_loop()
        data = envelope.original_content or envelope.content
        try:
            await loop.run_in_executor(
                self.pool, self.forward, envelope.mail_from, list(envelope.rcpt_tos), data
            )
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            return _reply(code, reply)
        except smtplib.SMTPResponseException as error:
            return _reply(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            # RFC 5321 §4.2.5: not yet relayed, so a temporary failure; the sender retries.
            return f"451 4.4.1 next hop unavailable: {error}"
        return "250 2.0.0 relayed"


def _reply(code: int, text: bytes | str) -> str:
    """Passes a permanent refusal on; anything else becomes 451 so the sender retries."""
    reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    reason = " ".join(reason.split())
    return f"{code} {reason}" if 500 <= code < 600 else f"451 4.4.1 next hop said {code} {reason}"


async def serve_relay(listen: tuple[str, int], next_hop: tuple[str, int]) -> None:
    """Runs the relay until SIGTERM or SIGINT."""
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = RelayHandler(next_hop)
    server = await loop.create_server(lambda: SMTP(handler), *listen)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    handler.pool.shutdown(wait=True)


def parse_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or LOOPBACK, int(port)


# ---------------------------------------------------------------------------------------
# Services under test, as subprocesses
# ---------------------------------------------------------------------------------------


@dataclass
class Service:
    """A running service: where clients connect, and how to stop it."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    decisions: Callable[[], Counter[str]] = field(default=Counter)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Blocks until something accepts on the port; raises if the process died first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"service exited with status {process.returncode}:\n{tail}")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"service did not listen on port {port} within {START_TIMEOUT:.0f} s")


def _spawn(name: str, command: list[str], port: int, log: Path) -> Service:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT
        )
    service = Service(name, port, process, log)
    try:
        wait_listening(port, process, log)
    except BaseException:
        service.stop()
        raise
    return service


def start_relay(next_hop: int, work: Path) -> Service:
    port = free_port()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--relay",
        f"{LOOPBACK}:{port}",
        f"{LOOPBACK}:{next_hop}",
    ]
    return _spawn("pass-through", command, port, work / "relay.log")


def serve_available() -> bool:
    """Whether this checkout has `sieve serve` (the modes through it need it)."""
    try:
        return importlib.util.find_spec("sieve.serve.command") is not None
    except ImportError:
        return False


def write_serve_config(
    work: Path, port: int, next_hop: int, script: Path | None, sessions: int
) -> Path:
    """A `sieve serve` configuration (keys in sieve/serve/config.py): loopback SMTP, the
    sink as next hop, `script` as the system script (None: no script, every message kept)."""
    lines = [
        "[listen]",
        f'host = "{LOOPBACK}"',
        f"port = {port}",
        'protocol = "smtp"',
        "",
        "[next_hop]",
        f'host = "{LOOPBACK}"',
        f"port = {next_hop}",
        "",
        "[limits]",
        f"max_sessions = {sessions}",
        "",
    ]
    if script is not None:
        lines += ["[scripts]", f"system = {json.dumps(str(script.resolve()))}", ""]
    config = work / "serve.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def start_serve(
    name: str, next_hop: int, work: Path, script: Path | None, sessions: int
) -> Service:
    port = free_port()
    config = write_serve_config(work, port, next_hop, script, sessions)
    command = [sys.executable, "-m", "sieve", "serve", "--config", str(config)]
    log = work / f"{name}.log"
    service = _spawn(name, command, port, log)
    service.decisions = lambda: logged_decisions(log)
    return service


def logged_decisions(log: Path) -> Counter[str]:
    """Per-recipient decisions in the service's JSON log lines (one line per message),
    counted by kind: `fileinto`, `keep`, `discard`, `none` (nothing delivered), ..."""
    decisions: Counter[str] = Counter()
    if not log.exists():
        return decisions
    with log.open("rb") as lines:
        for line in lines:
            start = line.find(b'{"id"')
            if start < 0:
                continue
            try:
                entry = json.loads(line[start:])
                for recipient in entry.get("recipients") or []:
                    decision = recipient.get("decision") or "none"
                    decisions.update({part.split(":")[0] for part in str(decision).split(",")})
            except (ValueError, AttributeError, TypeError):
                decisions["unreadable"] += 1
    return decisions


# ---------------------------------------------------------------------------------------
# The clients
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one client saw for one message: the reply code (None: no reply at all, the
    connection failed), the reply text, and the time from MAIL FROM to the final reply."""

    load_id: str
    code: int | None
    reply: str
    latency: float


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def send_one(connection: smtplib.SMTP, message: LoadMessage) -> tuple[int, str]:
    """Sends one message; the final reply as (code, text). Refusals are answers, not errors.

    Connection failures raise (smtplib.SMTPServerDisconnected or OSError)."""
    try:
        connection.sendmail(message.mail_from, [message.rcpt_to], message.data)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return code, _decode(reply)
    except smtplib.SMTPResponseException as error:  # sender refused, DATA refused
        return error.smtp_code, _decode(error.smtp_error)
    return 250, ""


def run_client(port: int, messages: Sequence[LoadMessage], outcomes: list[Outcome]) -> None:
    """One client: one connection reused for its share, reconnecting after a failure or
    a 421 (RFC 5321 §3.8: the server closes after 421)."""
    connection: smtplib.SMTP | None = None
    for message in messages:
        started = time.perf_counter()
        try:
            if connection is None:
                connection = smtplib.SMTP(LOOPBACK, port, timeout=120)
            code, reply = send_one(connection, message)
        except (smtplib.SMTPException, OSError) as error:
            code, reply = None, f"{type(error).__name__}: {error}"
        outcomes.append(Outcome(message.load_id, code, reply, time.perf_counter() - started))
        if connection is not None and code in (None, 421):
            with contextlib.suppress(Exception):
                connection.close()
            connection = None
    if connection is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.quit()


def send_all(port: int, messages: Sequence[LoadMessage], clients: int) -> tuple[list, float]:
    """All messages over `clients` concurrent connections; the outcomes and the wall time."""
    outcomes: list[Outcome] = []  # list.append is atomic under the GIL
    shares = [messages[index::clients] for index in range(clients)]
    threads = [
        threading.Thread(target=run_client, args=(port, share, outcomes), daemon=True)
        for share in shares
        if share
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


# ---------------------------------------------------------------------------------------
# The accounting
# ---------------------------------------------------------------------------------------


@dataclass
class Accounting:
    """Every sent message in exactly one of relayed / refused / discarded, else a problem."""

    relayed: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)  # id -> "code reason"
    discarded: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    duplicated: set[str] = field(default_factory=set)
    unacknowledged: set[str] = field(default_factory=set)  # relayed, but the client saw no reply
    unexpected: set[str] = field(default_factory=set)  # at the sink, never sent by this run

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.unacknowledged or self.unexpected)

    def problems(self, limit: int = 10) -> list[str]:
        lines = []
        for label, ids in (
            ("missing", self.missing),
            ("duplicated", self.duplicated),
            ("relayed without a reply to the client", self.unacknowledged),
            ("seen at the sink but never sent", self.unexpected),
        ):
            if ids:
                shown = ", ".join(sorted(ids)[:limit])
                more = f" (+{len(ids) - limit} more)" if len(ids) > limit else ""
                lines.append(f"{label}: {len(ids)}: {shown}{more}")
        return lines


def account(
    sent: Sequence[LoadMessage],
    outcomes: Sequence[Outcome],
    seen: Counter[str],
    duplicated_at_sink: set[str],
    discarded: set[str],
) -> Accounting:
    """Sorts every sent message into exactly one outcome.

    `seen` counts distinct copies per id at the sink, `duplicated_at_sink` the ids with a
    copy received twice, `discarded` the ids a rule discards (known from the filter's own
    verdict or the service's log)."""
    result = Accounting()
    replies: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        replies.setdefault(outcome.load_id, []).append(outcome)
    sent_ids = {message.load_id for message in sent}
    result.unexpected = set(seen) - sent_ids
    for load_id in sent_ids:
        answers = replies.get(load_id, [])
        copies = seen.get(load_id, 0)
        if load_id in duplicated_at_sink or len(answers) > 1:
            result.duplicated.add(load_id)
        elif not answers or answers[0].code is None:
            (result.unacknowledged if copies else result.missing).add(load_id)
        elif answers[0].code >= 400:
            if copies:  # a refused message the sender will retry: a second copy follows
                result.duplicated.add(load_id)
            else:
                result.refused[load_id] = f"{answers[0].code} {answers[0].reply}".strip()
        elif copies:
            result.relayed.add(load_id)
        elif load_id in discarded:
            result.discarded.add(load_id)
        else:
            result.missing.add(load_id)
    return result


def predicted_discards(script: Path, messages: Sequence[LoadMessage]) -> set[str]:
    """The ids the filter itself discards (nothing delivered, nothing refused): run in
    process, so the accounting knows them without depending on the service's log."""
    import sieve

    compiled = sieve.compile(script.read_text(encoding="utf-8"), name=script.name)
    delivering = {"keep", "fileinto", "redirect", "reject", "ereject"}
    discarded = set()
    for message in messages:
        envelope = sieve.Envelope(mail_from=message.mail_from, rcpt_to=message.rcpt_to)
        document = compiled.run(message.data, envelope=envelope).to_dict()
        types = {action["type"] for action in document["actions"]}
        if not document["implicit_keep"] and not types & delivering:
            discarded.add(message.load_id)
    return discarded


# ---------------------------------------------------------------------------------------
# Figures and the report
# ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of the values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class ModeRun:
    """One mode's figures and its accounting."""

    name: str
    messages: int
    seconds: float
    latencies: list[float]
    accounting: Accounting
    strays: int = 0
    decisions: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def run_mode(
    service: Service,
    sink: SinkHandler,
    messages: Sequence[LoadMessage],
    clients: int,
    discarded: set[str],
) -> ModeRun:
    outcomes, seconds = send_all(service.port, messages, clients)
    wait_quiet(sink)
    accounting = account(messages, outcomes, sink.by_id(), sink.duplicated_ids(), discarded)
    latencies = [outcome.latency for outcome in outcomes if outcome.code is not None]
    return ModeRun(
        service.name,
        len(messages),
        seconds,
        latencies,
        accounting,
        sink.strays,
        service.decisions(),
    )


def format_row(run: ModeRun) -> str:
    a = run.accounting
    p50, p90, p99 = (percentile(run.latencies, share) * 1000 for share in (0.5, 0.9, 0.99))
    return (
        f"{run.name:<13} {run.messages:>8,} {run.rate:>9,.0f} {p50:>7.1f} {p90:>7.1f} "
        f"{p99:>7.1f} {len(a.relayed):>8,} {len(a.refused):>7,} {len(a.discarded):>9,} "
        f"{len(a.missing):>7,} {len(a.duplicated):>10,}"
    )


HEADER = (
    f"{'mode':<13} {'messages':>8} {'msg/s':>9} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
    f"{'relayed':>8} {'refused':>7} {'discarded':>9} {'missing':>7} {'duplicated':>10}"
)


def report(runs: Sequence[ModeRun]) -> int:
    """Prints the table, the problems and the ratio; 1 when any message is unaccounted."""
    print(HEADER)
    for run in runs:
        print(format_row(run))
    status = 0
    for run in runs:
        reasons = Counter(reply for reply in run.accounting.refused.values())
        for reply, count in reasons.most_common(5):
            print(f"  {run.name}: refused {count}x: {reply}")
        if run.decisions:
            shown = ", ".join(f"{kind} {count:,}" for kind, count in run.decisions.most_common())
            print(f"  {run.name}: the service logged {shown}")
        if run.strays:
            print(f"  {run.name}: {run.strays} extra messages at the sink (notices, no load id)")
        for line in run.accounting.problems():
            print(f"  {run.name}: FAIL {line}")
        if not run.accounting.ok:
            status = 1
    rates = {run.name: run.rate for run in runs}
    if rates.get("filtered") and rates.get("pass-through"):
        ratio = rates["filtered"] / rates["pass-through"]
        verdict = "ok" if ratio >= GOAL_RATIO else "below goal"
        print(f"ratio filtered / pass-through: {ratio:.3f} (goal >= {GOAL_RATIO}) {verdict}")
    if rates.get("filtered") and rates.get("unfiltered"):
        ratio = rates["filtered"] / rates["unfiltered"]
        print(f"ratio filtered / unfiltered (the scripts' own cost): {ratio:.3f}")
    print("every message accounted for" if status == 0 else "FAIL: messages unaccounted for")
    return status


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


MODES = ("pass-through", "unfiltered", "filtered")


def start_mode(mode: str, sink_port: int, work: Path, script: Path, clients: int) -> Service:
    """pass-through: the plain relay; unfiltered: `sieve serve` without scripts (the
    service's own cost); filtered: `sieve serve` with `script` as the system script."""
    if mode == "pass-through":
        return start_relay(sink_port, work)
    sessions = clients + 10
    return start_serve(mode, sink_port, work, script if mode == "filtered" else None, sessions)


def run_load(
    clients: int,
    count: int,
    modes: Sequence[str],
    script: Path,
    work: Path,
) -> list[ModeRun]:
    """Runs each mode against a fresh sink and returns the figures."""
    messages = build_messages(count, work)
    runs = []
    for mode in modes:
        discarded = predicted_discards(script, messages) if mode == "filtered" else set()
        with running_sink() as (sink, sink_port):
            service = start_mode(mode, sink_port, work, script, clients)
            try:
                runs.append(run_mode(service, sink, messages, clients, discarded))
            finally:
                service.stop()
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent SMTP clients")
    parser.add_argument("--messages", type=int, default=5000, help="messages to send")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 clients, 200 messages")
    parser.add_argument("--script", type=Path, default=DEFAULT_FILTER, help="system script")
    parser.add_argument(
        "--mode",
        choices=("both", "all", *MODES),
        default="both",
        help="both: pass-through, then filtered; all: also `sieve serve` without scripts",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and leave it")
    parser.add_argument("--relay", nargs=2, metavar=("LISTEN", "NEXT_HOP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.relay:
        asyncio.run(serve_relay(parse_address(args.relay[0]), parse_address(args.relay[1])))
        return 0
    if args.quick:
        args.clients, args.messages = min(args.clients, 5), min(args.messages, 200)
    if args.clients < 1 or args.messages < 1:
        parser.error("--clients and --messages must be at least 1")

    sys.path.insert(0, str(ROOT))
    modes = {"both": ["pass-through", "filtered"], "all": list(MODES)}.get(args.mode, [args.mode])
    if not serve_available() and modes != ["pass-through"]:
        print("sieve serve is not in this checkout: only the pass-through mode runs")
        if "pass-through" not in modes:
            return 2
        modes = ["pass-through"]
    print(
        f"{args.clients} clients, {args.messages:,} messages; {os.cpu_count()} CPUs; "
        f"filter: {args.script.name}"
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="sieve-loadtest-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        runs = run_load(args.clients, args.messages, modes, args.script, work)
    except RuntimeError as error:
        print(f"loadtest: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return report(runs)


if __name__ == "__main__":
    sys.exit(main())
