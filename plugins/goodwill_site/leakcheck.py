"""The leak guard after a build, with names, and without reading the same page twice.

``goodwill.guard`` decides what a leak is; this module only feeds it and
remembers. It passes the redacted-name digests and the key, so names are
checked as well as addresses and numbers; a build without the key (a server
that was not given it) still checks everything else and says so once.

A page that was scanned clean and has not changed since (same bytes) is clean
again as long as the scanner, its word lists, the key, the digests and the
allow-list are the same: the guard costs as much as Pelican's own rendering,
and a rebuild after one new story would otherwise re-read thousands of pages.
The record holds hashes of clean files only; a file with a finding is scanned
on every build, so a finding is never forgotten. It also lists the name
digests the files were checked against, and the keyed digest of every word
and phrase the name check hashed on those files. A story that brings a new
redacted name (every new story does) needs no page read again unless that
name's digest is among them, which is rare: only then are the known-clean
pages checked again for it (the name part of the scan only). Before that
record, a rebuild after one new story read every page of the site again.

A file is known by the hash of its bytes; to find that hash without reading
the file, the record also keeps each clean file's device, inode, size and
modification time. Pages reused from the page cache are hard links to cache
files that are never written in place (``outfiles``), so most of a rebuild's
output is recognised from one ``stat`` each.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import multiprocessing
import os
import re
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from goodwill.filememo import FileMemo

from . import pagecache

logger = logging.getLogger(__name__)

RECORD = "guard-clean.json"
KEPT_PIECES = 20_000  # story cards and feed entries the record keeps as read clean
BATCH = 32  # files handed to a worker at once
BATCH_BYTES = 256 * 1024  # ... or fewer, when they add up to this much text
SHARE_FROM = 4  # batches left unread at the end before a cold main process reads some
# What reading a file gives: the hash of the bytes read, the findings, the digests of the
# words hashed for the first time, the pieces read clean for the first time.
Scanned = tuple[str, list[Any], list[str], list[bytes]]


@dataclass(frozen=True, slots=True)
class Names:
    """What the name check needs: the key (None on a server without it) and the digests."""

    key: bytes | None
    digests: frozenset[str]
    key_file: Path


def key_file(settings: dict[str, Any]) -> Path:
    """``GOODWILL_KEY_FILE`` (default ``.goodwill/key``), relative to where the build runs."""
    return Path(str(settings.get("GOODWILL_KEY_FILE") or ".goodwill/key"))


def load_names(settings: dict[str, Any]) -> Names:
    """The key and the digest of every redacted name, from the stories' redaction records."""
    from goodwill import guardrecords
    from goodwill.keys import load_key

    path = key_file(settings)
    key = load_key(path, create=False)  # GOODWILL_KEY in the environment works too
    # The records are read again only when they change: a site has one per story.
    memo = FileMemo(pagecache.folder(settings) / "name-digests.json", _scanner_digest())
    digests: set[str] = set()
    for sidecar in guardrecords.sidecars(Path(settings["PATH"])):
        try:
            digests.update(memo.get(sidecar, partial(guardrecords.sidecar_name_digests, sidecar)))
        except OSError as exc:
            raise guardrecords.GuardError(f"{sidecar}: cannot be read ({exc.strerror})") from exc
    memo.save()
    return Names(key, frozenset(digests), path)


def _guard_sources(package: Path) -> list[Path]:
    """``goodwill/guard.py`` and every module of the package it imports, however deep.

    So a clean verdict is kept while other modules (ingest, curation) change,
    and dropped when anything the guard runs on does. Imports are found with
    a pattern over the source, comments and strings included: a name too many
    only hashes one more file, and reading them costs a build nothing.
    """
    name = re.escape(package.name)
    pattern = re.compile(
        rf"\b{name}\.(\w+)|\bfrom\s+{name}\s+import\s+\(?((?:\s*\w+(?:\s+as\s+\w+)?\s*,?)+)"
    )
    found: set[Path] = set()
    todo = [package / "guard.py"]
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.add(path)
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            names = [m.group(1)] if m.group(1) else re.findall(r"(\w+)(?:\s+as\s+\w+)?", m.group(2))
            todo += [package / f"{n}.py" for n in names if n != "as"]
    return sorted(found)


