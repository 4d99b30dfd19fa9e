"""Any inbox shape into Threads of Messages, oldest first: the front door of ingest.

``read_inbox`` walks files and folders and yields one Thread at a time, or an
``InboxError`` for an input it cannot read; one bad file never stops the rest. It only
ever reads: nothing in the inbox is written, moved, renamed or touched.

Accepted shapes
---------------
Folders
    A Maildir (a folder with ``cur/`` and ``new/``) is one source, together with its
    Maildir++ subfolders (``.Sent``, ``.Archive`` …; Trash, Junk, Spam and Drafts are
    skipped); ``tmp/`` is never read. Any other folder is walked recursively in name
    order, skipping hidden files and folders (``.goodwill``, ``.DS_Store`` …).
``.eml`` (or a file without extension that starts with mail headers)
    One RFC 822 message. Earlier messages are recovered from its quoted history (Gmail
    "On … wrote:" quotes, Outlook "From:/Sent:" blocks) and marked ``recovered=True``.
    Loose .eml files that belong to one conversation (one message a file, in one folder
    or across the inbox) are one thread, grouped as an mbox's messages are.
``.mbox`` / ``.mbx`` (or a file without extension that starts with ``From ``)
    An mbox (mboxo or mboxrd, as ``mailbox.mbox`` writes it). Read in two streaming
    passes: headers to group threads, then one thread's messages at a time.
Inside any mail
    multipart/alternative prefers text/plain and falls back to text/html (converted to
    text, quotes kept as ``>`` lines); any charset, quoted-printable and base64; raw
    8-bit headers read as UTF-8 or Windows-1252; an unknown or wrong charset is decoded
    with replacement characters. Attachments are ignored and never written anywhere.
    Threads are grouped by Message-ID / In-Reply-To / References, else by subject
    without Re:/Fwd:/AW:/SV:/TR:/RE[2]: prefixes when the messages share a non-staff
    participant and follow within 30 days. Exact duplicates (same Message-ID, or same
    sender, date and body) are dropped, and so are recovered messages that copy a real one.
    Copies of one conversation kept in several places (an mbox and an .eml of one of its
    messages, an Inbox and a Sent mailbox) share a thread key and are read as one thread.
``.txt`` / ``.md`` / ``.html`` / ``.htm``
    Pasted text; see ``goodwill.paste`` for the shapes. The file's modification time
    is ``Thread.file_time``, standing in for missing dates.
``.csv`` / ``.json`` / ``.jsonl`` / ``.ndjson``
    Helpdesk exports; see ``goodwill.helpdesk`` for the exact shapes.

Refused, each with an ``InboxError`` naming the file, the problem and what to do: a
missing path, an empty file, a binary file (PDF, image, archive, Outlook ``.msg`` …), a
file over ``GOODWILL_MAX_FILE_MB``, a file that cannot be opened, an unsupported
extension, broken MIME (a multipart whose boundary never appears, no headers at all),
text no charset can make readable, invalid JSON, a CSV without its required columns.

Identity
    ``Thread.key`` (16 hex) stays the same as a thread grows: the root Message-ID a
    thread points back to, else the oldest message's sender, date and subject; a paste's
    file name relative to the inbox; ``csv:<thread id>``; ``zendesk:<ticket id>``.
    ``Thread.digest`` is SHA-256 over the raw bytes of its messages and changes when it
    grows. ``Thread.source`` is the path, plus ``#n`` (mbox thread number), ``#<thread
    id>`` (CSV) or ``#<ticket id>`` (Zendesk), for messages to people only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from goodwill import replies
from goodwill.grouping import Splitter, assemble, group, planned_digest, planned_key
from goodwill.helpdesk import read_csv, read_zendesk, read_zendesk_lines
from goodwill.mailboxes import Stored, is_maildir, load, maildir_files, read_header_block, scan_mbox
from goodwill.mime import decode_bytes, grouping_headers, html_to_text, parse_message
from goodwill.model import Message, Thread
from goodwill.paste import read_paste
from goodwill.problems import InboxError, Unreadable
from goodwill.settings import Settings

__all__ = [
    "InboxError",
    "Job",
    "job_digest",
    "parse_message",
    "plan_inbox",
    "read_inbox",
    "read_job",
]

_KINDS = {
    ".eml": "eml",
    ".mbox": "mbox",
    ".mbx": "mbox",
    ".txt": "paste",
    ".md": "paste",
    ".markdown": "paste",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_SUPPORTED = "Goodwill reads .eml, .mbox, Maildir folders, .txt/.md/.html pastes, .csv and .json"
_SNIFF_BYTES = 8192
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MAIL_HEADERS = re.compile(rb"(?im)^(from|date|subject|message-id|received|return-path):")
_MAGIC = (
    (b"%PDF", "a PDF document", "copy its text into a .txt file"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)", "unpack it or save the text as .txt"),
    (b"\xd0\xcf\x11\xe0", "an Outlook .msg or old Office file", "save the message as .eml"),
    (b"\x89PNG", "a PNG image", "images are never read; remove it from the inbox"),
    (b"\xff\xd8\xff", "a JPEG image", "images are never read; remove it from the inbox"),
    (b"GIF8", "a GIF image", "images are never read; remove it from the inbox"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
)


def read_inbox(
    paths: Iterable[Path], settings: Settings, *, split: Splitter | None = None
) -> Iterator[Thread | InboxError]:
    """Every thread in ``paths`` (files or folders), one at a time, oldest message first.

    ``split`` recovers earlier messages from quoted history; it defaults to
    ``goodwill.replies.split_history`` and exists so tests can pass a small fake.
    This is ``plan_inbox`` and ``read_job`` in one process; ``goodwill.ingest`` runs the
    two halves in different processes.
    """
    for item in plan_inbox(paths, settings):
        if isinstance(item, InboxError):
            yield item
        else:
            yield from read_job(item, settings, split=split)


@dataclass(frozen=True, slots=True)
class Job:
    """One thread's reading, described by where its bytes are, never by the bytes.

    Small enough to send to another process, which then reads, decodes and recovers the
    history itself: that is the costly part of reading, and it runs on every core.
    """

    source: str  # for messages to people: a path, "path#n", or several paths
    kind: str  # "mail" (stored messages), "paste", "html", or "thread" (already read)
    stored: tuple[Stored, ...] = ()
    file_time: datetime | None = None
    name: str = ""  # a paste's path relative to the inbox: its identity
    thread: Thread | None = None  # helpdesk exports, read whole by the planner
    key: str = ""  # mail: the thread key its headers give (``grouping.planned_key``)
    # mail: each stored message's Message-ID and date, as its headers give them
    heads: tuple[tuple[str, datetime | None], ...] = ()


def plan_inbox(paths: Iterable[Path], settings: Settings) -> Iterator[Job | InboxError]:
    """What to read, thread by thread, in a stable order; only headers are read here.

    Walks files and folders, refuses what cannot be read (each as an ``InboxError`` naming
    the file), scans mboxes for where each message is and groups messages into threads by
    their headers. Loose ``.eml`` files are grouped across the whole inbox, like an mbox's
    messages, and every mail thread comes last, once every header is known: copies of one
    conversation kept in several places (an mbox and an .eml of its first message, an
    Inbox and a Sent mailbox) share a thread key and are read as one thread.
    """
    planner = _Planner(settings)
    for root in paths:
        root = Path(root)
        yield from planner.path(root, root if root.is_dir() else root.parent)
    yield from planner.mail_jobs()


def read_job(
    job: Job, settings: Settings, *, split: Splitter | None = None
) -> Iterator[Thread | InboxError]:
    """The thread a job describes (or an ``InboxError`` per message or file it cannot read)."""
    splitter = split or replies.split_history
    if job.thread is not None:
        yield job.thread
        return
    path = job.stored[0].path if job.stored else Path(job.source)
    try:
        if job.kind == "mail":
            yield from _read_mail(job, settings, splitter)
            return
        text = decode_bytes(path.read_bytes(), "utf-8")
        if job.kind == "html":
            text = html_to_text(text)
        if not text.strip():
            raise Unreadable("no text in it", "paste the conversation into the file")
        yield read_paste(
            text, source=job.source, name=job.name, split=splitter, file_time=job.file_time
        )
    except Exception as exc:  # one file's problem must not stop the inbox
        yield _error(path, exc)


def job_digest(job: Job) -> str | None:
    """The digest a mail job's thread will have, from its raw bytes; None for other jobs.

    Reading bytes is cheap beside parsing them, so ingest calls this in the main process
    and skips a thread it has drafted before without sending it to a worker at all.
    """
    if job.kind != "mail" or len(job.heads) != len(job.stored):
        return None
    handles: dict[Path, BinaryIO] = {}
    try:
        raws = []
        for stored in job.stored:
            handle = None
            if stored.end is not None:
                handle = handles.get(stored.path) or handles.setdefault(
                    stored.path, stored.path.open("rb")
                )
            raws.append(load(stored, handle))
    except OSError:
        return None  # the worker reads it again and names the problem
    finally:
        for handle in handles.values():
            handle.close()
    return planned_digest(raws, job.heads)


def _read_mail(job: Job, settings: Settings, split: Splitter) -> Iterator[Thread | InboxError]:
    limit = settings.max_file_mb * 1024 * 1024
    pairs = []
    handle: BinaryIO | None = None
    try:
        for stored in job.stored:
            where = str(stored.path) if stored.end is None else f"{job.source}@{stored.start}"
            try:
                if stored.end is not None and handle is None:
                    handle = stored.path.open("rb")
                raw = load(stored, handle if stored.end is not None else None)
                if stored.end is None and len(raw) > limit:
                    raise Unreadable(
                        f"over the {settings.max_file_mb} MB limit",
                        "raise GOODWILL_MAX_FILE_MB in pelicanconf.py",
                    )
                pairs.append((parse_message(raw), raw))
            except Unreadable as exc:
                yield exc.at(where)
            except OSError as exc:
                yield _error(stored.path, exc)
    finally:
        if handle is not None:
            handle.close()
    if pairs:
        own = replies.own_text if split is replies.split_history else None
        yield assemble(job.source, pairs, split=split, file_time=job.file_time, own=own)


def _error(path: Path, exc: Exception) -> InboxError:
    """The one line a founder reads for whatever went wrong with one file."""
    if isinstance(exc, Unreadable):
        return exc.at(str(path))
    if isinstance(exc, PermissionError):
        return _denied(path)
    if isinstance(exc, OSError):
        return InboxError(str(path), f"could not be read ({exc.strerror or exc})", _RETRY)
    return InboxError(
        str(path),
        f"could not be read ({type(exc).__name__}: {exc})",
        "this is a Goodwill bug: please report it with a fictional copy of the file",
    )


@dataclass(slots=True)
class _Loose:
    """The loose .eml files seen so far: where each is, its headers and its file time."""

    stored: list[Stored] = field(default_factory=list)
    headers: list[Message] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


class _Planner:
    """One walk of the inbox: the settings, and the loose .eml files waiting to be grouped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff = set(settings.staff)
        self.loose = _Loose()
        self.mail: list[Job] = []  # mbox and Maildir threads, merged with the loose .eml
        self.resolved: dict[Path, Path] = {}  # folders, symbolic links followed

    def path(self, path: Path, base: Path) -> Iterator[Job | InboxError]:
        try:
            if path.is_dir():
                if is_maildir(path):
                    yield from self._guarded(path, self._maildir)
                else:
                    yield from self._folder(path, base)
            elif path.is_file():
                yield from self._guarded(path, lambda p: self._file(p, base))
            elif not path.exists():
                yield InboxError(
                    str(path),
                    "no such file or folder",
                    "check the path, or GOODWILL_INBOX in pelicanconf.py",
                )
            else:
                yield InboxError(str(path), "not a regular file", "only files are read")
        except PermissionError:
            yield _denied(path)

    def _folder(self, folder: Path, base: Path) -> Iterator[Job | InboxError]:
        try:
            children = sorted(folder.iterdir())
        except PermissionError:
            yield _denied(folder)
            return
        for child in children:
            if not child.name.startswith("."):
                yield from self.path(child, base)

    def _guarded(
        self, path: Path, plan: Callable[[Path], Iterator[Job | InboxError]]
    ) -> Iterator[Job | InboxError]:
        """Run one source's planner, turning whatever it cannot read into an InboxError."""
        try:
            yield from plan(path)
        except Exception as exc:  # a reader bug on odd input must not stop the whole inbox
            yield _error(path, exc)

    def _file(self, path: Path, base: Path) -> Iterator[Job | InboxError]:
        stat = path.stat()
        limit = self.settings.max_file_mb
        if stat.st_size == 0:
            raise Unreadable("empty file", "nothing to read; delete it or export it again")
        if stat.st_size > limit * 1024 * 1024:
            raise Unreadable(
                f"{stat.st_size / 1024 / 1024:.0f} MB is over the {limit} MB limit",
                "split it (e.g. one mbox per year) or raise GOODWILL_MAX_FILE_MB in pelicanconf.py",
            )
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
        _refuse_binary(head)
        kind = _kind(path, head)
        file_time = datetime.fromtimestamp(stat.st_mtime, UTC)
        if kind == "eml":
            block = _header_block(head)
            if block is None:
                block = read_header_block(path)
            self.loose.stored.append(Stored(path))
            self.loose.headers.append(grouping_headers(block))
            self.loose.times.append(file_time)
        elif kind == "mbox":
            self._mbox(path, file_time)
        elif kind in ("paste", "html"):
            name = self._name(path, base)
            yield Job(str(path), kind, (Stored(path),), file_time, name=name)
        else:
            if kind == "csv":
                found: Iterator[Thread | InboxError] = read_csv(
                    path, self.settings.csv_columns, file_time=file_time
                )
            elif kind == "json":
                found = read_zendesk(path, file_time=file_time)
            else:
                found = read_zendesk_lines(path, file_time=file_time)
            for item in found:
                yield (
                    item
                    if isinstance(item, InboxError)
                    else Job(item.source, "thread", thread=item)
                )

    def _mbox(self, path: Path, file_time: datetime) -> None:
        entries = [(stored, grouping_headers(block)) for stored, block in scan_mbox(path)]
        self._group(str(path), entries, file_time)

    def _group(
        self, where: str, entries: list[tuple[Stored, Message]], file_time: datetime
    ) -> None:
        """One mailbox's threads, kept until the inbox is walked (see ``mail_jobs``)."""
        headers = [m for _, m in entries]
        for n, members in enumerate(group(headers, self.staff), 1):
            self.mail.append(
                _mail_job(
                    f"{where}#{n}",
                    [entries[i][0] for i in members],
                    [headers[i] for i in members],
                    file_time,
                )
            )

    def _maildir(self, folder: Path) -> Iterator[Job | InboxError]:
        entries: list[tuple[Stored, Message]] = []
        for file in maildir_files(folder):
            try:
                entries.append((Stored(file), grouping_headers(read_header_block(file))))
            except PermissionError:
                yield _denied(file)
        file_time = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
        self._group(str(folder), entries, file_time)

    def mail_jobs(self) -> Iterator[Job]:
        """Every mail thread: the mailboxes' and the loose .eml files', copies merged.

        Loose files are grouped like an mbox's messages (one file each, or several a
        conversation spans); then threads that share a key are one job, the mailbox's copy
        of a message first, so adding a copy of a message never changes a thread's digest.
        """
        loose, self.loose = self.loose, _Loose()
        mail, self.mail = self.mail, []
        for members in group(loose.headers, self.staff):
            stored = [loose.stored[i] for i in members]
            first = str(stored[0].path)
            more = len(stored) - 1
            source = (
                f"{first} (and {more} more .eml file{'s' if more > 1 else ''})" if more else first
            )
            when = max(loose.times[i] for i in members)
            mail.append(_mail_job(source, stored, [loose.headers[i] for i in members], when))
        yield from merge_copies(mail)

    def _name(self, path: Path, base: Path) -> str:
        """The path relative to the inbox (or to the walked folder): a paste's identity."""
        resolved = self._resolve(path)
        for folder in (self.settings.inbox_dir, base):
            try:
                return resolved.relative_to(self._resolve(folder)).as_posix()
            except ValueError:
                continue
        return path.name

    def _resolve(self, path: Path) -> Path:
        """``path.resolve()``, each folder resolved once: resolving every paste in full (a
        system call per part of its path) was a sixth of the walk's time (measured)."""
        if path.name in ("", ".", "..") or path.is_symlink():
            return path.resolve()
        parent = self.resolved.get(path.parent)
        if parent is None:
            parent = self.resolved[path.parent] = path.parent.resolve()
        return parent / path.name


