"""`sieve run SCRIPT --maildir DIR | --mbox FILE | FOLDER...`: the dry-run side of `sieve run`.

`sieve.run_command` parses the options, loads the scripts and calls `run_mailboxes`. With
`--format text` the summary table goes to stdout; with `--format json` or `csv` stdout gets
one record per message (in input order) and the summary goes to stderr, where a person
still sees it. The progress bar is drawn on stderr only when stderr is a terminal. Exit
status: 0 when every message ran cleanly, 1 when one failed, hit a limit or was broken,
2 when a mailbox cannot be opened or the settings are wrong; 130 after Ctrl-C (the
summary then covers the messages run so far) and 141 when the reader of stdout went away.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain
from typing import Any, TextIO

from sieve.dryrun.output import CsvWriter, Progress, write_json
from sieve.dryrun.runner import Runner
from sieve.dryrun.summary import Summary
from sieve.dryrun.worker import MessageReport, RunSettings, ScriptSpec, Worker
from sieve.mapping.options import mapping_settings
from sieve.run_command import mapping_errors
from sieve.runtime.limits import Limits
from sieve.runtime.mailbox import (
    EmlFolder,
    MailboxError,
    Maildir,
    MailItem,
    Mbox,
    MessageFile,
    open_mailbox,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141  # 128 + SIGINT, 128 + SIGPIPE


class _Stdin:
    """A message on standard input, as a mailbox of one."""

    total: int | None = 1

    def __iter__(self) -> Iterator[MailItem]:
        yield MailItem("<stdin>", data=sys.stdin.buffer.read())


Mailbox = MessageFile | Maildir | EmlFolder | Mbox | _Stdin


def open_mailboxes(args: argparse.Namespace, messages: Sequence[str]) -> list[Mailbox]:
    """Every mailbox to read, in the order given: --maildir, --mbox, then the messages
    and folders named as arguments. Raises MailboxError."""
    found: list[Mailbox] = [Maildir(path) for path in args.maildir]
    found += [Mbox(path, args.max_message_size) for path in args.mbox]
    found += [_Stdin() if name == "-" else open_mailbox(name) for name in messages]
    return found


def settings_from(
    args: argparse.Namespace,
    scripts: Sequence[tuple[str, Any]],
    limits: Limits,
    environment: dict[str, str],
    now: datetime | None,
    script_dir: str,
) -> RunSettings:
    """The workers' settings from the parsed options and the loaded (level, script) pairs."""
    return RunSettings(
        scripts=tuple(
            ScriptSpec(level, script.name, script.to_bytes()) for level, script in scripts
        ),
        limits=limits,
        mail_from=args.mail_from,
        rcpt_to=args.rcpt_to,
        orig_to=args.orig_to,
        auth=args.auth,
        environment=environment,
        now=now,
        script_dir=script_dir,
        mapping=mapping_settings(args),
        trace=args.trace,
        max_message_size=args.max_message_size,
    )


def _progress(mailboxes: Sequence[Mailbox]) -> Progress | None:
    if not sys.stderr.isatty():
        return None
    totals = [getattr(box, "total", None) for box in mailboxes]
    if all(total is not None for total in totals):
        return Progress(sys.stderr, sum(totals))
    if all(isinstance(box, Mbox) for box in mailboxes):
        size = sum(box.size for box in mailboxes) or 1
        return Progress(sys.stderr, None, lambda: sum(box.bytes_read for box in mailboxes) / size)
    return Progress(sys.stderr, None)


def run_mailboxes(
    args: argparse.Namespace,
    sources: dict[str, list[str]],
    settings: RunSettings,
    messages: Sequence[str],
) -> int:
    """Runs every message of the mailboxes, writes the records and the summary; returns
    the exit status. `sources` holds the source lines of each script by label ("" or the
    hierarchy level), to show the rules that fired."""
    try:
        mailboxes = open_mailboxes(args, messages)
    except MailboxError as error:
        print(f"sieve run: {error}", file=sys.stderr)
        if error.hint:
            print(f"    hint: {error.hint}", file=sys.stderr)
        return EXIT_USAGE
    try:
        worker = Worker(settings)
    except (ValueError, OSError, *mapping_errors(args)) as error:
        print(f"sieve run: {error}", file=sys.stderr)
        return EXIT_USAGE
    runner = Runner(settings, args.jobs, worker=worker)
    # This process is ours: what exists now (modules, the loaded scripts) is shared with
    # forked workers, and frozen, their garbage collections skip it instead of touching
    # (copying) its pages. The library's Runner leaves the caller's collector alone.
    gc.freeze()
    _never_fail_to_print(sys.stdout, sys.stderr)
    items: Iterable[MailItem] = chain.from_iterable(mailboxes)
    summary = Summary()
    progress = _progress(mailboxes)
    write = _writer(args.format, sys.stdout)
    started = time.perf_counter()
    interrupted = False
    # Text output is the summary alone: the workers count, and send counts, not reports.
    results: Iterator[Any] = runner.summaries(items) if write is _ignore else runner.run(items)
    try:
        for answer in results:
            if isinstance(answer, Summary):
                summary.merge(answer)
            else:
                for report in answer:
                    summary.add(report)
                    write(report)
            if progress is not None:
                progress.update(summary.messages)
    except KeyboardInterrupt:
        interrupted = True
    except BrokenPipeError:
        # The reader of the records went away (`| head`): stop quietly, as `cat` would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        results.close()  # stops the worker processes now, not when collected
        if progress is not None:
            progress.clear()
    sys.stdout.flush()
    stream: TextIO = sys.stdout if args.format == "text" else sys.stderr
    seconds = time.perf_counter() - started
    summary.render(stream, seconds=seconds, processes=runner.processes, sources=sources)
    if interrupted:
        print("\ninterrupted: the summary covers the messages run so far", file=stream)
        return EXIT_INTERRUPTED
    return EXIT_CLEAN if summary.problem_count == 0 else EXIT_FINDINGS


def _never_fail_to_print(*streams: TextIO) -> None:
    """Names and headers come from the mailbox: a file name that is not UTF-8 or a header
    the terminal's encoding lacks is escaped, rather than ending the run."""
    for stream in streams:
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _writer(kind: str, stream: TextIO) -> Any:
    if kind == "json":
        return lambda report: write_json(report, stream)
    if kind == "csv":
        return CsvWriter(stream).write
    return _ignore


def _ignore(report: MessageReport) -> None:
    """Text output prints the summary only."""