@lru_cache(maxsize=1)
def _scanner_digest() -> str:
    """Hash of the guard's code and word lists, and of the phone library's version.

    Worked out once per process: both the guard's record and the name memo are salted
    with it, and the files it reads do not change during a build.
    """
    from importlib import metadata  # the version without loading the library (and its data)

    import goodwill

    package = Path(goodwill.__file__).parent
    try:
        version = metadata.version("phonenumbers")
    except metadata.PackageNotFoundError:  # installed some other way (phonenumberslite)
        import phonenumbers

        version = str(getattr(phonenumbers, "__version__", ""))
    digest = hashlib.sha256(version.encode())
    for path in [*_guard_sources(package), *sorted(package.glob("data/*"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _salt(names: Names, allow: Iterable[str]) -> str:
    """What a clean verdict depends on besides the file and the name digests."""
    key_id = ""
    if names.key:  # which key, without keeping anything that could reveal it
        key_id = hmac.new(names.key, b"goodwill guard record", "sha256").hexdigest()
    parts = [_scanner_digest(), key_id, "\0", *sorted(allow)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _files(output_dir: Path, suffixes: frozenset[str]) -> list[tuple[str, str]]:
    """Every file the guard reads under ``output_dir``, as (path, path relative to it with
    "/"), sorted by the latter; strings, not ``Path`` objects: a site has thousands.

    Listed with ``os.scandir`` rather than ``os.walk``, which asks the file system once
    more about every folder (every story page has one): at 5,000 stories, half of what
    the guard spends at the end of a rebuild. Links to folders are not followed, as
    ``os.walk`` does not follow them.
    """
    found: list[tuple[str, str]] = []
    folders = [(os.fspath(output_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue  # gone or unreadable, as os.walk skips it
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif os.path.splitext(entry.name)[1].lower() in suffixes and not entry.is_dir():
                    found.append((entry.path, prefix + entry.name))
    found.sort(key=lambda pair: pair[1])
    return found


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# What a process scans with (allowed values, the name matcher, a matcher of the names new
# since the record, the names shown with consent, the pieces read), made on first use from
# the build's ``_ARGS``: inherited by workers forked after the scanner was made, or, for
# workers started before the build knew them (``start_readers``), taken from their queue.
_CONFIG: tuple[Any, Any, Any, Any, Any] | None = None
_ARGS: tuple[Any, ...] | None = None
_QUEUE: Any = None  # in a worker started early: where its build's ``_ARGS`` arrive


def _config() -> tuple[Any, Any, Any, Any, Any]:
    """This process's scanning settings, made on first use: a worker that never scans
    never loads the scanner, and the process that renders usually never does."""
    global _CONFIG
    if _CONFIG is None:
        from goodwill import guard

        args = _QUEUE.get() if _QUEUE is not None else _ARGS
        assert args is not None, "the leak guard's scanner was not set up"
        allow, key, digests, new, shown, pieces = args
        _CONFIG = (
            guard.Allowed(allow),
            guard.NameMatcher(key, digests) if key and digests else None,
            guard.NameMatcher(key, new) if key and new else None,
            shown,
            guard.Pieces(pieces),
        )
    return _CONFIG


def _warm_up() -> None:
    """Load the scanner and what its first page would load (``guard.warm_up``)."""
    from goodwill import guard  # loaded by the worker: this process may never scan a page

    guard.warm_up()


def _start_reader(queue: Any) -> None:
    """A worker started before its build's scanner: warm up now, get told what to look for
    with the first pages (an inherited ``_CONFIG`` would be an earlier build's)."""
    global _CONFIG, _QUEUE
    _CONFIG, _QUEUE = None, queue
    _warm_up()


@dataclass
class Readers:
    """The guard's worker processes, started as the build starts.

    Started with the scanner, they spent the first pages of the build loading
    the word lists, the name pattern and the phone metadata (60 ms) while
    those pages queued up; started with the build, they do it while Pelican
    reads the content.
    """

    pool: ProcessPoolExecutor
    queue: Any
    workers: int

    def configure(self, args: tuple[Any, ...]) -> None:
        """What each worker needs from the build: one copy each, taken with its first pages."""
        for _ in range(self.workers):
            self.queue.put(args)

    def close(self) -> None:
        """Stop the workers, for a build that ended before its guard took them."""
        self.pool.shutdown(wait=False, cancel_futures=True)


def start_readers(workers: int) -> Readers | None:
    """``workers`` processes for the guard, warming up; None where processes cannot fork."""
    if workers <= 0:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork here: everything is read at the end
        return None
    queue = context.Queue()
    queue.cancel_join_thread()  # a build that fails before configuring them still exits
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_reader, initargs=(queue,)
    )
    pool.submit(int)  # the workers start (and warm up) now, not at the first page
    return Readers(pool, queue, workers)


def _check_new_names(path: str, rel: str) -> Scanned:
    """A file known clean, checked for the names redacted since: the name part of the scan."""
    from goodwill import guard

    allowed, _, new_names, shown, _ = _config()
    data = Path(path).read_bytes()
    text = data.decode("utf-8", errors="replace")
    readable = guard.readable_text(text, Path(path).suffix.lower())
    allowed = guard.allowed_on(allowed, shown, rel, text)
    hits = [h for h in new_names.find(readable) if h.value not in allowed]
    findings = [
        guard.Finding(
            rel, readable.count("\n", 0, h.start) + 1, h.kind, guard.excerpt(readable, h, hits)
        )
        for h in hits
    ]
    return _digest(data), findings, new_names.drain(), []


def _scan_files(batch: list[tuple[str, str]]) -> list[Scanned]:
    return [_scan_file(path, rel) for path, rel in batch]


def _scan_file(path: str, rel: str) -> Scanned:
    """Scan one file as it is now.

    Returns the hash of the bytes scanned, the findings, the digests of the
    words and phrases this process hashed for the first time (see
    ``NameMatcher.drain``) and the pieces it read clean for the first time
    (``guard.Pieces.drain``).
    """
    from goodwill import guard

    allowed, matcher, _, shown, pieces = _config()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        # Replaced or removed since it was handed over (a linked page is unlinked before
        # it is written again): judged at the end by what is there then. Raising would
        # lose the words the batch's other files hashed.
        return "", [], [], []
    text = data.decode("utf-8", errors="replace")
    suffix = Path(path).suffix.lower()
    found = guard.scan_text(text, rel, suffix, allowed, matcher, shown, pieces)
    return _digest(data), found, matcher.drain() if matcher is not None else [], pieces.drain()


class Scanner:
    """The guard over one build's output, started early so it runs beside the rendering.

    Pelican renders on one core; each page it writes is handed to worker
    processes on the others as soon as it is on disk (``submit``), and
    ``finish`` reads whatever is left once the build is done. A file is judged
    by the bytes it ends with: a page written again after it was scanned is
    scanned again.
    """

    def __init__(
        self,
        output_dir: Path,
        names: Names,
        allow: Iterable[str],
        record_dir: Path,
        workers: int,
        shown: Iterable[Any] = (),
        readers: Readers | None = None,
    ) -> None:
        """``shown``: ``guard.ShownName`` of each name a customer chose, with consent, to be
        shown by; allowed on their story's pages only (``allow`` holds for every page).
        ``readers``: workers started already (``start_readers``), used instead of forking
        ``workers`` new ones."""
        global _CONFIG, _ARGS
        from goodwill.guardrecords import SCANNED_SUFFIXES

        self.output_dir = Path(output_dir)
        self.allow = list(allow)
        self.shown = sorted(shown, key=repr)
        self.salt = _salt(names, self.allow)
        self.record = record_dir / RECORD
        # Without the key no name is checked, so the digests do not count.
        self.digests = names.digests if names.key else frozenset()
        self.known: set[str] = set()
        pieces: list[bytes] = []  # story cards and feed entries the record's build read clean
        new: frozenset[str] = frozenset()
        saved_tokens: set[str] | None = None
        self.signatures: dict[str, str] = {}  # "dev:inode:size:mtime" -> hash of the bytes
        try:
            saved = json.loads(self.record.read_text(encoding="utf-8"))
            before = frozenset(saved["digests"])
            # A page clean with fewer names allowed is clean with more: a new story shown by
            # its customer's own name keeps the record; a name no longer shown drops it.
            shown_before = set(saved.get("shown") or ())
            same_shown = shown_before <= {repr(s) for s in self.shown}
            if saved.get("salt") == self.salt and same_shown:
                # Known clean of every earlier name, so of any fewer (a story deleted with
                # its redaction record): only names added since need a look, and of those
                # only the ones some known page has a word or phrase for.
                self.known, new = set(saved["clean"]), self.digests - before
                self.signatures = dict(saved.get("files") or {})
                pieces = [bytes.fromhex(k) for k in saved.get("pieces") or ()]
                if saved.get("tokens") is not None:
                    saved_tokens = set(saved["tokens"])
                    new = new & saved_tokens
        except (OSError, ValueError, KeyError, TypeError):
            pass
        names_checked = bool(names.key and self.digests)
        # The words and phrases of every clean page, by digest; None when not all are known
        # (no name check, or a record from before they were kept and nothing read again).
        self.tokens: set[str] | None = None
        if names_checked and (saved_tokens is not None or new or not self.known):
            self.tokens = saved_tokens or set()
        self.new_names = bool(names.key and new)  # names redacted since the record
        # A piece read clean before was not read for a name redacted since (``guard.Pieces``).
        self.pieces_before = [] if self.new_names else pieces
        self.pieces: list[bytes] = []  # read clean by this build
        _CONFIG = None
        _ARGS = (self.allow, names.key, self.digests, new, self.shown, self.pieces_before)
        self.suffixes = SCANNED_SUFFIXES
        self.pool: ProcessPoolExecutor | None = None
        if readers is not None:
            readers.configure(_ARGS)
            self.pool = readers.pool
        elif workers > 0:  # processes reading beside the build; 0: all read at the end
            try:
                context = multiprocessing.get_context("fork")
            except ValueError:  # pragma: no cover - no fork here: everything is read at the end
                context = None
            if context is not None:
                self.pool = ProcessPoolExecutor(
                    max_workers=workers, mp_context=context, initializer=_warm_up
                )
                self.pool.submit(int)  # the workers start (and warm up) now, not at the first page
        self.pending: dict[str, tuple[Future[list[Scanned]], int]] = {}
        self.batch: list[tuple[str, str]] = []
        self.batch_bytes = 0
        self.scanned_here: dict[int, list[Scanned]] = {}
        self.batches: list[tuple[Future[list[Scanned]], list[Any]]] = []  # not yet shared out
        self.handed: list[Future[list[Scanned]]] = []  # every batch handed to the workers

    def submit(self, path: Path) -> None:
        """A file was written: scan it soon on another core, if there are others.

        Files go to the workers in batches: handing over one file costs the
        rendering process about as much as a worker spends scanning it.
        """
        if self.pool is None or path.suffix.lower() not in self.suffixes:
            return
        name = str(path)
        size = 0
        if self.known:
            # A rebuild writes its feeds, testimonials.json and sitemap again, mostly the same
            # bytes: known clean from the hash, they need no worker (a feed is 60 ms to scan).
            data = path.read_bytes()
            if _digest(data) in self.known and not self.new_names:
                return
            size = len(data)
        self.batch.append((name, path.relative_to(self.output_dir).as_posix()))
        self.batch_bytes += size or os.path.getsize(name)
        # A batch goes when it is full, or at once when it holds a big file: on a rebuild
        # few pages are written, and a feed left waiting for 31 more would be read at the end.
        if len(self.batch) >= BATCH or self.batch_bytes >= BATCH_BYTES:
            self._flush()

    def close(self) -> None:
        """Stop the workers of a build that will not ``finish`` (it failed)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _flush(self) -> None:
        if self.pool is None or not self.batch:
            return
        future = self.pool.submit(_scan_files, self.batch)
        self.batches.append((future, self.batch))
        self.handed.append(future)
        for n, (_, rel) in enumerate(self.batch):
            self.pending[rel] = (future, n)
        self.batch = []
        self.batch_bytes = 0

    def _share_the_rest(self) -> None:
        """Scan here the batches no worker has started, newest first, while they finish theirs.

        The build is over, so this process has nothing else to do; the workers
        (one fewer than the cores, during the build) are usually a few batches
        behind the last pages written.
        """
        waiting = sum(not f.running() and not f.done() for f, _ in self.batches)
        if _CONFIG is None and waiting < SHARE_FROM:
            # This process has not scanned yet: loading what a scan needs (60 ms) costs
            # more than waiting for warm workers to read a few batches.
            self.batches = []
            return
        for future, batch in reversed(self.batches):
            if future.cancel():
                self.scanned_here[id(future)] = _scan_files(batch)
        self.batches = []

    def _result(self, future: Any) -> list[Scanned]:
        here = self.scanned_here.get(id(future))
        return here if here is not None else future.result()

    def _learn(self, results: Iterable[Scanned]) -> None:
        """Keep the words and the clean pieces of every file read, for the record."""
        for _, _, words, pieces in results:
            if self.tokens is not None:
                self.tokens.update(words)
            self.pieces += pieces

    def _learn_from_batches(self) -> None:
        """What every batch a worker or this process read taught, its file kept or not.

        A process hashes a word once and hands its digest over with the file it first
        met it in; a file written again after it was read, or replaced by bytes known
        clean, has its result set aside, and the word must still reach the record: the
        next build looks for a newly redacted name only on pages whose words hold it.
        """
        for future in self.handed:
            read = future.done() and not future.cancelled() and future.exception() is None
            if read or id(future) in self.scanned_here:
                self._learn(self._result(future))

    def finish(self) -> tuple[list[Any], int]:
        """Every finding in the output; also how many files were read (not known clean)."""
        findings: list[Any] = []
        clean: set[str] = set()
        read = 0
        try:
            recheck: list[tuple[Path, str, str]] = []  # known clean, but new names since
            seen: dict[str, str] = {}
            judged: list[tuple[str, str, str]] = []  # (path, rel, digest) of files to read
            for name, rel in _files(self.output_dir, self.suffixes):
                st = os.stat(name)
                signature = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
                digest = self.signatures.get(signature) or _digest(Path(name).read_bytes())
                seen[signature] = digest
                if digest in self.known and not self.new_names:
                    self.pending.pop(rel, None)
                    clean.add(digest)
                elif digest in self.known:
                    self.pending.pop(rel, None)
                    recheck.append((Path(name), rel, digest))
                else:
                    judged.append((name, rel, digest))
                    if self.pool is not None and rel not in self.pending:
                        # Written outside the writer's signals (or never handed over):
                        # queued now, so this process and the workers share it below.
                        self.batch.append((name, rel))
                        if len(self.batch) >= BATCH:
                            self._flush()
            self._flush()
            self._share_the_rest()
            again: list[tuple[Path, str, str]] = []  # changed after a worker scanned it
            for name, rel, digest in judged:
                read += 1
                future = self.pending.pop(rel, None)
                if future is None:  # no pool: every file is read here
                    again.append((Path(name), rel, digest))
                    continue
                scanned, found, _, _ = self._result(future[0])[future[1]]
                if scanned == digest:
                    findings += found
                    clean.update(() if found else (digest,))
                    continue
                again.append((Path(name), rel, digest))
            for work, files in ((_scan_file, again), (_check_new_names, recheck)):
                paths, rels = [str(f) for f, _, _ in files], [r for _, r, _ in files]
                if self.pool is not None and len(files) > BATCH:
                    results = self.pool.map(work, paths, rels, chunksize=BATCH)
                else:
                    results = map(work, paths, rels)
                for (_, _, digest), result in zip(files, results, strict=True):
                    scanned, found = result[0], result[1]
                    self._learn([result])
                    findings += found
                    if not found and scanned == digest:
                        clean.add(digest)
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
        self._learn_from_batches()
        pieces = list(dict.fromkeys([*self.pieces, *self.pieces_before]))[:KEPT_PIECES]
        self.record.parent.mkdir(parents=True, exist_ok=True)
        partial = self.record.with_name(f"{self.record.name}.{os.getpid()}.part")
        record = {
            "salt": self.salt,
            "digests": sorted(self.digests),
            "clean": sorted(clean),
            "tokens": None if self.tokens is None else sorted(self.tokens),
            "files": {k: v for k, v in sorted(seen.items()) if v in clean},
            "shown": [repr(s) for s in self.shown],
            "pieces": [p.hex() for p in pieces],
        }
        partial.write_text(json.dumps(record))
        partial.replace(self.record)
        findings.sort(key=lambda f: (f.path, f.line))
        return findings, read + len(recheck)
