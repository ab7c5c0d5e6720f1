"""Running a script over many messages on every core, with the results in input order.

Each worker process gets the settings once (the scripts as `.svbc` bytes, not Programs:
loading the binary is cheaper than compiling, and the bytes pickle with any start method),
builds its own `Worker` (and so its own Host) and runs chunks of messages; the parent sends
chunks and takes the answers back in order (every message's report, or with `summaries` just
each chunk's Summary, which spares the parent unpickling and counting thousands of reports
while it shares the cores with the workers), keeping only a few chunks in flight so that a
mailbox of any size streams through in bounded memory. A mailbox of at most
`SMALL_RUN_CHUNKS` chunks, or `jobs=1`, runs in the calling process, which saves starting
processes for a handful of messages.

A worker process that dies (killed, out of memory) is replaced; the messages it held are
run again one by one, and the one it dies on again is reported broken.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice
from typing import Any

from sieve.dryrun.summary import Summary
from sieve.dryrun.worker import BROKEN, MessageReport, RunSettings, Worker
from sieve.runtime.mailbox import MailItem

CHUNK_MESSAGES = 32
CHUNK_BYTES = 4 * 1024 * 1024
# A mailbox of at most this many chunks runs in the calling process.
SMALL_RUN_CHUNKS = 2
# Chunks in flight per worker: enough that no worker waits for the parent, few enough
# that an mbox read ahead stays small.
WINDOW_PER_JOB = 3


_PROCESS_WORKER: Worker | None = None


def _start_worker(settings: RunSettings) -> None:
    global _PROCESS_WORKER
    import contextlib
    import io
    import signal

    # Ctrl-C reaches the whole process group: the parent stops the run and the pool, and
    # workers must not die mid-chunk with a traceback each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # The parent already printed what loading the mapping file had to say.
    with contextlib.redirect_stderr(io.StringIO()):
        _PROCESS_WORKER = Worker(settings)


def _run_in_worker(chunk: list[tuple[int, MailItem]]) -> list[MessageReport]:
    assert _PROCESS_WORKER is not None, "every worker starts with _start_worker"
    return _PROCESS_WORKER.run_chunk(chunk)


def _summarize_in_worker(chunk: list[tuple[int, MailItem]]) -> Summary:
    return Summary.of(_run_in_worker(chunk))


def _context() -> Any:
    # fork starts a worker in milliseconds with sieve already imported; elsewhere the
    # platform's default (spawn) works too, since the settings pickle.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


Chunk = list[tuple[int, MailItem]]


def chunks(
    items: Iterable[MailItem],
    size: int = CHUNK_MESSAGES,
    max_bytes: int = CHUNK_BYTES,
    start: int = 1,
) -> Iterator[Chunk]:
    """Numbered items (from `start`) in lists of at most `size` items or `max_bytes` of
    message data carried along (mbox items carry theirs; file items only a name)."""
    chunk: Chunk = []
    carried = 0
    for index, item in enumerate(items, start):
        chunk.append((index, item))
        carried += len(item.data) if item.data is not None else 0
        if len(chunk) >= size or carried >= max_bytes:
            yield chunk
            chunk, carried = [], 0
    if chunk:
        yield chunk


class _OrderedPool:
    """Worker processes fed a bounded window of chunks, answering in submission order:
    each chunk's reports, or its Summary when `summarize` is set."""

    def __init__(self, settings: RunSettings, jobs: int, *, summarize: bool = False) -> None:
        self.settings = settings
        self.jobs = jobs
        self.window = jobs * WINDOW_PER_JOB
        self.task: Any = _summarize_in_worker if summarize else _run_in_worker
        self.shape: Any = Summary.of if summarize else list
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=_context(),
            initializer=_start_worker,
            initargs=(self.settings,),
        )

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def map(self, work: Iterable[Chunk]) -> Iterator[Any]:
        pending: deque[tuple[Chunk, Future[Any]]] = deque()
        for chunk in work:
            pending.append((chunk, self._submit(chunk)))
            while len(pending) >= self.window:
                yield self._answer(pending)
        while pending:
            yield self._answer(pending)

    def _answer(self, pending: deque[tuple[Chunk, Future[Any]]]) -> Any:
        chunk, future = pending.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        except Exception as error:  # the chunk's answer did not come back; say so per message
            problem = f"internal error: {type(error).__name__}: {error}"
            return self.shape(
                MessageReport(index, item.name, BROKEN, problem=problem) for index, item in chunk
            )
        # A worker died. Start new ones, run this chunk a message at a time to find the
        # message it dies on, then hand the chunks still waiting to the new workers.
        self._restart()
        reports = [self._alone(index, item) for index, item in chunk]
        for position, (waiting, waiting_future) in enumerate(pending):
            if not _answered(waiting_future):
                pending[position] = (waiting, self._submit(waiting))
        return self.shape(reports)

    def _submit(self, chunk: Chunk, task: Any = None) -> Future[Any]:
        """The chunk sent to a worker; when the pool has already broken, a future holding
        that failure, dealt with when its turn comes."""
        try:
            return self.executor.submit(task or self.task, chunk)
        except BrokenProcessPool as error:
            failed: Future[Any] = Future()
            failed.set_exception(error)
            return failed

    def _alone(self, index: int, item: MailItem) -> MessageReport:
        try:
            return self._submit([(index, item)], _run_in_worker).result()[0]
        except BrokenProcessPool:
            self._restart()
            return MessageReport(
                index, item.name, BROKEN, problem="the worker process died on this message"
            )

    def _restart(self) -> None:
        # A broken pool has already stopped its workers; waiting for its manager thread
        # to end means no thread is running when the new workers are forked.
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()


