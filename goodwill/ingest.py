"""The ingest pipeline over an inbox: read, extract, anonymize, measure, draft, write.

Threads stream through. The main process walks the inbox and reads headers only
(``goodwill.mail.plan_inbox``: where each thread's messages are); worker processes
read and parse the messages, recover quoted history, extract, anonymize, measure
and render each draft, so every core does the costly part; the main process alone
plans and writes, in inbox order, so the content folder is never raced. At most a
few batches of jobs are in flight, so memory stays flat however large the inbox.
A bad file becomes one error line naming it; the rest of the inbox goes on.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goodwill import content, detectors, pseudonyms
from goodwill.anonymize import Policy, anonymize
from goodwill.drafts import Draft, make_draft
from goodwill.mail import Job, job_digest, plan_inbox, read_job
from goodwill.metrics import measure
from goodwill.model import LedgerRow, Thread
from goodwill.problems import InboxError
from goodwill.replies import extract_reply
from goodwill.roles import assign_roles
from goodwill.settings import Settings


@dataclass(slots=True)
class Processed:
    """One thread after the pure part of the pipeline: nothing personal is left in it."""

    source: str  # the inbox path: shown to the founder locally, never written to content/
    draft: Draft
    row: LedgerRow
    turns: list[dict[str, Any]]
    dated: bool
    # (draft text, redactions record) as ``content.render`` makes them under the draft's
    # own stem: rendered where the thread was processed, so the writer only writes.
    rendered: tuple[str, str] | None = None


@dataclass(slots=True)
class Report:
    threads: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # paths of drafts written, for messages
    beside: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)  # --json, dry-run

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        a = self.actions
        parts = [
            f"{a['new']} new draft{'s' if a['new'] != 1 else ''}",
            f"{a['updated']} updated",
            f"{a['beside']} written beside an edited draft",
            f"{a['skipped']} unchanged",
        ]
        if a["older"]:
            copies = "copy" if a["older"] == 1 else "copies"
            parts.append(f"{a['older']} older {copies} of a drafted thread left out")
        if a["excluded"]:
            parts.append(f"{a['excluded']} rejected or withdrawn before, left out")
        noun = "thread" if self.threads == 1 else "threads"
        return (
            f"{self.threads} {noun} read: {', '.join(parts)}; "
            f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}."
        )


def policy_for(settings: Settings) -> Policy:
    return Policy(
        style=settings.pseudonym_style,
        staff=dict(settings.staff),
        staff_label=settings.staff_label,
        products=list(settings.products),
    )


def process_thread(thread: Thread, settings: Settings, key: bytes) -> Processed:
    """Everything between reading a thread and writing its draft; pure, so it can run anywhere."""
    texts = [extract_reply(m.body) for m in thread.messages]
    roles = assign_roles(thread.messages, settings.staff)
    anonymized = anonymize(thread, texts, roles, policy_for(settings), key)
    sent = [m.sent for m in thread.messages]
    metrics = measure(roles, sent, texts, settings.pledge_rules)
    dates = [s for s in sent if s is not None]
    when = min(dates) if dates else (thread.file_time or datetime.now(UTC))
    draft = make_draft(
        anonymized,
        metrics,
        thread_key=thread.key,
        source_digest=thread.digest,
        when=when,
        products=settings.products,
    )
    row = LedgerRow(
        thread=thread.key,
        source=thread.digest,
        date=when,
        first_reply_minutes=metrics.first_reply_minutes,
        resolution_minutes=metrics.resolution_minutes,
        customer_messages=metrics.customer_messages,
        staff_messages=metrics.staff_messages,
        pledges=tuple(metrics.pledges),
        dated=metrics.dated,
    )
    turns = [
        {
            "role": t.role.value,
            "author": t.author,
            "sent": t.sent.isoformat() if t.sent else None,
            "text": t.text,
        }
        for t in anonymized.turns
    ]
    return Processed(thread.source, draft, row, turns, metrics.dated)


@dataclass(frozen=True, slots=True)
class Known:
    """A thread found, once read, to be ingested before (or excluded): nothing to write."""

    excluded: bool  # rejected or withdrawn before, rather than unchanged


Outcome = Processed | Known | str  # str: one error line, naming the file


@dataclass(frozen=True, slots=True)
class _Context:
    """What a worker needs besides the jobs: sent to each process once, not with every job."""

    settings: Settings
    key: bytes
    sources: frozenset[str]  # digests of threads already drafted: skipped once read
    excluded: content.Exclusions  # rejected or withdrawn (by key or digest): never again
    ledgered: frozenset[str] = frozenset()  # thread keys the ledger has a row for
    dry_run: bool = False  # --json needs turns and redactions; writing needs only the text

    def known(self, thread: Thread) -> Known | None:
        """Known when there is nothing to do for ``thread``; None when it must be processed.

        A drafted thread whose ledger row is missing (a run stopped before the ledger was
        written) is processed again, so its row comes back; its draft is left as it is.
        """
        drafted = thread.digest in self.sources
        if self.excluded.covers(thread.key, thread.digest):
            return Known(excluded=not drafted)
        if drafted and thread.key in self.ledgered:
            return Known(excluded=False)
        return None


def _read_and_process(jobs: list[Job], ctx: _Context) -> list[Outcome]:
    """Read, extract, anonymize, measure and render a few jobs' threads, in order.

    This is the costly part of ingest, so it runs in the worker processes; only what can
    be written (text, ledger row, report figures) goes back to the main process.
    """
    out: list[Outcome] = []
    for job in jobs:
        for item in read_job(job, ctx.settings):
            if isinstance(item, InboxError):
                out.append(str(item))
            else:
                out.append(ctx.known(item) or _process_or_error(item, ctx))
    return out


def _process_or_error(thread: Thread, ctx: _Context) -> Processed | str:
    try:
        done = process_thread(thread, ctx.settings, ctx.key)
        done.rendered = (content.render(done.draft), content.redactions_json(done.draft.redactions))
        if not ctx.dry_run:
            # Sent back to the main process, which only writes: the rendered record stands
            # for the redactions, and the turns are for --json alone.
            done.draft.redactions = []
            done.turns = []
        return done
    except Exception as exc:  # one thread's bug must not stop the inbox
        return (
            f"{thread.source}: could not be processed ({type(exc).__name__}: {exc}); "
            "please report this thread's shape (not its content) as a bug"
        )


# Worker processes receive the context once, not with every job.
_worker_context: _Context | None = None


def _init_worker(ctx: _Context) -> None:
    global _worker_context
    _worker_context = ctx


def _work(jobs: list[Job]) -> list[Outcome]:
    assert _worker_context is not None
    return _read_and_process(jobs, _worker_context)


# Jobs go to a worker 32 at a time, so queue traffic and the executor's bookkeeping in the
# main process (which shares the two cores with the workers) are paid per batch: its
# threads took 0.25 s of CPU per 2,000 threads in batches of 4, 0.12 s in batches of 16;
# the main process's CPU per 5,000 threads went from 1.2 s (16) to 1.16 s (32) and 1.1 s
# (64, which leaves a longer last batch to one core).
_BATCH = 32
# Batches per worker sent ahead: with two, the workers waited for the main thread while
# the planning thread held the interpreter (measured at the end of the walk); six keep
# half a second of work queued on two cores. Finished batches behind a slow one wait to be
# written in order: at most four times this many are sent and not yet written.
_IN_FLIGHT_PER_WORKER = 6


Planned = Job | InboxError | Known


def _skip_known(items: Iterable[Job | InboxError], ctx: _Context) -> Iterator[Planned]:
    """Jobs whose thread needs no work are Known here, in the main process, unparsed.

    A re-run over an unchanged inbox used to parse every thread in the workers only to skip
    it; a mail thread's digest is known from its raw bytes (``mail.job_digest``) and a
    helpdesk thread is read whole by the planner. Pastes are still read by the workers:
    their digest is over the messages the paste reader finds.
    """
    for item in items:
        if isinstance(item, Job) and ctx.sources:
            if item.thread is not None:
                known = ctx.known(item.thread)
            else:
                digest = job_digest(item)
                drafted = digest is not None and digest in ctx.sources
                # Only "unchanged" is decided here: the planned key is the headers' guess, so
                # a missing ledger row or an exclusion is left to the worker, which is sure.
                known = Known(excluded=False) if drafted and item.key in ctx.ledgered else None
            if known is not None:
                yield known
                continue
        yield item


def _batches(items: Iterable[Planned]) -> Iterator[list[Job] | InboxError | Known]:
    batch: list[Job] = []
    for item in items:
        if isinstance(item, Known):
            yield item  # nothing to do: only counted, so it need not wait for the batch
            continue
        if isinstance(item, InboxError):
            if batch:
                yield batch
                batch = []
            yield item
            continue
        batch.append(item)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _pipeline(items: Iterable[Job | InboxError], ctx: _Context, workers: int) -> Iterator[Outcome]:
    """Every thread's outcome, in inbox order, with a bounded number of jobs in flight.

    The main process only walks the inbox and reads headers (``plan_inbox``); reading the
    messages and everything after it happens in the workers, on every core.
    """
    planned = _skip_known(items, ctx)
    if workers <= 1:
        for item in planned:
            if isinstance(item, InboxError):
                yield str(item)
            elif isinstance(item, Known):
                yield item
            else:
                yield from _read_and_process([item], ctx)
        return
    pool: ProcessPoolExecutor | None = None  # started at the first job: a re-run may have none
    walk = _Walk()
    planner = threading.Thread(
        target=_plan_ahead, args=(_batches(planned), walk), name="goodwill-plan", daemon=True
    )
    planner.start()
    flow = _Flow(workers * _IN_FLIGHT_PER_WORKER, on_send=walk.room.release)
    try:
        while True:
            event = walk.events.get()
            if event is _PLANNED:
                break
            if isinstance(event, BaseException):
                raise event
            if isinstance(event, list) and pool is None:
                pool = _start_pool(workers, ctx)
                flow.submit = functools.partial(_submit, pool, walk.events)
                flow.add(event)  # forks the workers
                walk.forked.set()  # the walk may go on: no lock of its was copied mid-use
                gc.unfreeze()  # `goodwill watch` ingests again and again in one process
            elif event is not _DONE:
                flow.add(event)
            yield from flow.ready()
        yield from flow.drain()
    finally:
        walk.stop.set()
        walk.forked.set()
        # The walk ends at its next entry: none outlives this ingest (`goodwill watch` forks
        # the next one's workers, which must not copy a lock a walk still holds).
        planner.join()
        if pool is not None:
            pool.shutdown(cancel_futures=True)


# Events from the planning thread and the workers to the main thread's loop in _pipeline.
_PLANNED = object()  # the inbox is walked: nothing more will be planned
_DONE = object()  # a worker finished a batch: one is free for the next
# Batches planned but not yet sent: a helpdesk export's jobs carry their whole threads, so
# the walk may not run further ahead than this (64 x 32 threads).
_AHEAD = 64


@dataclass
class _Walk:
    """What the planning thread and the main thread share."""

    events: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    stop: threading.Event = field(default_factory=threading.Event)
    forked: threading.Event = field(default_factory=threading.Event)  # the workers exist
    room: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(_AHEAD))


def _plan_ahead(entries: Iterator[Entry], walk: _Walk) -> None:
    """Walk the inbox in a thread of its own, so the workers are fed while it reads headers.

    The walk reads every mailbox before the first mail thread can be sent, a few hundred
    milliseconds in one go at the end of a large inbox; the thread that sends jobs and
    writes drafts must not be the one reading them, or both workers wait (measured: 0.2
    to 0.5 s of both cores idle per 5,000 threads). It pauses after the first batch until
    the workers are forked (a fork copies whatever lock this thread holds at that moment,
    an import's say, held for ever in the child), and runs at most ``_AHEAD`` batches
    ahead of the workers.
    """
    first = True
    try:
        for entry in entries:
            if isinstance(entry, list):
                while not walk.room.acquire(timeout=0.1):
                    if walk.stop.is_set():
                        return
            if walk.stop.is_set():
                return
            walk.events.put(entry)
            if first and isinstance(entry, list):
                first = False
                walk.forked.wait()
    except BaseException as exc:  # raised again in the main thread, which reports it
        walk.events.put(exc)
        return
    walk.events.put(_PLANNED)


def _submit(
    pool: ProcessPoolExecutor, events: queue.SimpleQueue[Any], jobs: list[Job]
) -> Future[list[Outcome]]:
    future = pool.submit(_work, jobs)
    future.add_done_callback(lambda _: events.put(_DONE))
    return future


Entry = list[Job] | InboxError | Known


class _Flow:
    """Planned entries on their way to the workers and back, outcomes out in inbox order.

    Planning runs ahead of the workers (``_plan_ahead``): an entry planned while every
    worker is busy is held here, not waited for; at most ``_AHEAD`` batches of them, as a
    helpdesk job carries its whole thread.
    """

    def __init__(self, limit: int, on_send: Callable[[], None] = lambda: None) -> None:
        self.limit = limit  # batches being worked on at once
        self.on_send = on_send  # told of each batch sent: the walk may plan one more
        self.submit: Callable[[list[Job]], Future[list[Outcome]]] | None = None
        self.held: deque[Entry] = deque()  # planned, not yet sent
        self.pending: deque[Future[list[Outcome]] | str | Known] = deque()  # sent, in order

    def add(self, entry: Entry) -> None:
        self.held.append(entry)
        self._send()

    def _busy(self) -> int:
        return sum(1 for f in self.pending if isinstance(f, Future) and not f.done())

    def _send(self) -> None:
        """Send held entries in order while a worker is free (finished batches do not count:
        one slow batch at the head must not leave the other worker idle behind it)."""
        busy = self._busy()
        while self.held and len(self.pending) < 4 * self.limit:
            entry = self.held[0]
            if isinstance(entry, list):
                if busy >= self.limit or self.submit is None:
                    return
                busy += 1
                self.pending.append(self.submit(entry))
                self.on_send()
            else:
                self.pending.append(str(entry) if isinstance(entry, InboxError) else entry)
            self.held.popleft()

    def ready(self) -> Iterator[Outcome]:
        """Outcomes already done at the head, without waiting; a worker that finished
        behind an unfinished head is given the next batch first."""
        self._send()
        while self.pending:
            head = self.pending[0]
            if isinstance(head, Future) and not head.done():
                return
            yield from _resolve(self.pending.popleft())
            self._send()

    def drain(self) -> Iterator[Outcome]:
        """Everything left, waiting for the workers: planning is over."""
        while self.pending or self.held:
            yield from self.ready()
            unfinished = [f for f in self.pending if isinstance(f, Future) and not f.done()]
            if unfinished:
                wait(unfinished, return_when=FIRST_COMPLETED)
            elif self.held:  # ``ready`` sent what it could: with nothing in flight, no pool
                raise RuntimeError("ingest: jobs planned but no worker to send them to")


def _start_pool(workers: int, ctx: _Context) -> ProcessPoolExecutor:
    """Worker processes that start with what every thread needs already in memory.

    Forked workers inherit the lexicon and phone metadata loaded here, rather than each
    reading its own; and what was loaded before the fork is frozen out of the garbage
    collector, whose passes would otherwise touch (and so copy) every inherited page.
    """
    if multiprocessing.get_start_method() == "fork":
        detectors.preload()
        pseudonyms.first_names()
        gc.freeze()
    return ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(ctx,))


def _resolve(entry: Future[list[Outcome]] | str | Known) -> list[Outcome]:
    return entry.result() if isinstance(entry, Future) else [entry]


def ingest(
    paths: Iterable[Path],
    settings: Settings,
    key: bytes,
    *,
    content_dir: Path | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    on_thread: Callable[[], None] | None = None,
) -> Report:
    """Ingest every thread under ``paths`` into ``content_dir``; returns what happened.

    Raises ``content.ContentError`` for a ledger it cannot read, before anything is written.
    """
    content_dir = content_dir or settings.content_dir
    ledger = content.load_ledger(content_dir / content.LEDGER)
    index = content.scan(content_dir)
    report = Report()
    rows: list[LedgerRow] = []
    workers = workers or min(2, os.cpu_count() or 1)
    ctx = _Context(
        settings,
        key,
        frozenset(index.sources),
        content.read_exclusions(content_dir),
        frozenset(ledger),
        dry_run,
    )

    for outcome in _pipeline(plan_inbox(paths, settings), ctx, workers):
        if on_thread:
            on_thread()
        if isinstance(outcome, str):
            report.errors.append(outcome)
            continue
        report.threads += 1
        if isinstance(outcome, Known):
            report.actions["excluded" if outcome.excluded else content.Action.SKIP.value] += 1
            continue
        planned = content.plan(outcome.draft, index, content_dir)
        report.actions[planned.action.value] += 1
        if dry_run:
            report.results.append(_as_json(outcome, planned))
            index.sources.add(outcome.draft.metadata["Source"])
            continue
        if planned.action is content.Action.OLDER:
            continue  # the draft and its ledger row keep the fuller version
        content.apply(planned, outcome.draft, index, outcome.rendered)
        rows.append(outcome.row)
        if planned.action is not content.Action.SKIP:
            report.written.append(str(planned.path))
        if planned.action is content.Action.BESIDE:
            report.beside.append(str(planned.path))
    if not dry_run and rows:
        content.update_ledger(content_dir / content.LEDGER, rows, ledger)
    return report


def _as_json(outcome: Processed, planned: content.Plan) -> dict[str, Any]:
    meta = outcome.draft.metadata
    return {
        "source": outcome.source,
        "action": planned.action.value,
        "draft": str(planned.path),
        "title": meta["Title"],
        "customer": meta["Customer"],
        "quote": meta["Quote"],
        "messages": outcome.turns,
        "metrics": {
            "first_reply_minutes": outcome.row.first_reply_minutes,
            "resolution_minutes": outcome.row.resolution_minutes,
            "customer_messages": outcome.row.customer_messages,
            "staff_messages": outcome.row.staff_messages,
            "dated": outcome.dated,
            "pledges": list(outcome.row.pledges),
        },
        "redactions": dict(Counter(r.kind for r in outcome.draft.redactions if r.replacement)),
    }
