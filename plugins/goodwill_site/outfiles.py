"""Cached files put into the output by hard link: one system call instead of a copy.

A build that reuses thousands of pages and images would otherwise spend more
time copying bytes than Pelican spends rendering the pages that changed. A
link shares the file with the cache, so nothing may ever write *into* an
output file in place: the plugin deletes a linked page before Pelican renders
over it (``make_way``), and cache files are only ever replaced whole. Where
links are not possible (another file system) the file is copied.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar


def place(src: Path, dest: Path) -> None:
    """``dest`` becomes ``src``'s content: linked where possible, else copied with its time."""
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def make_way(path: Path) -> None:
    """Delete a file about to be written, so writing it cannot change a cache file it is."""
    try:
        if path.stat().st_nlink > 1:
            path.unlink()
    except FileNotFoundError:
        pass


def _same_file(a: str, b: str) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return sa.st_size == sb.st_size and sa.st_mtime_ns == sb.st_mtime_ns


# Below this many reused pages and images, forking to link them costs more than it saves.
LINK_APART_FROM = 200


def link_all(pairs: Iterable[tuple[str, str]]) -> None:
    """Each ``dest`` becomes ``src`` (``place``), its folder made as needed.

    The common case, a wiped output folder, is a folder and a link per file. A
    ``dest`` already there is kept when it is the same file (an output kept from
    the build before) and replaced otherwise, so running this twice is harmless.
    """
    made: set[str] = set()
    for src, dest in pairs:
        parent = os.path.dirname(dest)
        if parent not in made:
            try:
                os.mkdir(parent)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(parent, exist_ok=True)
            made.add(parent)
        try:
            os.link(src, dest)
            continue
        except FileExistsError:
            if _same_file(src, dest):
                continue
        except OSError:
            pass  # another file system: copied below
        place(Path(src), Path(dest))


def _run(work: Callable[[], None]) -> None:
    work()


class Background:
    """``work`` done in a forked process while the build goes on; ``join`` waits for it.

    For thousands of system calls (linking a rebuild's unchanged pages and
    images): a thread would wait its turn for the interpreter after every call
    while Pelican renders, and got almost nothing done before the build needed
    it. Where processes cannot be forked, the work is done at ``join``. Work
    that may run twice (``link_all``) is done again here if the process failed.
    """

    _running: ClassVar[list[Background]] = []  # not joined: a build that failed leaves them

    def __init__(self, work: Callable[[], None], fork: bool = True) -> None:
        self.work = work
        self.process: multiprocessing.process.BaseProcess | None = None
        if fork and sys.platform.startswith("linux"):
            context = multiprocessing.get_context("fork")
            self.process = context.Process(target=_run, args=(work,), daemon=True)
            self.process.start()
            Background._running.append(self)

    @classmethod
    def join_all(cls) -> None:
        """Wait for what earlier builds in this process left running (a failed one)."""
        for left in list(cls._running):
            left.join()

    def join(self) -> None:
        if self.process is None:
            self.work()
            return
        self.process.join()
        if self in Background._running:
            Background._running.remove(self)
        if self.process.exitcode != 0:
            self.work()  # it failed part-way: do it here, where an error reaches the build
        self.process = None
        self.work = lambda: None
