#!/usr/bin/env python3
"""Run-time speed against Dovecot Pigeonhole on the same filter and the same mail, in one run.

Generates a maildir of realistic messages (seeded, so every run sees the same mail), runs
`corpus/bench/filter-20.sieve` over it in this process with `sieve.compile(...).run(...)`,
then over the same maildir with Pigeonhole's `sieve-filter` in its dry-run mode, and prints
messages per second for both with the ratios the issue sets as goals: our single process at
least 0.5 of sieve-filter's throughput, at least 1.0 with both cores, memory per message flat
as the count grows, and a one-shot `sieve run` at most twice the wall time of `sieve-test`.
It also checks that both sides filed every message into the same folders, since a benchmark
of two programs that do different work measures nothing.

The mailbox mode times what a person runs: the whole `sieve run FILTER --maildir DIR`
process with `--jobs 1` and `--jobs 2` (start-up, compile, workers, summary) against the
whole sieve-filter process on the same maildir, with the goal of at least sieve-filter's
throughput on two jobs; the peak RSS over a quarter of the maildir and over all of it, which
must stay flat since the mailbox streams; and the folders it chose, against sieve-filter's.
It prints this machine's two-process speed-up beside it, because a ratio "with both cores"
means little on a machine whose second core is busy or shared. `--mailbox-only` skips the
in-process and one-shot figures.

Pigeonhole refuses to run as root, so as root its tools run as `nobody` on a copy of the
script in a world-writable scratch folder. The sieve-filter part is skipped (with a note)
when the tool is missing; install it with `apt-get install dovecot-sieve`.

    python tools/bench_run.py [--messages 2000] [--repeat 3] [--quick] [--keep DIR]
                              [--mailbox-only]
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sieve import CompiledScript, Envelope
    from sieve.runtime.result import Result

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILTER = ROOT / "corpus" / "bench" / "filter-20.sieve"
SEED = 5228
ME = "sam.taylor@example.com"
INBOX = "INBOX"

# Goals from the issue, as (ours / theirs) ratios.
GOAL_SINGLE = 0.5
GOAL_TWO_CORES = 1.0
GOAL_ONE_SHOT = 2.0
# "Flat" memory: less than this many bytes of Python heap kept per extra message filtered.
FLAT_BYTES_PER_MESSAGE = 256


# ---------------------------------------------------------------------------------------
# The message generator
# ---------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# fmt: off
FIRST_NAMES = _words(
    "Alice Bruno Chen Dana Emeka Fatima Greta Hiro Ines Jonas Kavya Liam Marta Nadia Omar "
    "Priya Quentin Rosa Sven Tariq Uma Viktor Wen Ximena Yusuf Zoe"
)
LAST_NAMES = _words(
    "Andersen Baptiste Castillo Dubois Eriksen Fischer Gupta Haddad Ivanova Jensen Kowalski "
    "Lindqvist Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Ueda Varga Weber"
)
ENCODED_NAMES = (
    "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=",
    "=?UTF-8?B?0JDQvdC90LAg0J/QtdGC0YDQvtCy0LA=?=",
    "=?ISO-8859-1?Q?Fran=E7ois_L=E9ger?=",
)
WORDS = _words(
    "the release build server deploy review patch branch merge meeting agenda quarter budget "
    "customer ticket latency cache index query storage network outage rollback config cluster "
    "disk memory report draft proposal schedule travel invoice contract vendor update plan "
    "team lunch office holiday please thanks regards question answer issue fix test coverage "
    "module parser lexer compiler runtime message filter folder inbox weekly monthly summary "
    "a an and or but with from into over under about after before during again soon today"
)
OUTSIDE_DOMAINS = (
    "example.net", "mail.example.org", "partner.example", "client.example", "univ.example.edu",
)
DEPARTMENTS = ("hr", "finance", "it", "legal", "sales", "ops")
OWN_LISTS = ("dev", "announce", "infra", "security-team", "release")
OTHER_LISTS = (
    ("Python Development", "python-dev.python.example"),
    ("Debian Users", "debian-user.lists.example.net"),
    ("PostgreSQL hackers", "pgsql-hackers.example.org"),
    ("Kernel Newbies", "kernelnewbies.example.net"),
)
SPAM_SUBJECTS = (
    "You have WON a prize", "Cheap meds online", "Urgent business proposal",
    "Your account is suspended", "Lose weight fast",
)

# Kinds of mail, weighted roughly as in a busy engineer's inbox; each exercises one rule.
KINDS = (
    ("list_own", 12), ("list_other", 10), ("ci", 7), ("billing", 2), ("bank", 3),
    ("noreply", 8), ("ticket", 5), ("calendar", 3), ("security", 2), ("internal", 10),
    ("team", 5), ("urgent", 2), ("newsletter", 7), ("reply", 8), ("spam", 5),
    ("maybe_spam", 4), ("loop", 1), ("personal", 10),
)
# fmt: on


@dataclass(frozen=True)
class GeneratedMessage:
    """One message file and the envelope an MTA would have delivered it with.

    The envelope is what Pigeonhole's sieve-filter derives from a stored message (sender
    from Return-Path, recipient from the first To address), so both sides see the same."""

    path: Path
    mail_from: str
    rcpt_to: str
    message_id: str
    kind: str


@dataclass
class _Draft:
    """The headers and envelope of a message being built, before its body is chosen."""

    kind: str
    sender: str
    display: str
    to: list[str]
    subject: str
    return_path: str
    cc: list[str] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    body_words: tuple[str, ...] = ()
    hops: int = 3
    spam_score: float | None = 0.0
    content_type: str = ""


def _person(rng: random.Random) -> tuple[str, str]:
    """A display name and the matching local part."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first}.{last}".lower()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _draft(rng: random.Random, kind: str) -> _Draft:
    """Headers for one kind of message: each kind is the mail one rule of the filter files."""
    name, local = _person(rng)
    outside = rng.choice(OUTSIDE_DOMAINS)
    topic = _sentence(rng, rng.randint(2, 6)).rstrip(".")
    score = round(rng.uniform(0.0, 3.5), 1)
    draft = _Draft(
        kind, f"{local}@{outside}", name, [ME], topic, f"{local}@{outside}", spam_score=score
    )
    if kind == "list_own":
        listname = rng.choice(OWN_LISTS)
        draft.extra.append(("List-Id", f"{listname.title()} list <{listname}.lists.example.org>"))
        draft.to = [f"{listname}@lists.example.org"]
        draft.return_path = f"{listname}-bounces@lists.example.org"
        draft.subject = f"[{listname}] {topic}"
    elif kind == "list_other":
        title, list_id = rng.choice(OTHER_LISTS)
        draft.extra.append(("List-Id", f"{title} <{list_id}>"))
        draft.extra.append(("Precedence", "list"))
        draft.to = [f"{list_id.split('.')[0]}@{list_id.split('.', 1)[1]}"]
        draft.return_path = f"owner-{list_id.split('.')[0]}@{list_id.split('.', 1)[1]}"
    elif kind == "ci":
        draft.sender, draft.display = "notifications@github.com", "GitHub"
        draft.return_path = f"noreply-{rng.randint(1000, 9999)}@github.com"
        draft.subject = rng.choice(
            ("[acme/api] Build failed: ", "[acme/web] PR #{}: ", "[acme/api] Run succeeded: ")
        ).format(rng.randint(1, 999))
        draft.subject += topic
    elif kind == "billing":
        draft.to = ["billing@example.com"]
        draft.subject = f"Invoice {rng.randint(10000, 99999)} for {topic.lower()}"
    elif kind == "bank":
        draft.sender, draft.display = "service@bank.example.net", "Example Bank"
        draft.return_path = "bounce@bank.example.net"
        draft.subject = rng.choice(("Your documents are ready", "Important information"))
        if rng.random() < 0.6:
            draft.body_words = ("Your monthly statement is now available.",)
    elif kind == "noreply":
        host = rng.choice(("shop.example", "cloud.example", "airline.example"))
        draft.sender = f"{rng.choice(('noreply', 'no-reply', 'donotreply'))}@{host}"
        draft.display, draft.return_path = host.split(".")[0].title(), f"bounces@{host}"
        draft.subject = f"Your {rng.choice(('order', 'booking', 'receipt'))} {topic.lower()}"
    elif kind == "ticket":
        draft.sender, draft.display = "jira@tracker.example.com", "Tracker"
        draft.return_path = "jira@tracker.example.com"
        draft.subject = f"[JIRA] (OPS-{rng.randint(100, 9999)}) {topic}"
    elif kind == "calendar":
        draft.subject = f"{rng.choice(('Invitation:', 'Updated invitation:'))} {topic}"
        if rng.random() < 0.3:
            draft.content_type = 'text/calendar; charset="utf-8"; method=REQUEST'
    elif kind == "security":
        draft.sender, draft.display = "security@accounts.example", "Accounts"
        draft.return_path = "security@accounts.example"
        draft.subject = rng.choice(("Your password was changed", "Security alert for your account"))
        if rng.random() < 0.5:
            draft.body_words = ("Use this link to reset your password within one hour.",)
    elif kind == "internal":
        dept = rng.choice(DEPARTMENTS)
        draft.sender = draft.return_path = f"{local}@{dept}.example.com"
    elif kind == "team":
        draft.sender = draft.return_path = f"{local}@example.com"
        draft.to = [rng.choice((f"{local}@example.com", "team@example.com"))]
        draft.cc = ["team@example.com"] if draft.to[0] != "team@example.com" else []
    elif kind == "urgent":
        draft.sender = draft.return_path = f"{local}@example.com"
        draft.subject = f"{rng.choice(('URGENT', 'Outage', 'Need this ASAP'))}: {topic}"
        draft.spam_score = 0.0
    elif kind == "newsletter":
        draft.sender = draft.return_path = f"news@{outside}"
        draft.subject = rng.choice(("Weekly digest: ", "Newsletter: ", "20% off ")) + topic
        if rng.random() < 0.5:
            draft.extra.append(("Precedence", "bulk"))
    elif kind == "reply":
        draft.subject = f"Re: {topic}"
    elif kind == "spam":
        draft.subject, draft.spam_score = rng.choice(SPAM_SUBJECTS), round(rng.uniform(8, 30), 1)
        draft.sender = draft.return_path = f"{local}{rng.randint(1, 99)}@promo-{outside}"
    elif kind == "maybe_spam":
        draft.spam_score = round(rng.uniform(5, 7.9), 1)
    elif kind == "loop":
        draft.hops = rng.randint(11, 14)
    if kind != "urgent" and rng.random() < 0.05:
        draft.spam_score = None  # the scanner skipped it: no X-Spam-Score at all
    if rng.random() < 0.15 and not draft.cc:
        _, cc_local = _person(rng)
        draft.cc = [f"{cc_local}@{rng.choice(OUTSIDE_DOMAINS)}"]
    if draft.display and rng.random() < 0.1:
        draft.display = rng.choice(ENCODED_NAMES)
    draft.hops = draft.hops if kind == "loop" else rng.randint(2, 6)
    return draft


