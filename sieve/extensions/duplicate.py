"""RFC 7352: the duplicate test, which is true when a message with the same unique ID
(Message-ID by default) was seen before.

The ID is only recorded once the run has succeeded (§3), so a delivery that fails and is
retried is not mistaken for its own duplicate: `Run.on_success` is that hook, also used by
vacation, whose reply memory follows the same rule."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sieve.extensions.editheader import valid_field_name
from sieve.extensions.spec import Arg, Extension, Signature, Tag, TestSpec
from sieve.runtime.behaviour import Behaviour
from sieve.runtime.vm import _show

if TYPE_CHECKING:
    from sieve.runtime.linking import Args
    from sieve.runtime.vm import Run

DUPLICATE_KEY = "duplicate-key"

EXTENSION = Extension(
    capability="duplicate",
    summary="RFC 7352: the duplicate test",
    tests=(
        # RFC 7352 §3: duplicate [":handle" <handle: string>]
        #   [":header" <header-name: string> / ":uniqueid" <value: string>]
        #   [":seconds" <timeout: number>] [":last"]
        TestSpec(
            "duplicate",
            Signature(
                tags=(
                    Tag("handle", Arg.STRING),
                    # RFC 7352 §3.1: ":header" and ":uniqueid" exclude each other.
                    Tag("header", Arg.STRING, group=DUPLICATE_KEY, role="header-name"),
                    Tag("uniqueid", Arg.STRING, group=DUPLICATE_KEY),
                    Tag("seconds", Arg.NUMBER),
                    Tag("last"),
                ),
            ),
        ),
    ),
)

DAY = 86_400
# RFC 7352 §3: "a default expiration time of around 7 days is usually appropriate", and
# sites "SHOULD impose a maximum", silently substituted for larger values.
DEFAULT_SECONDS = 7 * DAY
MAX_SECONDS = 30 * DAY

BEHAVIOUR = Behaviour()


@BEHAVIOUR.test("duplicate")
def duplicate(run: Run, args: Args) -> bool:
    seconds = DEFAULT_SECONDS
    if "seconds" in args.tags:
        seconds = max(0, min(run.number(args.tags["seconds"]), MAX_SECONDS))
    # RFC 7352 §3: with ":seconds 0" the test is false, unconditionally.
    if seconds == 0:
        return False
    unique_id = _unique_id(run, args)
    if unique_id is None:
        # RFC 7352 §3: no ID (no such header, an invalid header name) means false, and
        # nothing is recorded.
        return False
    handle = run.string(args.tags["handle"]) if "handle" in args.tags else None
    key = tracking_key(handle, unique_id)
    last = "last" in args.tags
    # RFC 7352 §3: every duplicate test of one run with the same arguments gives the same
    # answer; IDs seen earlier in this run are not duplicates.
    answers = run.extension_state.setdefault("duplicate", {})
    asked = (key, seconds, last)
    if asked in answers:
        return bool(answers[asked])
    seen = run.host.duplicate_seen(key, seconds, False)
    answers[asked] = seen
    run.on_success(lambda: _record(run, key, seconds, seen, last))
    if run.tracing:
        run.event("test", f"duplicate {_show(unique_id)}: {'seen' if seen else 'new'}")
    return seen


def _unique_id(run: Run, args: Args) -> str | None:
    """The tracked value: :uniqueid as given, or the first field of :header (Message-ID by
    default), unfolded, decoded and trimmed as RFC 7352 §3 asks."""
    if "uniqueid" in args.tags:
        return run.string(args.tags["uniqueid"])
    name = run.string(args.tags["header"]) if "header" in args.tags else "Message-ID"
    # RFC 5228 §2.4.2.2: a header field name is printable ASCII without ":".
    if not valid_field_name(name):
        return None
    fields = run.header(name)
    if not fields or not fields[0].strip():
        return None
    return fields[0].strip()


def tracking_key(handle: str | None, unique_id: str) -> str:
    """RFC 7352 §3: the ID counts whatever its source, compared case-sensitively, apart
    per handle (no handle is a handle of its own). A hash keeps any Host's key short."""
    scope = "\x00" if handle is None else "\x01" + handle
    text = f"{scope}\x00{unique_id}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _record(run: Run, key: str, seconds: int, seen: bool, last: bool) -> None:
    # RFC 7352 §3: without :last an entry expires `seconds` after it was first recorded;
    # with :last, after the last run that tested it.
    if not seen:
        run.host.duplicate_seen(key, seconds, True)
    elif last:
        run.host.duplicate_touch(key, seconds)
