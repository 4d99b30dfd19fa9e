"""Cached files put into the output by hard link: one system call instead of a copy.

A build that reuses thousands of pages and images would otherwise spend more
time copying bytes than Pelican spends rendering the pages that changed. A
link shares the file with the cache, so nothing may ever write *into* an
output file in place: the plugin deletes a linked page before Pelican renders
over it (``make_way``), and cache files are only ever replaced whole. Where
links are not possible (another file system) the file is copied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


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