def _received_chain(rng: random.Random, hops: int, when: datetime) -> list[tuple[str, str]]:
    """Received headers, newest first, as each relay prepends its own: our MX on top, then
    the relays the message crossed on its way, each received from the one below it."""
    relays = [f"relay{hop}.{rng.choice(OUTSIDE_DOMAINS)}" for hop in range(hops)]
    receivers = ["mx.example.com", *relays[:-1]]
    chain = []
    for hop, (relay, receiver) in enumerate(zip(relays, receivers, strict=True)):
        stamp = format_datetime(when - timedelta(seconds=hop * rng.randint(1, 30)))
        chain.append(
            (
                "Received",
                f"from {relay} ({relay} [192.0.2.{rng.randint(1, 254)}])\n"
                f"\tby {receiver} (Postfix) with ESMTPS id {rng.getrandbits(40):010X}\n"
                f"\tfor <{ME}>; {stamp}",
            )
        )
    return chain


def _text(rng: random.Random, size: int, fixed: tuple[str, ...]) -> str:
    """About `size` bytes of prose wrapped at 72 columns, holding the `fixed` sentences."""
    sentences = list(fixed)
    length = sum(len(s) for s in sentences)
    while length < size:
        sentence = _sentence(rng, rng.randint(4, 14))
        sentences.insert(rng.randint(0, len(sentences)), sentence)
        length += len(sentence) + 1
    lines, line = [], ""
    for word in " ".join(sentences).split(" "):
        if line and len(line) + 1 + len(word) > 72:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines) + "\n"


