"""The summary of a dry run: what would have happened to the mailbox, as counts.

Every count is of messages, not of actions: a message filed into Junk twice counts once
for Junk. The tables:

- **Statuses**: success, failed (a run-time error: the implicit keep applies), limit (an
  exceeded limit: the same), broken (unreadable, empty or too large: not run).
- **Actions**: messages with at least one action of each type, and those left to the
  implicit keep (RFC 5228 §2.10.2).
- **Mailboxes**: messages that would be stored in each mailbox, by keep, fileinto or the
  implicit keep (INBOX); **Redirects**: messages sent on to each address; for the Oracle
  filter hierarchy, **Decided by**: the level whose script decided each message.
- **Rules that fired**: a "rule" is the script line of an action, shown with its source;
  each counts the messages on which an action of that line was taken. With `--trace`,
  **Tests that matched** counts, per line, the messages on which a test of that line was
  true. In a hierarchy a line is named by its level (`user:12`); an action taken inside an
  included script carries the line in that script.
- **Problems**: the messages that failed, hit a limit or were skipped, with the reason
  (the first `MAX_LISTED`; `--format json` lists every message).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sieve.dryrun.worker import BROKEN, MessageReport

MAX_LISTED = 20
STATUSES = ("success", "failed", "limit", BROKEN)
_SOURCE_WIDTH = 60


@dataclass
class Summary:
    """Counts folded from reports one at a time, so the summary of a mailbox of any size
    holds only its distinct mailboxes, addresses and lines."""

    messages: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    mailboxes: Counter[str] = field(default_factory=Counter)
    redirects: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    rules: Counter[tuple[str, int]] = field(default_factory=Counter)
    matched: Counter[tuple[str, int]] = field(default_factory=Counter)
    problems: list[MessageReport] = field(default_factory=list)
    problem_count: int = 0

    def add(self, report: MessageReport) -> None:
        self.messages += 1
        self.statuses[report.status] += 1
        if report.status != "success":
            self.problem_count += 1
            if len(self.problems) < MAX_LISTED:
                self.problems.append(report)
        if report.status == BROKEN:
            return
        document = report.document
        types: set[str] = set()
        redirected: set[str] = set()
        for action in document.get("actions", ()):
            kind = action.get("type", "")
            types.add(kind)
            if kind == "redirect":
                redirected.add(action.get("address", ""))
        if document.get("implicit_keep"):
            types.add("implicit keep")
        self.actions.update(types)
        self.mailboxes.update(stored_mailboxes(document))
        self.redirects.update(redirected)
        if "decided_by" in document:
            self.decided[document["decided_by"] or "no script (implicit keep)"] += 1
        self.rules.update(report.rules)
        self.matched.update(report.matched)

    @classmethod
    def of(cls, reports: Iterable[MessageReport]) -> Summary:
        summary = cls()
        for report in reports:
            summary.add(report)
        return summary

    def merge(self, other: Summary) -> None:
        """Adds the counts of another share of the mailbox. A worker process sends a small
        Summary per chunk instead of every message's report; merged in input order, the
        problems listed are the first ones, as if every report had been added here."""
        self.messages += other.messages
        self.problem_count += other.problem_count
        self.problems.extend(other.problems[: max(MAX_LISTED - len(self.problems), 0)])
        for mine, theirs in (
            (self.statuses, other.statuses),
            (self.actions, other.actions),
            (self.mailboxes, other.mailboxes),
            (self.redirects, other.redirects),
            (self.decided, other.decided),
            (self.rules, other.rules),
            (self.matched, other.matched),
        ):
            mine.update(theirs)

    def to_dict(self) -> dict[str, Any]:
        """The counts as a JSON-ready document (rules keyed "line" or "level:line")."""
        return {
            "messages": self.messages,
            "statuses": {status: self.statuses.get(status, 0) for status in STATUSES},
            "actions": dict(self.actions.most_common()),
            "mailboxes": dict(self.mailboxes.most_common()),
            "redirects": dict(self.redirects.most_common()),
            "decided_by": dict(self.decided.most_common()),
            "rules": {rule_name(key): count for key, count in _by_count(self.rules)},
            "matched": {rule_name(key): count for key, count in _by_count(self.matched)},
            "problems": self.problem_count,
        }

    def render(
        self,
        stream: TextIO,
        *,
        seconds: float | None = None,
        processes: int | None = None,
        sources: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """The summary tables as a person reads them. `sources` maps a script label ("" or
        a level) to its source lines, to show the text of each rule's line."""
        print(self._headline(seconds, processes), file=stream)
        self._counts(stream, "Actions", self.actions.most_common())
        self._counts(stream, "Mailboxes", self.mailboxes.most_common())
        self._counts(stream, "Redirects", self.redirects.most_common())
        self._counts(stream, "Decided by (the filter hierarchy)", self.decided.most_common())
        self._lines(
            stream, "Rules that fired (messages per line of an action)", self.rules, sources
        )
        self._lines(
            stream, "Tests that matched (messages per line of a test)", self.matched, sources
        )
        self._problems(stream)

    def _headline(self, seconds: float | None, processes: int | None) -> str:
        counts = ", ".join(
            f"{self.statuses[status]:,} {status}" for status in STATUSES if self.statuses[status]
        )
        noun = "message" if self.messages == 1 else "messages"
        timing = ""
        if seconds is not None:
            rate = f", {self.messages / seconds:,.0f}/s" if seconds > 0 else ""
            per = ""
            if processes is not None:
                per = f", {processes} worker processes" if processes else ", in one process"
            timing = f" in {seconds:.2f} s{rate}{per}"
        return f"{self.messages:,} {noun}{timing}: {counts or 'nothing to run'}"

    def _percent(self, count: int) -> str:
        return f"{100 * count / self.messages:5.1f}%" if self.messages else ""

    def _counts(self, stream: TextIO, title: str, rows: list[tuple[str, int]]) -> None:
        if not rows:
            return
        width = max(len(label) for label, _ in rows)
        print(f"\n{title}", file=stream)
        for label, count in rows:
            print(f"  {label:<{width}}  {count:>8,}  {self._percent(count)}", file=stream)

    def _lines(
        self,
        stream: TextIO,
        title: str,
        counts: Counter[tuple[str, int]],
        sources: Mapping[str, Sequence[str]] | None,
    ) -> None:
        if not counts:
            return
        rows = _by_count(counts)
        digits = max(len(str(line)) for (_, line), _ in rows)
        labels = max(len(label) for (label, _), _ in rows)
        print(f"\n{title}", file=stream)
        for (label, line), count in rows:
            name = f"{label:<{labels}} line {line:>{digits}}".strip()
            text = _source_line(sources, (label, line))
            row = f"  {name}  {count:>8,}  {self._percent(count)}  {text}"
            print(row.rstrip(), file=stream)

    def _problems(self, stream: TextIO) -> None:
        if not self.problem_count:
            return
        print(
            f"\nMessages that failed, hit a limit or could not be run ({self.problem_count:,})",
            file=stream,
        )
        for report in self.problems:
            print(f"  {report.name}: {report.status}: {describe_problem(report)}", file=stream)
        hidden = self.problem_count - len(self.problems)
        if hidden > 0:
            print(f"  … and {hidden:,} more (--format json lists every message)", file=stream)


