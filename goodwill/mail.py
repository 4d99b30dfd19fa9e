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
    participant. Exact duplicates (same Message-ID, or same sender, date and body) are
    dropped, and so are recovered messages that copy a real one.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from goodwill import replies
from goodwill.grouping import Splitter, assemble, group
from goodwill.helpdesk import read_csv, read_zendesk, read_zendesk_lines
from goodwill.mailboxes import Stored, is_maildir, load, maildir_files, read_header_block, scan_mbox
from goodwill.mime import decode_bytes, html_to_text, parse_headers, parse_message
from goodwill.model import Message, Thread
from goodwill.paste import read_paste
from goodwill.problems import InboxError, Unreadable
from goodwill.settings import Settings

__all__ = ["InboxError", "parse_message", "read_inbox"]

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
    """
    splitter = split or replies.split_history
    for root in paths:
        root = Path(root)
        reader = _Reader(settings, splitter, root if root.is_dir() else root.parent)
        yield from reader.path(root)


class _Reader:
    """One walk of the inbox: the settings and the base that paste keys are relative to."""

    def __init__(self, settings: Settings, split: Splitter, base: Path) -> None:
        self.settings = settings
        self.split = split
        self.base = base
        self.staff = set(settings.staff)

    def path(self, path: Path) -> Iterator[Thread | InboxError]:
        try:
            if path.is_dir():
                if is_maildir(path):
                    yield from self._guarded(path, self._maildir)
                else:
                    yield from self._folder(path)
            elif path.is_file():
                yield from self._guarded(path, self._file)
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

    def _folder(self, folder: Path) -> Iterator[Thread | InboxError]:
        try:
            children = sorted(folder.iterdir())
        except PermissionError:
            yield _denied(folder)
            return
        for child in children:
            if not child.name.startswith("."):
                yield from self.path(child)

    def _guarded(
        self, path: Path, read: Callable[[Path], Iterator[Thread | InboxError]]
    ) -> Iterator[Thread | InboxError]:
        """Run one source's reader, turning whatever it cannot read into an InboxError."""
        try:
            yield from read(path)
        except Unreadable as exc:
            yield exc.at(str(path))
        except PermissionError:
            yield _denied(path)
        except OSError as exc:
            yield InboxError(str(path), f"could not be read ({exc.strerror or exc})", _RETRY)
        except Exception as exc:  # a reader bug on odd input must not stop the whole inbox
            yield InboxError(
                str(path),
                f"could not be read ({type(exc).__name__}: {exc})",
                "this is a Goodwill bug: please report it with a fictional copy of the file",
            )

    def _file(self, path: Path) -> Iterator[Thread | InboxError]:
        size = path.stat().st_size
        limit = self.settings.max_file_mb
        if size == 0:
            raise Unreadable("empty file", "nothing to read; delete it or export it again")
        if size > limit * 1024 * 1024:
            raise Unreadable(
                f"{size / 1024 / 1024:.0f} MB is over the {limit} MB limit",
                "split it (e.g. one mbox per year) or raise GOODWILL_MAX_FILE_MB in pelicanconf.py",
            )
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
        _refuse_binary(head)
        kind = _kind(path, head)
        file_time = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if kind == "eml":
            raw = path.read_bytes()
            message = parse_message(raw)
            yield assemble(str(path), [(message, raw)], split=self.split, file_time=file_time)
        elif kind == "mbox":
            yield from self._mbox(path, file_time)
        elif kind in ("paste", "html"):
            text = decode_bytes(path.read_bytes(), "utf-8")
            if kind == "html":
                text = html_to_text(text)
            if not text.strip():
                raise Unreadable("no text in it", "paste the conversation into the file")
            yield read_paste(
                text, source=str(path), name=self._name(path), split=self.split, file_time=file_time
            )
        elif kind == "csv":
            yield from read_csv(path, self.settings.csv_columns, file_time=file_time)
        elif kind == "json":
            yield from read_zendesk(path, file_time=file_time)
        elif kind == "jsonl":
            yield from read_zendesk_lines(path, file_time=file_time)

    def _mbox(self, path: Path, file_time: datetime) -> Iterator[Thread | InboxError]:
        entries: list[tuple[Stored, Message]] = []
        for stored, header_bytes in scan_mbox(path):
            entries.append((stored, parse_headers(header_bytes)))
        with path.open("rb") as handle:
            for n, members in enumerate(group([m for _, m in entries], self.staff), 1):
                source = f"{path}#{n}"
                stored_list = [entries[i][0] for i in members]
                yield from self._thread(source, stored_list, file_time, handle)

    def _maildir(self, folder: Path) -> Iterator[Thread | InboxError]:
        entries: list[tuple[Stored, Message]] = []
        for file in maildir_files(folder):
            try:
                entries.append((Stored(file), parse_headers(read_header_block(file))))
            except PermissionError:
                yield _denied(file)
        file_time = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
        for n, members in enumerate(group([m for _, m in entries], self.staff), 1):
            stored_list = [entries[i][0] for i in members]
            yield from self._thread(f"{folder}#{n}", stored_list, file_time, None)

    def _thread(
        self,
        source: str,
        stored_list: list[Stored],
        file_time: datetime,
        handle: BinaryIO | None,
    ) -> Iterator[Thread | InboxError]:
        pairs = []
        for stored in stored_list:
            where = str(stored.path) if stored.end is None else f"{source}@{stored.start}"
            try:
                raw = load(stored, handle)
                if stored.end is None and len(raw) > self.settings.max_file_mb * 1024 * 1024:
                    raise Unreadable(
                        f"over the {self.settings.max_file_mb} MB limit",
                        "raise GOODWILL_MAX_FILE_MB in pelicanconf.py",
                    )
                pairs.append((parse_message(raw), raw))
            except Unreadable as exc:
                yield exc.at(where)
            except PermissionError:
                yield _denied(stored.path)
        if pairs:
            yield assemble(source, pairs, split=self.split, file_time=file_time)

    def _name(self, path: Path) -> str:
        """The path relative to the inbox (or to the walked folder): a paste's identity."""
        for base in (self.settings.inbox_dir, self.base):
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return path.name


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