def _attachment(rng: random.Random, raw_size: int) -> tuple[str, str]:
    """A base64 attachment of `raw_size` random bytes, with a plausible file name."""
    name = rng.choice(("report.pdf", "photo.jpg", "slides.pptx", "data.xlsx", "scan.png"))
    data = rng.randbytes(raw_size)
    encoded = base64.b64encode(data).decode("ascii")
    lines = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    return name, lines


def _body(rng: random.Random, draft: _Draft, size: int, serial: int) -> tuple[list[str], str]:
    """MIME headers and the body text, about `size` bytes in all."""
    if draft.content_type.startswith("text/calendar"):
        lines = [
            "BEGIN:VCALENDAR",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            f"SUMMARY:{draft.subject}",
            f"UID:{serial}@calendar.example.com",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        return [f"Content-Type: {draft.content_type}"], "\n".join(lines) + "\n"
    if size < 12_000 or rng.random() < 0.4:
        headers = ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        return headers, _text(rng, size, draft.body_words)
    boundary = f"=_bench_{serial:06d}_{rng.getrandbits(32):08x}"
    text = _text(rng, rng.randint(400, 3000), draft.body_words)
    name, encoded = _attachment(rng, max(256, (size - len(text) - 400) * 3 // 4))
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    parts = [
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}",
        f'--{boundary}\nContent-Type: {kind}; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{encoded}\n",
        f"--{boundary}--\n",
    ]
    headers = [f'Content-Type: multipart/mixed; boundary="{boundary}"']
    return headers, "This is a multi-part message in MIME format.\n\n" + "".join(parts)


def _render(rng: random.Random, draft: _Draft, serial: int, when: datetime) -> tuple[str, str]:
    """The whole message text (LF line ends, as Dovecot stores it) and its Message-ID."""
    message_id = f"<{when:%Y%m%d%H%M%S}.{serial:06d}.{rng.getrandbits(24):06x}@mail.example>"
    headers: list[tuple[str, str]] = [("Return-Path", f"<{draft.return_path}>")]
    headers += [("Delivered-To", ME)] + _received_chain(rng, draft.hops, when)
    sender = f"{draft.display} <{draft.sender}>" if draft.display else draft.sender
    headers += [("From", sender), ("To", ", ".join(draft.to))]
    if draft.cc:
        headers.append(("Cc", ", ".join(draft.cc)))
    headers += [
        ("Subject", draft.subject),
        ("Date", format_datetime(when)),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
    ]
    headers += draft.extra
    if draft.spam_score is not None:
        headers.append(("X-Spam-Score", f"{draft.spam_score:.1f}"))
    size = int(math.exp(rng.uniform(math.log(1024), math.log(40 * 1024))))
    mime_headers, body = _body(rng, draft, size - 900, serial)
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return head + "\n".join(mime_headers) + "\n\n" + body, message_id


def generate_maildir(root: Path, count: int, seed: int = SEED) -> list[GeneratedMessage]:
    """Writes `count` messages into a new maildir at `root` (cur/, new/, tmp/).

    Same seed, same mail: file names, headers and bodies depend only on the seed and the
    count's prefix, so runs compare. Most mail is in cur/ (seen by a client, with flags), a
    tenth in new/, as in a live mailbox."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    names, weights = zip(*KINDS, strict=True)
    start = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
    messages = []
    for serial in range(count):
        kind = rng.choices(names, weights)[0]
        draft = _draft(rng, kind)
        when = start + timedelta(seconds=serial * 97 + rng.randint(0, 90))
        text, message_id = _render(rng, draft, serial, when)
        data = text.encode("utf-8")
        base = f"{int(when.timestamp())}.M{serial}P{seed}.bench,S={len(data)}"
        if rng.random() < 0.1:
            path = root / "new" / base
        else:
            path = root / "cur" / f"{base}:2,{rng.choice(('', 'S', 'S', 'RS', 'FS'))}"
        path.write_bytes(data)
        messages.append(GeneratedMessage(path, draft.return_path, draft.to[0], message_id, kind))
    return messages


# ---------------------------------------------------------------------------------------
# The Pigeonhole side
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PigeonholeRun:
    """One sieve-filter run: its wall time and the folders it chose for each Message-ID."""

    seconds: float
    folders: dict[str, tuple[str, ...]]

    @property
    def messages(self) -> int:
        return len(self.folders)


def pigeonhole_available() -> bool:
    return shutil.which("sieve-filter") is not None and shutil.which("sieve-test") is not None


def _as_unprivileged(command: list[str], home: Path) -> list[str]:
    """Pigeonhole's tools refuse to run as root: as root, drop to nobody first."""
    if os.geteuid() != 0:
        return command
    return [
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "env",
        f"HOME={home}",
        "USER=nobody",
        *command,
    ]


def prepare_pigeonhole(work: Path, script: Path) -> tuple[Path, Path]:
    """A scratch folder the user nobody may write to, with a copy of the script (sieve-filter stores
    its compiled .svbin beside the script) and a minimal Dovecot configuration."""
    place = work / "pigeonhole"
    (place / "control").mkdir(parents=True, exist_ok=True)
    copy = place / script.name
    shutil.copyfile(script, copy)
    config = place / "dovecot.conf"
    # sieve-filter gets the maildir by -o; sieve-test only needs some mail location to start.
    (place / "mail").mkdir(exist_ok=True)
    config.write_text(f"protocols =\nmail_location = maildir:{place / 'mail'}\n", encoding="utf-8")
    work.chmod(work.stat().st_mode | 0o755)  # nobody must reach and read the maildir
    for path in (place, place / "control", place / "mail", copy, config):
        path.chmod(0o777 if path.is_dir() else 0o666)
    return copy, config


_FILTERING = re.compile(r"^>> Filtering message:", re.MULTILINE)
_MESSAGE_ID = re.compile(r"^\s*ID:\s*(\S*)", re.MULTILINE)
_STORE = re.compile(r"^\s*\* store message in folder: (.*)$", re.MULTILINE)


def parse_sieve_filter_output(text: str) -> dict[str, tuple[str, ...]]:
    """The folders sieve-filter's dry run would store each message in, by Message-ID
    (the implicit keep shows up as a store into INBOX, like an explicit keep)."""
    folders = {}
    for block in _FILTERING.split(text)[1:]:
        found = _MESSAGE_ID.search(block)
        key = found.group(1) if found else f"#{len(folders)}"
        folders[key] = tuple(sorted(set(_STORE.findall(block))))
    return folders


def run_sieve_filter(script: Path, config: Path, maildir: Path) -> PigeonholeRun:
    """One dry run (no -e, no -W: the mailbox is opened read-only and nothing is stored) of
    sieve-filter over the maildir. Indexes live in memory and control files in the scratch
    folder, so every run reads every message again and the maildir stays untouched."""
    location = f"maildir:{maildir}:INDEX=MEMORY:CONTROL={config.parent / 'control'}"
    command = _as_unprivileged(
        [
            "sieve-filter",
            "-c",
            str(config),
            "-o",
            f"mail_location={location}",
            "-C",
            str(script),
            INBOX,
        ],
        config.parent,
    )
    started = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=config.parent, check=False, errors="replace"
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sieve-filter failed ({done.returncode}): {done.stderr.strip()}")
    return PigeonholeRun(seconds, parse_sieve_filter_output(done.stdout))


def run_sieve_test(script: Path, config: Path, message: GeneratedMessage) -> float:
    """Wall time of one `sieve-test` process: start, compile the script (-C: no stored
    binary, as `sieve run` compiles too), run it on one message, print, exit."""
    command = _as_unprivileged(
        [
            "sieve-test",
            "-c",
            str(config),
            "-C",
            "-f",
            message.mail_from,
            "-a",
            message.rcpt_to,
            "-r",
            message.rcpt_to,
            str(script),
            str(message.path),
        ],
        config.parent,
    )
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=config.parent, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sieve-test failed: {done.stderr.decode(errors='replace').strip()}")
    return seconds


# ---------------------------------------------------------------------------------------
# Our side
# ---------------------------------------------------------------------------------------


def folders_of(result: Result) -> tuple[str, ...]:
    """The folders our result stores the message in, in sieve-filter's terms."""
    return folders_of_document(result.to_dict())


def folders_of_document(document: dict[str, Any]) -> tuple[str, ...]:
    """The folders a `Result.to_dict()` document stores the message in."""
    folders = set()
    for action in document.get("actions", []):
        if action.get("type") == "fileinto":
            folders.add(action.get("mailbox", ""))
        elif action.get("type") == "keep":
            folders.add(action.get("mailbox") or INBOX)
    if document.get("implicit_keep"):
        folders.add(INBOX)
    return tuple(sorted(folders))


def _envelope(message: GeneratedMessage) -> Envelope:
    import sieve

    return sieve.Envelope(mail_from=message.mail_from, rcpt_to=message.rcpt_to)


def run_folders(script: CompiledScript, messages: Sequence[GeneratedMessage]) -> dict[str, tuple]:
    """Our folder choice for every message, for the comparison with Pigeonhole (untimed)."""
    return {
        m.message_id: folders_of(script.run(m.path.read_bytes(), envelope=_envelope(m)))
        for m in messages
    }


def resident_bytes() -> int:
    """The process's resident set size now (not its peak), from /proc where there is one."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_timed(
    script: CompiledScript,
    messages: Sequence[GeneratedMessage],
    checkpoints: Sequence[int] = (),
    probe: Callable[[], int] = resident_bytes,
) -> tuple[float, dict[int, int]]:
    """Reads and filters every message in turn, as a delivery agent would; returns the wall
    time and `probe()` (memory) after each checkpoint count of messages."""
    marks = set(checkpoints)
    memory: dict[int, int] = {}
    started = time.perf_counter()
    for count, message in enumerate(messages, 1):
        script.run(message.path.read_bytes(), envelope=_envelope(message))
        if count in marks:
            paused = time.perf_counter()
            gc.collect()
            memory[count] = probe()
            started += time.perf_counter() - paused  # measuring is not filtering
    return time.perf_counter() - started, memory


def traced_bytes() -> int:
    return tracemalloc.get_traced_memory()[0]


def run_traced(
    script: CompiledScript, messages: Sequence[GeneratedMessage], checkpoints: Sequence[int]
) -> dict[int, int]:
    """Python heap still held after each checkpoint: what a leak per message would grow."""
    tracemalloc.start()
    try:
        return run_timed(script, messages, checkpoints, probe=traced_bytes)[1]
    finally:
        tracemalloc.stop()


_WORKER_SCRIPT: CompiledScript | None = None


def _worker_start(source: str, name: str) -> None:
    global _WORKER_SCRIPT
    import sieve

    _WORKER_SCRIPT = sieve.compile(source, name=name)


def _worker_run(messages: list[GeneratedMessage]) -> int:
    assert _WORKER_SCRIPT is not None, "the pool starts every worker with _worker_start"
    run_timed(_WORKER_SCRIPT, messages)
    return len(messages)


def run_two_cores(source: str, name: str, messages: Sequence[GeneratedMessage]) -> float:
    """Wall time of two worker processes, each filtering half the messages. The workers are
    started and have compiled the script before the clock starts, as in a long-lived
    delivery service."""
    half = len(messages) // 2
    halves = [list(messages[:half]), list(messages[half:])]
    with multiprocessing.get_context("fork").Pool(2, _worker_start, (source, name)) as pool:
        pool.map(_worker_run, [halves[0][:5], halves[1][:5]], chunksize=1)  # warm both
        started = time.perf_counter()
        done = sum(pool.map(_worker_run, halves, chunksize=1))
        seconds = time.perf_counter() - started
    if done != len(messages):
        raise RuntimeError(f"the two workers filtered {done} of {len(messages)} messages")
    return seconds


def _our_environment() -> dict[str, str]:
    """Our package first on the path, so the subprocess runs this checkout."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    return environment


def _wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=_our_environment(), check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        error = done.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"{' '.join(command[1:4])} failed: {error}")
    return seconds


def run_sieve_cli(script: Path, message: GeneratedMessage) -> float:
    """Wall time of one `sieve run FILTER MESSAGE` process, from start to exit."""
    envelope = ["--from", message.mail_from, "--to", message.rcpt_to]
    return _wall_time(
        [sys.executable, "-m", "sieve", "run", *envelope, str(script), str(message.path)]
    )


def python_start() -> float:
    """Wall time of a Python that does nothing: the floor under any `sieve run`."""
    return _wall_time([sys.executable, "-c", "pass"])


# ---------------------------------------------------------------------------------------
# Mailbox mode: the whole `sieve run --maildir` process, as a person runs it
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandRun:
    """One `sieve run --maildir` process: its wall time, the rate its summary line reports
    (messages per second from the first message to the last, so without Python's start,
    the imports and the compile), and the peak resident memory of its largest process
    (the parent or a worker, as wait4 reports it)."""

    seconds: float
    rate: float
    peak_rss: int


_SUMMARY_RATE = re.compile(r"^[\d,]+ messages? in [\d.]+ s, ([\d,]+)/s", re.MULTILINE)


@dataclass
class MailboxMode:
    """`sieve run --maildir` on the whole maildir (best of the repeats per job count), the
    peak memory over a quarter and over all of it, the folders it chose, and how much
    faster this machine runs two busy processes than one."""

    runs: dict[int, CommandRun]
    peaks: dict[int, int]
    folders: dict[str, tuple[str, ...]]
    speedup: float


def run_sieve_maildir(
    script: Path, maildir: Path, jobs: int, output: str = "text"
) -> tuple[CommandRun, str]:
    """Wall time, peak RSS and stdout of `sieve run SCRIPT --maildir DIR --jobs N`."""
    command = [sys.executable, "-m", "sieve", "run", str(script), "--maildir", str(maildir)]
    command += ["--jobs", str(jobs), "--format", output]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=_our_environment())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, error = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        raise RuntimeError(f"sieve run --maildir failed: {error.strip()}")
    found = _SUMMARY_RATE.search(text if output == "text" else error)
    rate = float(found.group(1).replace(",", "")) if found else 0.0
    # ru_maxrss is in KiB on Linux.
    return CommandRun(seconds, rate, usage.ru_maxrss * 1024), text


