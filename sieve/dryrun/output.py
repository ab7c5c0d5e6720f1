"""Per-message output of a dry run (JSON lines, CSV) and the progress bar.

JSON lines: one object per message, in input order: `index` (from 1), `message` (its file,
or `FILE#N` for the Nth message of an mbox), `envelope` (`from`, `to`: given or read from the
message), then the `Result.to_dict()` document (for a hierarchy, the hierarchy's) whose
actions also carry their script `line` (and `script`, the level, in a hierarchy); with
`--trace`, `matched`: the lines of the tests that were true. A message that could not be
run has `status` "broken" and the reason in `error`, and nothing else.

CSV: a header row, then one row per message with the columns of `CSV_COLUMNS`; lists are
joined with "; ".
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from typing import Any, TextIO

from sieve.dryrun.summary import describe_problem, rule_name, stored_mailboxes
from sieve.dryrun.worker import BROKEN, MessageReport

CSV_COLUMNS = (
    "index",
    "message",
    "from",
    "to",
    "status",
    "actions",
    "mailboxes",
    "implicit_keep",
    "rules",
    "problem",
)


def json_record(report: MessageReport) -> dict[str, Any]:
    if report.status == BROKEN:
        return {
            "index": report.index,
            "message": report.name,
            "status": BROKEN,
            "error": report.problem,
        }
    record: dict[str, Any] = {
        "index": report.index,
        "message": report.name,
        "envelope": {"from": report.mail_from, "to": report.rcpt_to},
    }
    record.update(report.document)
    if report.matched:
        record["matched"] = [rule_name(key, int) for key in report.matched]
    return record


def write_json(report: MessageReport, stream: TextIO) -> None:
    stream.write(json.dumps(json_record(report)) + "\n")


def _action_text(action: dict[str, Any]) -> str:
    """An action in a few words: its type and what it is about."""
    kind = action.get("type", "")
    for key in ("mailbox", "address", "tag", "method"):
        if action.get(key):
            return f"{kind} {action[key]}"
    return kind


class CsvWriter:
    """Writes the CSV header once, then a row per report."""

    def __init__(self, stream: TextIO) -> None:
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(CSV_COLUMNS)

    def write(self, report: MessageReport) -> None:
        document = report.document
        actions = document.get("actions", [])
        problem = "" if report.status == "success" else describe_problem(report)
        self.writer.writerow(
            (
                report.index,
                report.name,
                report.mail_from,
                report.rcpt_to,
                report.status,
                "; ".join(_action_text(a) for a in actions),
                "; ".join(stored_mailboxes(document)),
                "" if report.status == BROKEN else str(bool(document.get("implicit_keep"))).lower(),
                "; ".join(rule_name(key, str) for key in report.rules),
                problem,
            )
        )


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """A one-line progress bar with the rate and the time left, redrawn at most ten times a
    second. `fraction()` says how far the input has been read when the number of messages
    is not known beforehand (an mbox: by bytes)."""

    WIDTH = 24

    def __init__(
        self,
        stream: TextIO,
        total: int | None,
        fraction: Callable[[], float | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.total = total
        self.fraction = fraction
        self.clock = clock
        self.started = clock()
        self.shown = 0.0
        self.width = 0

    def update(self, done: int) -> None:
        now = self.clock()
        if now - self.shown < 0.1:
            return
        self.shown = now
        self._draw(self.line(done, now - self.started))

    def line(self, done: int, elapsed: float) -> str:
        part = self._part(done)
        rate = done / elapsed if elapsed > 0 else 0.0
        bar = ""
        if part is not None:
            filled = int(self.WIDTH * part)
            bar = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {100 * part:3.0f}% "
        count = f"{done:,}/{self.total:,}" if self.total is not None else f"{done:,}"
        text = f"{bar}{count} messages, {rate:,.0f}/s"
        if part and rate > 0 and 0 < part < 1:
            text += f", ETA {_clock(elapsed * (1 - part) / part)}"
        return text

    def _part(self, done: int) -> float | None:
        if self.total:
            return min(1.0, done / self.total)
        if self.fraction is not None:
            found = self.fraction()
            return None if found is None else min(1.0, max(0.0, found))
        return None

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self.width - len(text))
        self.width = len(text)
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
