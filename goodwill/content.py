"""Content files on disk: drafts, their redaction records and the ledger.

The founder edits drafts by hand, so this module's first duty is never to lose
an edit: each draft carries a fingerprint of the text ingest wrote, and a file
whose text no longer matches it is the founder's and is never overwritten.
Every write goes through a temporary file and ``os.replace``, so a crash leaves
either the old file or the new one, never half of one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

from goodwill.drafts import Draft
from goodwill.model import LedgerRow, Redaction

FINGERPRINT = "Fingerprint"
TESTIMONIALS = "testimonials"
LEDGER = "ledger.csv"
EXCLUDED = "excluded.csv"  # threads rejected or withdrawn: never ingested again
REDACTIONS_SUFFIX = ".redactions.json"
LEDGER_FIELDS = (
    "thread", "source", "date", "first_reply_minutes", "resolution_minutes",
    "customer_messages", "staff_messages", "pledges", "dated",
)  # fmt: skip
_INDEXED = ("Thread", "Source")  # the metadata ``plan`` looks at
# One string as JSON (ensure_ascii=False), by the C encoder; integers are written as JSON
# writes them, with ``str``.
_JSON_STRING = json.encoder.encode_basestring
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s*(.*)$")
_FINGERPRINT_LINE = re.compile(rf"^{FINGERPRINT}:.*\n?", re.MULTILINE)
_TURN_SENT = re.compile(r'<!-- goodwill:turn role="[^"]*" author="[^"]*" sent="([^"]*)" -->')


class ContentError(Exception):
    """A content file that cannot be read as Goodwill expects; the message names it."""


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half of one.

    The text goes to a temporary file beside ``path``, which ``os.replace`` then renames
    over it (atomic on POSIX and Windows). Done with four system calls, no more: ingest
    writes two files per thread and this was a tenth of its time with ``tempfile``.
    """
    data = text.encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(tmp, _CREATE, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, _CREATE, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fingerprint(text: str) -> str:
    """Hash of a draft's text without its own fingerprint line."""
    return hashlib.sha256(_FINGERPRINT_LINE.sub("", text).encode("utf-8")).hexdigest()[:32]


def render(draft: Draft) -> str:
    """The draft as Pelican Markdown, fingerprinted."""
    head = "".join(f"{k}: {v}\n" for k, v in draft.metadata.items() if v != "")
    text = f"{head}\n{draft.body}"
    return text.replace("\n\n", f"\n{FINGERPRINT}: {fingerprint(text)}\n\n", 1)


def parse_metadata(text: str) -> dict[str, str]:
    """Pelican-style ``Key: value`` lines up to the first blank line; keys as written."""
    meta: dict[str, str] = {}
    head = text.partition("\n\n")[0]  # only the head: a long body is never split into lines
    for line in head.splitlines():
        if not line.strip():
            break
        match = _META_LINE.match(line)
        if match:
            meta[match.group(1)] = match.group(2).strip()
    return meta


def split_file(text: str) -> tuple[dict[str, str], str]:
    """A content file's metadata and its body (everything after the first blank line)."""
    head, _, body = text.partition("\n\n")
    return parse_metadata(head), body


def set_metadata(text: str, updates: Mapping[str, str | None]) -> str:
    """The file with fields replaced, added (before the blank line) or removed (None).

    Only the named fields change; every other line, the founder's included, stays as it is.
    """
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    pending = dict(updates)
    out: list[str] = []
    for line in lines:
        match = _META_LINE.match(line)
        key = match.group(1) if match else None
        if key is not None and key in pending:
            value = pending.pop(key)
            if value is not None:
                out.append(f"{key}: {value}")
            continue
        out.append(line)
    out.extend(f"{k}: {v}" for k, v in pending.items() if v is not None)
    return "\n".join(out) + (sep or "\n\n") + body


def is_edited(text: str) -> bool:
    """True when the file is no longer exactly what ingest wrote (or was never fingerprinted)."""
    recorded = parse_metadata(text).get(FINGERPRINT, "")
    return recorded != fingerprint(text)


Extent = tuple[int, datetime | None]  # turns, and the newest turn's time when known


def extent(text: str) -> Extent:
    """How much of its conversation a draft tells: its turns and the newest turn's time."""
    times = []
    turns = 0
    for sent in _TURN_SENT.findall(text):
        turns += 1
        if sent:
            try:
                times.append(datetime.fromisoformat(sent))
            except ValueError:
                continue  # a time the founder edited by hand: the count still tells
    return turns, max(times, default=None)


def is_older(new: Extent, old: Extent) -> bool:
    """Whether ``new`` is an earlier or partial copy of the conversation ``old`` tells.

    Its newest message is older, or it ends at the same message with fewer turns (a copy
    of part of the thread). Without times, fewer turns alone say so.
    """
    (turns, newest), (old_turns, old_newest) = new, old
    if newest is not None and old_newest is not None and newest != old_newest:
        return newest < old_newest
    return turns < old_turns


@dataclass(slots=True)
class Existing:
    path: Path
    meta: dict[str, str]
    edited: bool
    extent: Extent = (0, None)


@dataclass(slots=True)
class ContentIndex:
    """What ``content/testimonials`` already holds, by thread and by source digest."""

    by_thread: dict[str, list[Existing]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)

    def add(self, existing: Existing) -> None:
        thread = existing.meta.get("Thread", "")
        if thread:
            self.by_thread.setdefault(thread, []).append(existing)
        if existing.meta.get("Source"):
            self.sources.add(existing.meta["Source"])
        self.stems.add(existing.path.stem)


def scan(content_dir: Path) -> ContentIndex:
    index = ContentIndex()
    folder = content_dir / TESTIMONIALS
    if not folder.is_dir():
        return index
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        meta = parse_metadata(text)
        index.add(
            Existing(
                path, {k: meta[k] for k in _INDEXED if k in meta}, is_edited(text), extent(text)
            )
        )
    return index


class Action(StrEnum):
    NEW = "new"
    SKIP = "skipped"  # already ingested, unchanged
    UPDATE = "updated"  # the thread grew; the draft was untouched, so it is replaced
    BESIDE = "beside"  # the thread grew but the founder edited the draft: new version beside it
    OLDER = "older"  # an earlier or partial copy of a drafted thread: the draft keeps the whole


@dataclass(slots=True)
class Plan:
    action: Action
    path: Path
    replaces: Path | None = None


def plan(draft: Draft, index: ContentIndex, content_dir: Path) -> Plan:
    """Decide what writing ``draft`` means given what is already there."""
    folder = content_dir / TESTIMONIALS
    source = draft.metadata["Source"]
    existing = index.by_thread.get(draft.metadata["Thread"], [])
    if source in index.sources:
        same = next((e for e in existing if e.meta.get("Source") == source), None)
        return Plan(Action.SKIP, same.path if same else folder)
    if existing:
        current = max(existing, key=lambda e: _version(e.path.stem))
        if is_older(extent(draft.body), current.extent):
            return Plan(Action.OLDER, current.path)
        if not current.edited:
            return Plan(Action.UPDATE, current.path, replaces=current.path)
        base = _VERSION.sub("", current.path.stem)
        return Plan(Action.BESIDE, folder / f"{_free_stem(base, index, '-v', start=2)}.md")
    return Plan(Action.NEW, folder / f"{_free_stem(draft.stem, index, '-')}.md")


_VERSION = re.compile(r"-v(\d+)$")


def _version(stem: str) -> int:
    match = _VERSION.search(stem)
    return int(match.group(1)) if match else 1


def _free_stem(stem: str, index: ContentIndex, joiner: str, start: int = 0) -> str:
    """``stem`` itself when free (unless a suffix is required), else the next numbered one."""
    if not start and stem not in index.stems:
        return stem
    n = start or 2
    while f"{stem}{joiner}{n}" in index.stems:
        n += 1
    return f"{stem}{joiner}{n}"


def apply(
    plan_: Plan, draft: Draft, index: ContentIndex, rendered: tuple[str, str] | None = None
) -> None:
    """Write the draft and its redaction record as planned, and note it in the index.

    ``rendered`` is ``(render(draft), redactions_json(draft.redactions))`` when another
    process already made them; they are used when the plan keeps the draft's own stem
    (the slug is part of the text), and the text is made again here when it does not.
    """
    if plan_.action in (Action.SKIP, Action.OLDER):
        return
    stem = plan_.path.stem
    if rendered is None:
        rendered = ("", redactions_json(draft.redactions))
    text, record = rendered
    if not text or stem != draft.metadata.get("Slug"):
        draft.metadata["Slug"] = stem  # a numbered stem: the slug in the text changes too
        text = render(draft)
    write_atomic(plan_.path, text)
    write_atomic(plan_.path.with_name(stem + REDACTIONS_SUFFIX), record)
    # Only what planning reads is kept: the index grows with every draft of a large inbox.
    meta = draft.metadata
    index.add(
        Existing(plan_.path, {k: meta[k] for k in _INDEXED if k in meta}, False, extent(draft.body))
    )


def redactions_json(redactions: Iterable[Redaction]) -> str:
    """The redactions record: ``json.dumps(..., indent=1, ensure_ascii=False)``'s layout.

    Laid out here, one f-string a record: with ``indent`` the json module falls back to its
    pure-Python encoder, which was a tenth of the CPU spent on a thread outside anonymizing
    (measured), and a join over the fields, value by value, still cost three times this.
    Strings go through the json module's C escaper; offsets and indexes are ints, written bare.
    """
    records = [
        f' {{\n  "kind": {_JSON_STRING(r.kind)},\n  "message": {r.message},\n'
        f'  "start": {r.start},\n  "end": {r.end},\n'
        f'  "replacement": {_JSON_STRING(r.replacement)},\n'
        f'  "digest": {_JSON_STRING(r.digest)}\n }}'
        for r in redactions
    ]
    return ("[\n" + ",\n".join(records) + "\n]\n") if records else "[]\n"


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def ledger_line(row: LedgerRow) -> list[str]:
    return [
        row.thread, row.source, row.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        _fmt(row.first_reply_minutes), _fmt(row.resolution_minutes),
        str(row.customer_messages), str(row.staff_messages), " ".join(row.pledges),
        "yes" if row.dated else "no",
    ]  # fmt: skip


_LEDGER_FIX = (
    "correct or delete that line (ingest adds back the row of every thread it has a draft"
    " for), then run the command again"
)


def _ledger_field(row: dict[str, str | None], name: str) -> str:
    value = row.get(name)
    if value is None:
        raise ValueError(f"no value in column {name}")
    return value


def _ledger_number(row: dict[str, str | None], name: str, kind: type) -> float | None:
    text = _ledger_field(row, name).strip()
    if not text and kind is float:
        return None
    try:
        return kind(text)
    except ValueError:
        what = "a number of minutes" if kind is float else "a whole number"
        raise ValueError(f"{text!r} in column {name} is not {what}") from None


def _ledger_row(row: dict[str, str | None]) -> LedgerRow:
    """One CSV record as a LedgerRow; ValueError says which column holds what."""
    when = _ledger_field(row, "date")
    try:
        date_ = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{when!r} in column date is not a time like 2026-03-04T09:12:00Z"
        ) from None
    if date_.tzinfo is None:
        date_ = date_.replace(tzinfo=UTC)
    thread = _ledger_field(row, "thread")
    if not thread.strip():
        raise ValueError("no thread key in column thread")
    return LedgerRow(
        thread=thread,
        source=_ledger_field(row, "source"),
        date=date_,
        first_reply_minutes=_ledger_number(row, "first_reply_minutes", float),
        resolution_minutes=_ledger_number(row, "resolution_minutes", float),
        customer_messages=int(_ledger_number(row, "customer_messages", int) or 0),
        staff_messages=int(_ledger_number(row, "staff_messages", int) or 0),
        pledges=tuple((row.get("pledges") or "").split()),
        dated=(row.get("dated") or "yes") != "no",
    )