def folders_of_records(
    text: str, messages: Sequence[GeneratedMessage]
) -> dict[str, tuple[str, ...]]:
    """The folders of each message, by Message-ID, from `sieve run --format json` lines."""
    ids = {str(m.path): m.message_id for m in messages}
    folders = {}
    for line in text.splitlines():
        record = json.loads(line)
        key = ids.get(record.get("message", ""), record.get("message", ""))
        folders[key] = folders_of_document(record)
    return folders


def _burn(count: int) -> int:
    total = 0
    for number in range(count):
        total += number
    return total


def parallel_speedup(work: int = 3_000_000) -> float:
    """How much faster two processes of pure Python finish two pieces of work than one
    process: 2.0 with two free cores, about 1.0 when the machine gives one."""
    started = time.perf_counter()
    _burn(work)
    _burn(work)
    alone = time.perf_counter() - started
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])  # both workers started
        started = time.perf_counter()
        pool.map(_burn, [work, work], chunksize=1)
        together = time.perf_counter() - started
    return alone / together


def measure_mailbox_mode(
    args: argparse.Namespace, work: Path, messages: Sequence[GeneratedMessage]
) -> MailboxMode:
    maildir = work / "Maildir"
    # The same seed writes the same first messages: a quarter of the maildir, for memory.
    quarter = max(1, len(messages) // 4)
    generate_maildir(work / "Maildir-quarter", quarter)
    _, records = run_sieve_maildir(args.script, maildir, 2, "json")  # also warms the cache
    runs = {}
    for jobs in (1, 2):
        tries = [run_sieve_maildir(args.script, maildir, jobs)[0] for _ in range(args.repeat)]
        runs[jobs] = min(tries, key=lambda run: run.seconds)
    # Memory with --jobs 1: reading, running and summing up all happen in that one process.
    peaks = {
        quarter: run_sieve_maildir(args.script, work / "Maildir-quarter", 1)[0].peak_rss,
        len(messages): runs[1].peak_rss,
    }
    return MailboxMode(runs, peaks, folders_of_records(records, messages), parallel_speedup())


def report_mailbox_mode(
    ours: MailboxMode, theirs: PigeonholeRun | None, count: int, repeat: int
) -> int:
    """Prints the mailbox-mode table: the throughput of `sieve run --maildir`, while it
    filters and as a whole process, against sieve-filter's whole process (whose start-up
    is a few milliseconds), and its peak memory; 1 when that is not flat."""
    print()
    print(_row("sieve run --maildir", "messages/s", "goal (ours / sieve-filter)"))
    for jobs, run in sorted(ours.runs.items()):
        print(_row(f"--jobs {jobs}, filtering (its summary line)", f"{run.rate:,.0f}"))
        print(
            _row(
                f"--jobs {jobs}, whole process (best of {repeat})",
                f"{count / run.seconds:,.0f}",
                f"{count} messages in {run.seconds * 1000:.0f} ms",
            )
        )
    if theirs is not None:
        their_rate = theirs.messages / theirs.seconds
        print(_row("sieve-filter (dry run, whole process)", f"{their_rate:,.0f}"))
        two = ours.runs[2]
        for what, rate in (("filtering", two.rate), ("whole process", count / two.seconds)):
            ratio = rate / their_rate
            print(
                _row(
                    f"ratio, --jobs 2, {what}",
                    f"{ratio:.2f}",
                    f">= {GOAL_TWO_CORES}: {_verdict(ratio >= GOAL_TWO_CORES)}",
                )
            )
    print(
        _row(
            "this machine's 2-process speed-up",
            f"{ours.speedup:.2f}x",
            "(pure Python work; 2.00x with two free cores)",
        )
    )
    (small, small_peak), (large, large_peak) = sorted(ours.peaks.items())
    for marks, peak in ((small, small_peak), (large, large_peak)):
        print(_row(f"peak RSS, --jobs 1, {marks:,} messages", _kib(peak)))
    growth = (large_peak - small_peak) / max(1, large - small)
    flat = growth < FLAT_BYTES_PER_MESSAGE * 4
    print(
        _row(
            f"RSS growth per message ({small:,} to {large:,})",
            f"{growth:,.0f} B",
            f"flat (< {FLAT_BYTES_PER_MESSAGE * 4} B): {_verdict(flat)}",
        )
    )
    return 0 if flat else 1


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _row(label: str, value: str, note: str = "") -> str:
    return f"  {label:<38} {value:>14}  {note}".rstrip()


def _kib(value: float) -> str:
    return f"{value / 1024:,.0f} KiB"


def compare_folders(ours: dict[str, tuple], theirs: dict[str, tuple]) -> list[str]:
    """Message-IDs where the two sides chose different folders, with both choices."""
    return [
        f"{key}: ours {ours.get(key)} vs sieve-filter {theirs.get(key)}"
        for key in sorted(set(ours) | set(theirs))
        if ours.get(key) != theirs.get(key)
    ]


def checkpoints_for(count: int) -> list[int]:
    """A quarter, half and all of the messages: 500, 1000, 2000 by default."""
    return sorted({max(1, count // 4), max(1, count // 2), count})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages to generate")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="sieve-filter runs (the best counts) and one-shot runs (averaged)",
    )
    parser.add_argument("--script", type=Path, default=DEFAULT_FILTER)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 200 messages, 1 repeat")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="generate into DIR/Maildir and leave it there"
    )
    parser.add_argument(
        "--mailbox-only",
        action="store_true",
        help="only the mailbox mode: `sieve run --maildir` against sieve-filter",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.repeat = min(args.messages, 200), 1
    if args.messages < 2 or args.repeat < 1:
        parser.error("--messages must be at least 2 and --repeat at least 1")
    if args.keep is not None and (args.keep / "Maildir").exists():
        parser.error(f"{args.keep / 'Maildir'} exists: --keep needs a new folder")

    sys.path.insert(0, str(ROOT))
    import sieve

    work = args.keep or Path(tempfile.mkdtemp(prefix="sieve-bench-"))
    try:
        return _benchmark(sieve, args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _benchmark(sieve: ModuleType, args: argparse.Namespace, work: Path) -> int:
    source = args.script.read_text(encoding="utf-8")
    name = args.script.name
    script = sieve.compile(source, name=name)

    started = time.perf_counter()
    messages = generate_maildir(work / "Maildir", args.messages)
    total_bytes = sum(m.path.stat().st_size for m in messages)
    print(
        f"{len(messages)} messages, {total_bytes / len(messages) / 1024:.1f} KiB on average, "
        f"generated in {time.perf_counter() - started:.1f} s into {work / 'Maildir'}"
    )
    shown = args.script.relative_to(ROOT) if args.script.is_relative_to(ROOT) else args.script
    print(f"filter: {shown}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")

    # Ours: an untimed pass first (warms caches and the disk, and gives the folders to compare).
    our_folders = run_folders(script, messages)
    # The one-shot probe: personal mail, which every rule looks at before the final keep.
    probe = next((m for m in messages if m.kind == "personal"), messages[0])
    in_process = None if args.mailbox_only else measure_in_process(sieve, args, messages, probe)

    theirs: PigeonholeRun | None = None
    theirs_one_shot = None
    if pigeonhole_available():
        copy, config = prepare_pigeonhole(work, args.script)
        # Untimed: the first run over a new control folder finds no messages at all.
        run_sieve_filter(copy, config, work / "Maildir")
        runs = [run_sieve_filter(copy, config, work / "Maildir") for _ in range(args.repeat)]
        theirs = min(runs, key=lambda run: run.seconds)
        if in_process is not None:
            theirs_one_shot = sum(run_sieve_test(copy, config, probe) for _ in range(args.repeat))
            theirs_one_shot /= args.repeat
    else:
        print(
            "sieve-filter/sieve-test not found: Pigeonhole figures skipped "
            "(apt-get install dovecot-sieve)"
        )

    count = len(messages)
    status = 0
    if in_process is not None:
        status |= report_in_process(in_process, theirs, theirs_one_shot, count, args.repeat)
    mailbox = measure_mailbox_mode(args, work, messages)
    status |= report_mailbox_mode(mailbox, theirs, count, args.repeat)

    if theirs is not None:
        differences = compare_folders(our_folders, theirs.folders)
        print()
        print(f"same folders as sieve-filter for {count - len(differences)} of {count} messages")
        for line in differences[:10]:
            print(f"  {line}")
        mailbox_differences = compare_folders(mailbox.folders, theirs.folders)
        print(
            f"sieve run --maildir: same folders as sieve-filter for "
            f"{count - len(mailbox_differences)} of {count} messages"
        )
        for line in mailbox_differences[:10]:
            print(f"  {line}")
        if differences or mailbox_differences:
            status = 1
    return status


@dataclass
class InProcess:
    """The in-process figures: filtering time on one and two processes, memory at each
    checkpoint, and the one-shot `sieve run` wall time beside Python's own start."""

    single: float
    two: float
    checkpoints: list[int]
    resident: dict[int, int]
    traced: dict[int, int]
    one_shot: float
    floor: float


def measure_in_process(
    sieve: ModuleType, args: argparse.Namespace, messages: list[GeneratedMessage], probe: Any
) -> InProcess:
    source = args.script.read_text(encoding="utf-8")
    script = sieve.compile(source, name=args.script.name)
    checkpoints = checkpoints_for(len(messages))
    single, resident = run_timed(script, messages, checkpoints)
    two = run_two_cores(source, args.script.name, messages)
    traced = run_traced(script, messages, checkpoints)
    one_shot = sum(run_sieve_cli(args.script, probe) for _ in range(args.repeat)) / args.repeat
    floor = sum(python_start() for _ in range(args.repeat)) / args.repeat
    return InProcess(single, two, checkpoints, resident, traced, one_shot, floor)


def report_in_process(
    ours: InProcess,
    theirs: PigeonholeRun | None,
    theirs_one_shot: float | None,
    count: int,
    repeat: int,
) -> int:
    """Prints the in-process throughput, memory and one-shot tables; 1 when sieve-filter
    did not see every message."""
    ours_rate, ours_two_rate = count / ours.single, count / ours.two
    print()
    print(_row("", "messages/s", "goal (ours / sieve-filter)"))
    print(_row("sieve, 1 process, in process", f"{ours_rate:,.0f}"))
    print(_row("sieve, 2 processes", f"{ours_two_rate:,.0f}"))
    status = 0
    if theirs is not None:
        their_rate = theirs.messages / theirs.seconds
        print(
            _row(
                f"sieve-filter (dry run, best of {repeat})",
                f"{their_rate:,.0f}",
                f"{theirs.messages} messages in {theirs.seconds * 1000:.0f} ms",
            )
        )
        ratio_single, ratio_two = ours_rate / their_rate, ours_two_rate / their_rate
        print(
            _row(
                "ratio, 1 process",
                f"{ratio_single:.2f}",
                f">= {GOAL_SINGLE}: {_verdict(ratio_single >= GOAL_SINGLE)}",
            )
        )
        print(
            _row(
                "ratio, 2 processes",
                f"{ratio_two:.2f}",
                f">= {GOAL_TWO_CORES}: {_verdict(ratio_two >= GOAL_TWO_CORES)}",
            )
        )
        if theirs.messages != count:
            print(f"  sieve-filter processed {theirs.messages} of {count} messages")
            status = 1

    print()
    print(_row("memory after N messages", "RSS", "Python heap (tracemalloc)"))
    for mark in ours.checkpoints:
        print(_row(f"  {mark:,} messages", _kib(ours.resident[mark]), _kib(ours.traced[mark])))
    first, last = ours.checkpoints[0], ours.checkpoints[-1]
    if last > first:
        per_rss = (ours.resident[last] - ours.resident[first]) / (last - first)
        per_heap = (ours.traced[last] - ours.traced[first]) / (last - first)
        print(
            _row(
                f"  growth per message ({first:,} to {last:,})",
                f"{per_rss:,.0f} B",
                f"{per_heap:,.0f} B; flat (< {FLAT_BYTES_PER_MESSAGE} B): "
                f"{_verdict(per_heap < FLAT_BYTES_PER_MESSAGE)}",
            )
        )

    print()
    print(_row(f"one shot, one message (mean of {repeat})", "wall time"))
    print(_row("sieve run", f"{ours.one_shot * 1000:,.0f} ms"))
    print(_row("  of which Python's own start", f"{ours.floor * 1000:,.0f} ms", "(python -c pass)"))
    if theirs_one_shot is not None:
        ratio = ours.one_shot / theirs_one_shot
        print(_row("sieve-test -C", f"{theirs_one_shot * 1000:,.0f} ms"))
        print(
            _row("ratio", f"{ratio:.2f}", f"<= {GOAL_ONE_SHOT}: {_verdict(ratio <= GOAL_ONE_SHOT)}")
        )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
