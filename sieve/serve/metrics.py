"""Counters for the service, served in the Prometheus text exposition format (version
0.0.4) by a tiny asyncio HTTP server: one GET, one answer, connection closed."""

from __future__ import annotations

import asyncio
from collections import Counter

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Monotonic counters plus a latency histogram; all updated from the event loop."""

    def __init__(self) -> None:
        self.messages: Counter[str] = Counter()  # by outcome: accepted, refused, deferred
        self.actions: Counter[str] = Counter()  # by action type
        self.limits = 0
        self.errors: Counter[str] = Counter()  # by kind: script, relay, timeout
        self.script_reload_failures = 0
        self._buckets = [0] * len(_LATENCY_BUCKETS)
        self._latency_sum = 0.0
        self._latency_count = 0

    def observe(self, seconds: float) -> None:
        self._latency_sum += seconds
        self._latency_count += 1
        for index, bound in enumerate(_LATENCY_BUCKETS):
            if seconds <= bound:
                self._buckets[index] += 1

    def render(self) -> str:
        lines = [
            "# HELP sieve_messages_total Messages handled, by outcome.",
            "# TYPE sieve_messages_total counter",
        ]
        lines += [
            f'sieve_messages_total{{outcome="{k}"}} {v}' for k, v in sorted(self.messages.items())
        ]
        lines += [
            "# HELP sieve_actions_total Actions the scripts took, by type.",
            "# TYPE sieve_actions_total counter",
        ]
        lines += [f'sieve_actions_total{{type="{k}"}} {v}' for k, v in sorted(self.actions.items())]
        lines += [
            "# HELP sieve_limits_total Script runs stopped by a limit.",
            "# TYPE sieve_limits_total counter",
            f"sieve_limits_total {self.limits}",
            "# HELP sieve_errors_total Errors, by kind.",
            "# TYPE sieve_errors_total counter",
        ]
        lines += [f'sieve_errors_total{{kind="{k}"}} {v}' for k, v in sorted(self.errors.items())]
        lines += [
            "# HELP sieve_script_reload_failures Script versions that failed to compile.",
            "# TYPE sieve_script_reload_failures gauge",
            f"sieve_script_reload_failures {self.script_reload_failures}",
            "# HELP sieve_message_seconds Time from end of DATA to the reply.",
            "# TYPE sieve_message_seconds histogram",
        ]
        for bound, count in zip(_LATENCY_BUCKETS, self._buckets, strict=True):
            lines.append(f'sieve_message_seconds_bucket{{le="{bound}"}} {count}')
        lines += [
            f'sieve_message_seconds_bucket{{le="+Inf"}} {self._latency_count}',
            f"sieve_message_seconds_sum {self._latency_sum:.6f}",
            f"sieve_message_seconds_count {self._latency_count}",
        ]
        return "\n".join(lines) + "\n"


async def start_metrics_server(metrics: Metrics, host: str, port: int) -> asyncio.Server:
    """Answers any request with the metrics; reads at most one request head, briefly."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            body = metrics.render().encode()
            writer.write(
                b"HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port, limit=8192)
