"""Where each message of an mbox file or a Maildir folder is, without loading any of them.

An inbox export can be hundreds of megabytes. These functions only find each message
(a file, or a byte range of an mbox) and read its header block, which is all grouping
needs; ``load`` then fetches one message's bytes when its thread is being built.

The mbox scanner is written here rather than taken from ``mailbox.mbox`` because that
class opens the file for writing (``rb+``) and a founder's inbox must only ever be read.
A message starts at a ``From `` line that begins the file or follows a blank line, as
every mbox writer emits; ``>From `` lines are unescaped one level (mboxrd).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from goodwill.problems import Unreadable

_MAX_HEADER_BYTES = 256 * 1024  # a header block larger than this is junk; keep memory bounded
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")
# Maildir++ folders that never hold conversations worth reading.
_SKIPPED_FOLDERS = {"trash", "junk", "spam", "drafts", "deleted items", "deleted messages"}


@dataclass(frozen=True, slots=True)
class Stored:
    """Where one message's bytes are: a whole file, or ``start:end`` of an mbox."""

    path: Path
    start: int = 0
    end: int | None = None  # None: to the end of the file


def is_maildir(folder: Path) -> bool:
    """A Maildir has ``cur`` and ``new`` folders (``tmp`` holds deliveries in progress)."""
    return (folder / "cur").is_dir() and (folder / "new").is_dir()


def scan_mbox(path: Path) -> Iterator[tuple[Stored, bytes]]:
    """Each message of an mbox as its location and its header block, in file order."""
    with path.open("rb") as f:
        pos = 0
        start: int | None = None
        prev_blank = True
        headers: list[bytes] = []
        header_size = 0
        in_headers = False
        for line in f:
            if prev_blank and line.startswith(b"From "):
                if start is not None:
                    yield Stored(path, start, pos), b"".join(headers)
                start = pos + len(line)
                headers, header_size, in_headers = [], 0, True
            elif start is None:
                if line.strip():
                    raise Unreadable(
                        "not an mbox: it does not start with a 'From ' separator line",
                        "export the mailbox again, or rename the file to .eml if it holds one"
                        " message",
                    )
            elif in_headers:
                if not line.strip():
                    in_headers = False
                elif header_size < _MAX_HEADER_BYTES:
                    headers.append(line)
                    header_size += len(line)
            prev_blank = not line.strip()
            pos += len(line)
        if start is not None:
            yield Stored(path, start, pos), b"".join(headers)


def maildir_files(root: Path) -> Iterator[Path]:
    """Every message file of a Maildir and of its Maildir++ subfolders (``.Sent`` …).

    Subfolders belong to the same source because the founder's replies usually live
    in ``.Sent`` while the customer's mail is in the inbox: one thread spans both.
    """
    folders = [root]
    for child in sorted(root.iterdir()):
        name = child.name
        if (
            name.startswith(".")
            and name.lstrip(".").lower() not in _SKIPPED_FOLDERS
            and child.is_dir()
            and is_maildir(child)
        ):
            folders.append(child)
    for folder in folders:
        for sub in ("cur", "new"):
            for entry in sorted((folder / sub).iterdir()):
                if not entry.name.startswith(".") and entry.is_file():
                    yield entry


def read_header_block(path: Path) -> bytes:
    """The header lines of one message file, read line by line up to the blank line."""
    lines: list[bytes] = []
    size = 0
    with path.open("rb") as f:
        for line in f:
            if not line.strip() or size > _MAX_HEADER_BYTES:
                break
            lines.append(line)
            size += len(line)
    return b"".join(lines)


def load(stored: Stored, handle: BinaryIO | None = None) -> bytes:
    """One message's raw bytes, mbox escaping undone and trailing blank lines dropped.

    Trailing blank lines are dropped so that a message's bytes (and so its thread's
    digest) do not change when the mailbox grows behind it.
    """
    if handle is None:
        with stored.path.open("rb") as f:
            return load(stored, f)
    handle.seek(stored.start)
    size = -1 if stored.end is None else stored.end - stored.start
    raw = handle.read(size)
    if stored.end is not None:
        raw = _ESCAPED_FROM.sub(rb"\1", raw)
    return raw.rstrip(b"\r\n") + b"\n"
