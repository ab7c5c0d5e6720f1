"""What a corpus run is: which scripts, which messages, which envelope and host. Shared by
the golden test (tests/runtime/test_corpus_runs.py) and tools/compare_pigeonhole.py, so the
two always run the same thing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sieve
from sieve.testing.declarative import addresses_of

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
SCRIPTS = sorted(
    [
        *(CORPUS / "scripts" / "valid").glob("*.sieve"),
        *(CORPUS / "extensions").glob("*/valid-*.sieve"),
    ]
)
MESSAGES = sorted((CORPUS / "messages").glob("*.eml"))
GOLDEN = CORPUS / "expected" / "runs"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ADDRBOOK = "urn:ietf:params:sieve:addrbook:"
# The external lists the corpus scripts name (RFC 6134), as a user's server would hold them.
LISTS = {
    ADDRBOOK + "default": {"alice@example.com", "carol@example.net"},
    ADDRBOOK + "personal": {"dave@example.com"},
    "tag:example.com,2024-01-01:blocked-senders": {"spammer@example.net"},
    "tag:example.com,2024:blocked-senders": {"spammer@example.net"},
    "tag:example.com,2024-01-01:family": {"mum@example.org"},
    "tag:example.com,2024:board-members": {"chair@example.com"},
    "tag:example.com,2024:staff": {"alice@example.com", "bob@example.org"},
}


def _dialect(source: bytes) -> str:
    return "oracle" if b"# dialect: oracle" in source[:200] else "standard"


def envelope_for(message: Path) -> tuple[str, str]:
    """The sender is the first From address, the recipient the first To address, as a
    delivery of the message to its first recipient would have them (as declarative test
    files read them)."""
    return addresses_of(message.read_bytes(), default_recipient="user@example.org")


def run_case(script: Path, message: Path, now: datetime = NOW) -> dict:
    source = script.read_bytes()
    compiled = sieve.compile(source, name=script.name, dialect=_dialect(source))
    mail_from, rcpt_to = envelope_for(message)
    lists = {name: set(members) for name, members in LISTS.items()}
    host = sieve.MemoryHost(clock=lambda: now, script_dir=script.parent, lists=lists)
    result = compiled.run(
        message.read_bytes(), sieve.Envelope(mail_from=mail_from, rcpt_to=rcpt_to), host=host
    )
    return result.to_dict()


def golden_name(script: Path) -> str:
    relative = script.relative_to(CORPUS).with_suffix("")
    return "--".join(relative.parts) + ".json"