def read_ledger(path: Path) -> Iterator[LedgerRow]:
    """Rows of the ledger; a malformed row is an error naming the file, line and column."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                yield _ledger_row(row)
            except ValueError as exc:
                raise ContentError(
                    f"{path}:{reader.line_num}: not a ledger row: {exc}; {_LEDGER_FIX}"
                ) from exc


def load_ledger(path: Path) -> dict[str, LedgerRow]:
    """Every ledger row by thread, read whole: ingest checks the ledger before it writes.

    Reading it first means a broken row stops a run before any draft is written, rather
    than after, when the drafts would exist and their rows would never be added.
    """
    return {row.thread: row for row in read_ledger(path)}


def update_ledger(
    path: Path, rows: Iterable[LedgerRow], current: Mapping[str, LedgerRow] | None = None
) -> int:
    """Add or replace rows by thread; returns how many changed. One write for the whole run.

    ``current`` is the ledger as ``load_ledger`` read it at the start of the run, so the
    file is not read (and cannot fail) a second time after the drafts are written.
    """
    current = dict(load_ledger(path) if current is None else current)
    changed = 0
    for row in rows:
        if current.get(row.thread) != row:
            current[row.thread] = row
            changed += 1
    if changed:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(LEDGER_FIELDS)
        for row in sorted(current.values(), key=lambda r: (r.date, r.thread)):
            writer.writerow(ledger_line(row))
        write_atomic(path, buffer.getvalue())
    return changed


EXCLUDED_FIELDS = ("thread", "reason", "date", "source")


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Threads that must never come back, by key and by the Source digest of their text.

    The key alone is not enough: a pasted thread's key is its file name, so a withdrawn
    paste renamed in the inbox would otherwise come back as a new thread.
    """

    threads: dict[str, str]  # thread key -> why ("rejected" or "withdrawn")
    sources: frozenset[str] = frozenset()

    def covers(self, thread: str, source: str) -> bool:
        return thread in self.threads or (bool(source) and source in self.sources)