def describe_problem(report: MessageReport) -> str:
    """Why a message failed, hit a limit or was not run, in one line."""
    if report.status == BROKEN:
        return report.problem
    errors = report.document.get("errors", [])
    if not errors:
        for level in report.document.get("scripts", []):
            errors = errors or [dict(e, level=level["level"]) for e in level.get("errors", [])]
    if not errors:
        return report.status
    first = errors[0]
    where = f"{first['level']}:" if "level" in first else ""
    return f"{where}line {first.get('line', 0)}: {first.get('message', '')} [{first.get('code')}]"


def _by_count(counts: Counter[tuple[str, int]]) -> list[tuple[tuple[str, int], int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def stored_mailboxes(document: Mapping[str, Any]) -> list[str]:
    """The mailboxes a message's result document stores it in, each once, in order: by
    keep, fileinto, then the implicit keep (INBOX)."""
    stored = [
        action.get("mailbox") or "INBOX"
        for action in document.get("actions", ())
        if action.get("type") in ("keep", "fileinto")
    ]
    if document.get("implicit_keep"):
        stored.append("INBOX")
    return list(dict.fromkeys(stored))


def rule_name(key: tuple[str, int], lone: Callable[[int], Any] = "line {}".format) -> Any:
    """A rule (script label, line) by name: "level:line" in a hierarchy; for a lone script
    (label "") `lone(line)`, "line N" unless the caller wants the number itself."""
    label, line = key
    return f"{label}:{line}" if label else lone(line)


def _source_line(sources: Mapping[str, Sequence[str]] | None, key: tuple[str, int]) -> str:
    label, line = key
    lines = (sources or {}).get(label)
    if not lines or not 0 < line <= len(lines):
        return ""
    text = " ".join(lines[line - 1].split())
    return text if len(text) <= _SOURCE_WIDTH else text[: _SOURCE_WIDTH - 1] + "…"