def _answered(future: Future[Any]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Runner:
    """Runs mailboxes with the given settings on `jobs` processes (default: every core).
    `processes` says how many worker processes the last run used: 0 when it ran in this
    process (`jobs=1`, or a mailbox too small to be worth starting processes for)."""

    def __init__(
        self,
        settings: RunSettings,
        jobs: int | None = None,
        *,
        worker: Worker | None = None,
        chunk_size: int = CHUNK_MESSAGES,
    ) -> None:
        self.settings = settings
        self.jobs = jobs or default_jobs()
        self.worker = worker
        self.chunk_size = chunk_size
        self.processes = 0

    def run(self, items: Iterable[MailItem]) -> Iterator[list[MessageReport]]:
        """Every item's report, numbered from 1, a chunk at a time, in input order."""
        return self._run(items, summarize=False)

    def summaries(self, items: Iterable[MailItem]) -> Iterator[Summary]:
        """A Summary per chunk, in input order: for callers that want only the counts."""
        return self._run(items, summarize=True)

    def _run(self, items: Iterable[MailItem], *, summarize: bool) -> Iterator[Any]:
        work = chunks(items, self.chunk_size)
        # A few chunks are read ahead: fewer than that run here, faster than starting
        # processes would be.
        head = list(islice(work, SMALL_RUN_CHUNKS + 1)) if self.jobs > 1 else []
        if self.jobs == 1 or len(head) <= SMALL_RUN_CHUNKS:
            self.processes = 0
            local = self.worker or Worker(self.settings)
            self.worker = local
            for chunk in chain(head, work):
                reports = local.run_chunk(chunk)
                yield Summary.of(reports) if summarize else reports
            return
        self.processes = self.jobs
        pool = _OrderedPool(self.settings, self.jobs, summarize=summarize)
        try:
            yield from pool.map(chain(head, work))
        finally:
            pool.close()


def run_messages(
    items: Iterable[MailItem],
    settings: RunSettings,
    jobs: int | None = None,
    *,
    chunk_size: int = CHUNK_MESSAGES,
) -> list[MessageReport]:
    """Every item's report, in input order: `Runner(settings, jobs).run(items)` gathered
    in a list, for callers that want them all."""
    runner = Runner(settings, jobs, chunk_size=chunk_size)
    return [report for reports in runner.run(items) for report in reports]