def _excluded_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.exists():
        return [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: v or "" for k, v in r.items() if k} for r in reader]
        return list(reader.fieldnames or []), rows


def read_exclusions(content_dir: Path) -> Exclusions:
    """``content/excluded.csv``; files written before the source column are read as well."""
    _, rows = _excluded_rows(content_dir / EXCLUDED)
    return Exclusions(
        threads={r["thread"]: r.get("reason", "") for r in rows if r.get("thread")},
        sources=frozenset(r["source"] for r in rows if r.get("source")),
    )


def excluded_threads(content_dir: Path) -> dict[str, str]:
    """Thread key -> why it is excluded ("rejected" or "withdrawn")."""
    return read_exclusions(content_dir).threads


def exclude(content_dir: Path, thread: str, reason: str, when: date, source: str = "") -> None:
    """Remember that a thread (and its text, by ``source`` digest) must never come back.

    Rows are appended, which keeps the history readable; a file from before the source
    column is rewritten once with it.
    """
    path = content_dir / EXCLUDED
    header, rows = _excluded_rows(path)
    if any(
        (r.get("thread"), r.get("reason"), r.get("source", "")) == (thread, reason, source)
        for r in rows
    ):
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header == list(EXCLUDED_FIELDS):
        previous = path.read_text(encoding="utf-8")
    else:
        previous = ""
        writer.writerow(EXCLUDED_FIELDS)
        for r in rows:
            writer.writerow([r.get(name, "") for name in EXCLUDED_FIELDS])
    writer.writerow([thread, reason, when.isoformat(), source])
    write_atomic(path, previous + buffer.getvalue())
