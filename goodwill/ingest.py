"""The ingest pipeline over an inbox: read, extract, anonymize, measure, draft, write.

Threads stream through: the reader yields one at a time, the CPU-heavy middle
(reply extraction, anonymization) runs in worker processes so both cores work,
and the main process alone writes, in order, so the content folder is never
raced. A bad file becomes one error line; the rest of the inbox goes on.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from goodwill import content
from goodwill.anonymize import Policy, anonymize
from goodwill.drafts import Draft, make_draft
from goodwill.mail import read_inbox
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


# Worker processes receive the settings and key once, not with every thread.
_worker_state: tuple[Settings, bytes] | None = None


def _init_worker(settings: Settings, key: bytes) -> None:
    global _worker_state
    _worker_state = (settings, key)


def _work(thread: Thread) -> Processed | str:
    assert _worker_state is not None
    return _process_or_error(thread, *_worker_state)


def _process_or_error(thread: Thread, settings: Settings, key: bytes) -> Processed | str:
    try:
        return process_thread(thread, settings, key)
    except Exception as exc:  # one thread's bug must not stop the inbox
        return (
            f"{thread.source}: could not be processed ({type(exc).__name__}: {exc}); "
            "please report this thread's shape (not its content) as a bug"
        )


def _pipeline(
    items: Iterable[Thread | InboxError], settings: Settings, key: bytes, workers: int
) -> Iterator[Processed | str]:
    """Processed threads (or error lines), in inbox order, with a bounded queue in flight."""
    if workers <= 1:
        for item in items:
            yield (
                str(item)
                if isinstance(item, InboxError)
                else _process_or_error(item, settings, key)
            )
        return
    pending: deque[Future[Processed | str] | str] = deque()
    limit = workers * 8
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(settings, key)) as pool:
        for item in items:
            pending.append(str(item) if isinstance(item, InboxError) else pool.submit(_work, item))
            while len(pending) > limit:
                yield _resolve(pending.popleft())
        while pending:
            yield _resolve(pending.popleft())


def _resolve(entry: Future[Processed | str] | str) -> Processed | str:
    return entry if isinstance(entry, str) else entry.result()


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
    """Ingest every thread under ``paths`` into ``content_dir``; returns what happened."""
    content_dir = content_dir or settings.content_dir
    index = content.scan(content_dir)
    excluded = content.excluded_threads(content_dir)
    report = Report()
    rows: list[LedgerRow] = []
    workers = workers or min(2, os.cpu_count() or 1)

    def unseen() -> Iterator[Thread | InboxError]:
        # A thread whose raw bytes were ingested before is skipped before any work is done.
        for item in read_inbox(paths, settings):
            if isinstance(item, Thread) and (item.digest in index.sources or item.key in excluded):
                report.threads += 1
                known = item.key in excluded and item.digest not in index.sources
                report.actions["excluded" if known else content.Action.SKIP.value] += 1
                if on_thread:
                    on_thread()
                continue
            yield item

    for outcome in _pipeline(unseen(), settings, key, workers):
        if on_thread:
            on_thread()
        if isinstance(outcome, str):
            report.errors.append(outcome)
            continue
        report.threads += 1
        planned = content.plan(outcome.draft, index, content_dir)
        report.actions[planned.action.value] += 1
        if dry_run:
            report.results.append(_as_json(outcome, planned))
            index.sources.add(outcome.draft.metadata["Source"])
            continue
        content.apply(planned, outcome.draft, index)
        rows.append(outcome.row)
        if planned.action is not content.Action.SKIP:
            report.written.append(str(planned.path))
        if planned.action is content.Action.BESIDE:
            report.beside.append(str(planned.path))
    if not dry_run and rows:
        content.update_ledger(content_dir / content.LEDGER, rows)
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
        "redactions": dict(Counter(r.kind for r in outcome.draft.redactions)),
    }