def _mail_job(
    source: str, stored: list[Stored], headers: list[Message], file_time: datetime
) -> Job:
    return Job(
        source,
        "mail",
        tuple(stored),
        file_time,
        key=planned_key(headers),
        heads=tuple((m.message_id, m.sent) for m in headers),
    )


def merge_copies(jobs: Iterable[Job]) -> list[Job]:
    """Mail jobs that share a thread key as one job each, in order of first appearance.

    Two copies of one conversation (an mbox and an .eml of its first message) would
    otherwise be two threads with one key, and the shorter would replace the longer.
    """
    merged: dict[str, Job] = {}
    for job in jobs:
        seen = merged.get(job.key)
        if seen is None:
            merged[job.key] = job
            continue
        have = set(seen.stored)
        extra = [(s, h) for s, h in zip(job.stored, job.heads, strict=True) if s not in have]
        merged[job.key] = Job(
            f"{seen.source} and {job.source}",
            "mail",
            seen.stored + tuple(s for s, _ in extra),
            max((t for t in (seen.file_time, job.file_time) if t is not None), default=None),
            key=job.key,
            heads=seen.heads + tuple(h for _, h in extra),
        )
    return list(merged.values())


def _header_block(head: bytes) -> bytes | None:
    """The header lines at the top of ``head``; None when they may go on past it."""
    lines = head.splitlines(keepends=True)
    for n, line in enumerate(lines):
        if not line.strip():
            return b"".join(lines[:n])
    return head if len(head) < _SNIFF_BYTES else None


_RETRY = "check the disk and try again"


def _denied(path: Path) -> InboxError:
    return InboxError(
        str(path),
        "cannot be read: permission denied",
        "make it readable for your user (chmod u+r) or move it out of the inbox",
    )


def _refuse_binary(head: bytes) -> None:
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise Unreadable(f"binary file: {what}", hint)
    if b"\x00" in head:
        # UTF-16 text has NULs too, but no mail export writes it; treat as binary.
        raise Unreadable("binary file, not text", _SUPPORTED)


def _kind(path: Path, head: bytes) -> str:
    kind = _KINDS.get(path.suffix.lower())
    first = head.lstrip(b"\r\n")
    if kind in ("eml", None) and first.startswith(b"From ") and _MAIL_HEADERS.search(head):
        return "mbox"
    if kind is None and _HEADER_LINE.match(first) and _MAIL_HEADERS.search(head):
        return "eml"
    if kind is None:
        raise Unreadable(f"unsupported file type ({path.suffix or 'no extension'})", _SUPPORTED)
    return kind
