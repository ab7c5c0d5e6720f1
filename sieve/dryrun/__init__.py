"""Dry runs: what a script would do to every message of a mailbox, run in parallel.

`worker` runs messages in one process and gives one `MessageReport` per message; `runner`
spreads them over worker processes and hands the reports back in input order; `summary`
folds the reports into the table `sieve run --maildir` prints; `output` writes the
per-message JSON lines and CSV, and the progress bar; `command` is the `sieve run` glue.
The mailbox readers themselves are in `sieve.runtime.mailbox`.
"""

from __future__ import annotations

from sieve.dryrun.runner import Runner, run_messages
from sieve.dryrun.summary import Summary
from sieve.dryrun.worker import MessageReport, RunSettings, ScriptSpec, Worker

__all__ = [
    "MessageReport",
    "Runner",
    "RunSettings",
    "ScriptSpec",
    "Summary",
    "Worker",
    "run_messages",
]
