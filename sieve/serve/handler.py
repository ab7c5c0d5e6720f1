"""The aiosmtpd handler: runs the hierarchy for each recipient, relays what it produced,
and only then answers. SMTP gets one reply for the message, LMTP one per recipient.

Replies (RFC 5321 §4.2, with RFC 3463 enhanced codes):
- 250 after the next hop accepted every copy (or there was nothing to send: discard);
- 550 5.7.1 with the reason when the scripts ereject (every recipient, for SMTP);
- 451 4.3.0 when the next hop is unreachable or says 4xx, when the service itself fails,
  or when the message took longer than its time limit: the sender keeps it and retries;
- 554 5.0.0 when the next hop refused a copy for good.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sieve
from sieve.runtime.hierarchy import HierarchyResult
from sieve.runtime.result import LIMIT
from sieve.serve.config import Config, next_hop_settings
from sieve.serve.metrics import Metrics
from sieve.serve.plan import Plan, plan_recipient
from sieve.serve.relay import Delivery, NextHop, RelayError
from sieve.serve.scripts import ScriptStore

log = logging.getLogger("sieve.serve")
messages_log = logging.getLogger("sieve.serve.messages")

DEFERRED = "451 4.3.0 Temporary failure in the mail filter, try again later"
_ids = itertools.count(1)


def _reply_text(text: str) -> str:
    """One reply line: no line breaks from a script, printable ASCII, bounded length."""
    clean = " ".join(text.split()).encode("ascii", "replace").decode()
    return clean[:400]


@dataclass(slots=True)
class _Recipient:
    address: str
    plan: Plan | None = None
    scripts: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


class FilterHandler:
    """Shared by every session of one listener."""

    def __init__(
        self,
        config: Config,
        store: ScriptStore,
        host: Any,
        metrics: Metrics,
        *,
        lmtp: bool = False,
    ) -> None:
        self.config = config
        self.store = store
        self.host = host
        self.metrics = metrics
        self.lmtp = lmtp
        # One thread runs every script: Hosts need not be thread-safe, and the event loop
        # stays free to talk SMTP while a script runs (each run is bounded by its Limits).
        self.scripts_thread = ThreadPoolExecutor(1, thread_name_prefix="sieve-scripts")
        self.next_hop = NextHop(next_hop_settings(config))
        self.in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.in_flight += 1
        self.idle.clear()
        started = time.monotonic()
        ident = f"{os.getpid():x}.{next(_ids)}"
        recipients = [_Recipient(address) for address in envelope.rcpt_tos]
        try:
            try:
                reply = await asyncio.wait_for(
                    self._process(envelope, recipients),
                    timeout=self.config.message_seconds or None,
                )
            except TimeoutError:
                self.metrics.errors["timeout"] += 1
                reply = self._all(recipients, DEFERRED, "deferred")
                status = "timeout"
            except Exception as error:  # noqa: BLE001 - never lose mail: defer it
                log.exception("message %s: the filter failed", ident)
                self.metrics.errors["service"] += 1
                reply = self._all(recipients, DEFERRED, "deferred")
                status = f"error: {error.__class__.__name__}"
            else:
                status = "done"
            elapsed = time.monotonic() - started
            self.metrics.observe(elapsed)
            messages_log.info(
                json.dumps(
                    {
                        "id": ident,
                        "from": envelope.mail_from,
                        "size": len(envelope.original_content or b""),
                        "status": status,
                        "recipients": [
                            {
                                "rcpt": item.address,
                                "scripts": list(item.scripts),
                                "decision": item.plan.decision if item.plan else None,
                                "problems": list(item.problems),
                            }
                            for item in recipients
                        ],
                        "reply": reply.splitlines(),
                        "seconds": round(elapsed, 6),
                    }
                )
            )
            return reply
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()

    def _all(self, recipients: list[_Recipient], reply: str, outcome: str) -> str:
        self.metrics.messages[outcome] += 1
        return "\r\n".join([reply] * len(recipients)) if self.lmtp else reply

    async def _process(self, envelope: Any, recipients: list[_Recipient]) -> str:
        data: bytes = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        if mail_from == "<>":
            mail_from = ""
        loop = asyncio.get_running_loop()
        for item in recipients:
            item.plan, item.scripts, item.problems = await loop.run_in_executor(
                self.scripts_thread, self._filter, data, mail_from, item.address
            )
        refused = [item for item in recipients if item.plan and item.plan.refusal is not None]
        accepted = [item for item in recipients if item not in refused]
        if not self.lmtp and refused and accepted:
            # One SMTP reply cannot refuse some recipients of a message: RFC 5429 §2.1.1
            # lets ereject fall back to reject, a notice to the sender.
            for item in refused:
                assert item.plan is not None
                await loop.run_in_executor(
                    self.scripts_thread, self._fallback_notice, item, data, mail_from
                )
            accepted, refused = recipients, []
        deliveries = _merge([d for item in accepted if item.plan for d in item.plan.deliveries])
        failure: str | None = None
        try:
            await asyncio.to_thread(self.next_hop.send, deliveries)
        except RelayError as error:
            self.metrics.errors["relay"] += 1
            log.warning("relay failed: %s", error)
            failure = (
                f"554 5.0.0 {_reply_text(str(error))}"
                if error.permanent
                else f"451 4.4.1 {_reply_text(str(error))}; try again later"
            )
        for item in accepted:
            for kind in (item.plan.decision if item.plan else "").split(","):
                if kind:
                    self.metrics.actions[kind.split(":")[0]] += 1
        if self.lmtp:
            replies = []
            for item in recipients:
                if item in refused:
                    assert item.plan is not None and item.plan.refusal is not None
                    replies.append(f"550 5.7.1 {_reply_text(item.plan.refusal)}")
                    self.metrics.messages["refused"] += 1
                    self.metrics.actions["ereject"] += 1
                else:
                    replies.append(failure or "250 2.0.0 Ok: filtered")
                    self.metrics.messages["deferred" if failure else "accepted"] += 1
            return "\r\n".join(replies)
        if refused:
            reason = refused[0].plan.refusal if refused[0].plan else ""
            self.metrics.messages["refused"] += 1
            self.metrics.actions["ereject"] += 1
            return f"550 5.7.1 {_reply_text(reason or 'rejected')}"
        self.metrics.messages["deferred" if failure else "accepted"] += 1
        return failure or "250 2.0.0 Ok: filtered"

    def _filter(
        self, data: bytes, mail_from: str, recipient: str
    ) -> tuple[Plan, tuple[str, ...], tuple[str, ...]]:
        """Runs in the script thread: the hierarchy for one recipient, then its plan, the
        scripts run and their problems ("user:max_redirects: ..."), for the log line: a
        script that fails or hits a limit still delivers the mail, so the log is where the
        administrator learns of it."""
        levels = self.store.hierarchy(recipient)
        if not levels:
            # No script applies: the implicit keep (RFC 5228 §2.10.2).
            outcome: Any = HierarchyResult([], True, None)
        else:
            outcome = sieve.run_hierarchy(
                levels,
                data,
                sieve.Envelope(mail_from=mail_from, rcpt_to=recipient),
                environment=self.config.environment or None,
                host=self.host,
            )
            if outcome.status == LIMIT:
                self.metrics.limits += 1  # an int add under the GIL: safe from this thread
        names = tuple(f"{level}:{script.name}" for level, script in levels)
        problems = tuple(
            f"{ran.level}:{problem.code}: {problem.message}"
            for ran in getattr(outcome, "levels", ())
            for problem in [*ran.result.errors, *ran.result.warnings]
        )
        plan = plan_recipient(
            outcome,
            recipient,
            mail_from,
            data,
            notice_from=self.config.notice_from,
            hostname=self.config.hostname,
        )
        return plan, names, problems

    def _fallback_notice(self, item: _Recipient, data: bytes, mail_from: str) -> None:
        from sieve.runtime import actions as act

        assert item.plan is not None
        reason = item.plan.refusal or ""
        fallback = HierarchyResult([act.Reject(reason=reason)], False, None)
        item.plan = plan_recipient(
            fallback,
            item.address,
            mail_from,
            data,
            notice_from=self.config.notice_from,
            hostname=self.config.hostname,
        )
        item.plan.decision = "ereject->reject"


def _merge(deliveries: list[Delivery]) -> list[Delivery]:
    """Copies with the same sender and bytes go in one transaction with all recipients."""
    merged: dict[tuple[str, bytes, str], list[str]] = {}
    for delivery in deliveries:
        recipients = merged.setdefault((delivery.mail_from, delivery.data, delivery.kind), [])
        recipients.extend(r for r in delivery.recipients if r not in recipients)
    return [Delivery(f, tuple(r), d, k) for (f, d, k), r in merged.items()]
