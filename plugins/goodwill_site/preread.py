"""Markdown parsed on every core before Pelican asks for it.

Pelican reads its content files one after another in one process, and on a
site of stories Markdown is the largest part of a full build (at 5,000
stories, 7 of 17 seconds, with the second core idle). When Pelican is about
to read its first article, the Markdown files it will have to parse (those
its content cache does not hold) are handed out in chunks to worker
processes forked from this one, last chunk first, while Pelican parses from the
first file on in this process as usual: the two ends meet in the middle, so
Pelican never waits for a worker to start, and a chunk no worker has taken yet
when Pelican reaches it is parsed here. Each worker runs Pelican's own reader
instance, so the settings, extensions and metadata processing are Pelican's;
where Pelican would parse a file a worker has done, it is handed the
``(content, metadata)`` the worker made. Everything else stays Pelican's:
path metadata, caching, signals and error reports. A file a worker could
not read is read again here, so Pelican reports it as it always does, and
what a worker logged is logged here when its file is read, in order.

Forking is Linux's cheap way to share a prepared process; elsewhere, with
one core, ``GOODWILL_READ_WORKERS = 1``, or only a few files to parse,
Pelican reads alone, exactly as without the plugin.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from pelican.readers import MarkdownReader

logger = logging.getLogger(__name__)

# Below this many files to parse, starting workers costs more than it saves.
MIN_FILES = 64
# Files per job: enough that a job's pickled settings and queue traffic are paid rarely,
# few enough that where Pelican and the workers meet, neither waits long for the other (the
# pool hands each worker its next job before it asks, so two are out of Pelican's reach).
CHUNK = 24
CHUNKS_PER_PROCESS = 8  # a small site gets smaller chunks, down to MIN_CHUNK files
MIN_CHUNK = 4
_MARK = "_goodwill_preread"


@dataclass
class _Read:
    """One file as a worker read it: its result, or None when Pelican must read it again."""

    result: tuple[str, dict[str, Any]] | None
    records: list[logging.LogRecord] = field(default_factory=list)


# The reader the workers use: Pelican's own instance, set before the workers are forked.
_reader: Any = None
_records: list[logging.LogRecord] = []


class _Keep(logging.Handler):
    """Keeps a worker's log records, to be logged by the main process with the file's read."""

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()  # the arguments may not pickle; the text does
        record.args = None
        record.exc_info = record.exc_text = None
        _records.append(record)


def _start_worker() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Keep())


def _read_chunk(paths: list[str]) -> dict[str, _Read]:
    done = {}
    for path in paths:
        _records.clear()
        try:
            result: tuple[str, dict[str, Any]] | None = _reader.read(path)
        except Exception:  # Pelican reads it again and reports it in its own words
            result = None
            _records.clear()
        done[path] = _Read(result, list(_records))
    return done


@dataclass
class Preread:
    """The files being parsed ahead, and the reader method Pelican calls for each."""

    original: Callable[[str], tuple[str, dict[str, Any]]]
    pool: ProcessPoolExecutor
    chunks: dict[str, Future[dict[str, _Read]]]
    served: int = 0

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        future = self.chunks.pop(source_path, None)
        if future is None or future.cancel():  # not a worker's, or not started: read here
            return self.original(source_path)
        try:
            read = future.result()[source_path]
        except Exception:  # a worker died: read here, as Pelican would have
            return self.original(source_path)
        for record in read.records:
            logging.getLogger(record.name).handle(record)
        if read.result is None:
            return self.original(source_path)
        self.served += 1
        return read.result

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.chunks.clear()


def workers(settings: dict[str, Any]) -> int:
    """How many processes parse Markdown, this one included: ``GOODWILL_READ_WORKERS``, else
    every core."""
    if not sys.platform.startswith("linux"):
        return 1
    return int(settings.get("GOODWILL_READ_WORKERS") or os.cpu_count() or 1)


def start(generator: Any) -> Preread | None:
    """Parse ahead the Markdown files ``generator`` is about to read; once per generator."""
    if getattr(generator, _MARK, False):
        return None
    setattr(generator, _MARK, True)
    count = workers(generator.settings)
    if count < 2:
        return None
    readers = generator.readers
    cached = getattr(readers, "_cache", None)  # Pelican's content cache, as loaded
    if isinstance(cached, dict) and len(cached) >= MIN_FILES:
        # A rebuild: the files to parse are the few that changed, too few to hand out, and
        # finding them would list and check the whole content folder a second time.
        return None
    markdown = [
        ext
        for ext, reader in readers.readers.items()
        if type(reader) is MarkdownReader and "read" not in vars(reader)
    ]
    if not markdown:
        return None  # another plugin reads Markdown: leave it alone
    # Pelican makes one reader per file extension, all alike: any of them parses for all.
    reader = readers.readers[markdown[0]]
    settings = generator.settings
    paths = []
    names = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    for name in names:
        if name.rsplit(".", 1)[-1] not in markdown:
            continue
        if generator.get_cached_data(name, None) is not None:
            continue
        path = os.path.abspath(os.path.join(generator.path, name))
        if readers.get_cached_data(path, (None, None))[0] is not None:
            continue
        paths.append(path)
    if len(paths) < MIN_FILES:
        return None
    global _reader
    _reader = reader
    # Markdown imports its extensions (Pygments among them) on first use: done once here,
    # before the fork, rather than once in each process on its first file.
    Markdown(**settings["MARKDOWN"])
    pool = ProcessPoolExecutor(
        count - 1, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )
    chunks: dict[str, Future[dict[str, _Read]]] = {}
    size = max(MIN_CHUNK, min(CHUNK, len(paths) // (count * CHUNKS_PER_PROCESS)))
    for i in reversed(range(0, len(paths), size)):  # the workers start at the far end
        part = paths[i : i + size]
        future = pool.submit(_read_chunk, part)
        chunks.update(dict.fromkeys(part, future))
    ahead = Preread(reader.read, pool, chunks)
    for ext in markdown:  # these instances only: Pelican's class and its name stay its own
        readers.readers[ext].read = ahead.read
    setattr(generator, _MARK, ahead)
    return ahead


def finish(generator: Any) -> None:
    """Stop the workers and give the reader back its own method, once reading is over."""
    ahead = getattr(generator, _MARK, None)
    if isinstance(ahead, Preread):
        logger.info("goodwill: %d Markdown file(s) parsed ahead on other cores", ahead.served)
        ahead.close()
        for reader in generator.readers.readers.values():
            if vars(reader).get("read") == ahead.read:
                del reader.read
        setattr(generator, _MARK, True)
